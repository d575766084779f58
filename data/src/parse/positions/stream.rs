//! A big positions file read from disk in parts, one per core, each part in chunks as it is
//! parsed: the file is never held whole.

use std::borrow::Cow;
use std::os::unix::fs::FileExt as _;
use std::path::Path;

use super::{Direct, PIECE_MIN_BYTES, Piece, PieceParser, join};
use crate::model::PlayerTrack;
use crate::parse::header::HeaderAcc;
use crate::report::LoadReport;

/// Reads a positions file from disk and parses it on `threads` threads at once, each reading
/// its own part of the file in chunks: the file is never held whole (a 5-hour round's is
/// 100 MB), and the kernel's copy is shared out and overlaps the parsing. The result is the
/// same as [`parse`] on the file's bytes.
pub(in crate::parse) fn read_and_parse(
    path: &Path,
    label: &str,
    header: &mut HeaderAcc,
    report: &mut LoadReport,
    threads: usize,
) -> std::io::Result<Vec<PlayerTrack>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let pieces = threads.clamp(1, usize::try_from(len / PIECE_MIN_BYTES as u64).unwrap_or(usize::MAX).max(1));
    read_in(&file, len, label, header, report, pieces, CHUNK_BYTES)
}

/// [`read_and_parse`] of `file` (`len` bytes long when it was opened) in `pieces` pieces, read
/// `chunk` bytes at a time.
fn read_in(
    file: &std::fs::File,
    len: u64,
    label: &str,
    header: &mut HeaderAcc,
    report: &mut LoadReport,
    pieces: usize,
    chunk: usize,
) -> std::io::Result<Vec<PlayerTrack>> {
    // The first line starts after a byte-order mark.
    let mut head = [0u8; 3];
    let start = if len >= 3 && file.read_exact_at(&mut head, 0).is_ok() && head == *b"\xEF\xBB\xBF" { 3 } else { 0 };
    // Piece k holds the lines that start in [bounds[k], bounds[k + 1]): the file as it was
    // when opened. A line the writer was in the middle of then is read to its end; lines a
    // live round appends after it wait for the next read.
    // At least a byte a piece, so that every piece but the first starts past the file's start.
    let pieces = pieces.clamp(1, usize::try_from(len.saturating_sub(start)).unwrap_or(usize::MAX).max(1));
    let share = len.saturating_sub(start) / pieces as u64;
    let bounds: Vec<u64> =
        (0..=pieces as u64).map(|k| if k == pieces as u64 { len.max(start) } else { start + share * k }).collect();
    let direct = Direct { header, report, label };
    fn read_piece(
        file: &std::fs::File,
        (from, to, first): (u64, u64, bool),
        (size_for, chunk): (usize, usize),
        direct: Option<&mut Direct<'_>>,
    ) -> std::io::Result<Piece<'static>> {
        let mut parser = PieceParser::new(size_for, !first, direct);
        read_lines(file, (from, to, first), chunk, |chunk, offset, at_end| {
            parser.feed(chunk, offset, at_end, |l| Cow::Owned(l.to_vec()));
        })?;
        Ok(parser.piece)
    }
    let bounds = &bounds;
    // The first piece is sized for the whole file (the others join it), the others for
    // themselves.
    let size_of = |k: usize| usize::try_from(bounds[k + 1] - bounds[k]).unwrap_or(usize::MAX);
    let whole_file = usize::try_from(len).unwrap_or(usize::MAX);
    let (parsed, direct) = std::thread::scope(|scope| {
        let workers: Vec<_> = (1..pieces)
            .map(|k| {
                let piece = (bounds[k], bounds[k + 1], false);
                scope.spawn(move || read_piece(file, piece, (size_of(k), chunk), None))
            })
            .collect();
        let mut direct = direct;
        let first = read_piece(file, (bounds[0], bounds[1], true), (whole_file, chunk), Some(&mut direct));
        let parsed: std::io::Result<Vec<Piece<'static>>> = std::iter::once(first)
            .chain(workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))))
            .collect();
        (parsed, direct)
    });
    Ok(join(parsed?, direct))
}

/// Size of one read of [`read_lines`]: small enough to stay in the processor's cache.
const CHUNK_BYTES: usize = 1 << 20;

/// Calls `feed(lines, offset, at_end)`, reading about `chunk` bytes at a time, with the whole
/// lines of `file` that start at or after `from` and before `to`, in chunks that end at line
/// ends, except a last line the file ends in the middle of (`at_end`); `offset` is how far
/// into the piece `lines` start. The `first` piece starts with a line at `from`; another one
/// starts after the first line end at or after `from - 1` (a line that starts before `from`
/// belongs to the piece before).
fn read_lines(
    file: &std::fs::File,
    (from, to, first): (u64, u64, bool),
    chunk: usize,
    mut feed: impl FnMut(&[u8], usize, bool),
) -> std::io::Result<()> {
    // buf[..filled] holds the file from position `at` on; the buffer grows only for a line
    // longer than a chunk.
    let chunk = chunk.max(1);
    let mut buf = vec![0u8; chunk];
    let mut filled = 0;
    let mut seeking = !first && from > 0;
    let mut at = if seeking { from - 1 } else { from };
    let mut fed = 0;
    loop {
        if buf.len() - filled < chunk.div_ceil(2) {
            buf.resize(filled + chunk, 0);
        }
        let before = filled;
        let n = loop {
            match file.read_at(&mut buf[filled..], at + filled as u64) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        filled += n;
        let mut data = 0;
        if seeking {
            match memchr::memchr(b'\n', &buf[..filled]) {
                Some(i) => {
                    seeking = false;
                    data = i + 1;
                }
                None if n == 0 => return Ok(()),
                None => {
                    at += filled as u64;
                    filled = 0;
                    continue;
                }
            }
            if at + data as u64 >= to {
                return Ok(());
            }
        }
        // Lines that start before `to` end at the first line end at or after to - 1.
        let stop =
            usize::try_from(to.saturating_sub(1).saturating_sub(at)).ok().filter(|&i| i < filled).map(|i| i.max(data));
        // Only the bytes just read can hold a new line end (what was kept is part of a line).
        let (whole, done) = match stop.and_then(|i| memchr::memchr(b'\n', &buf[i..filled]).map(|e| i + e + 1)) {
            Some(end) => (end, true),
            None if n == 0 => (filled, true),
            None => {
                let new = before.max(data);
                (memchr::memrchr(b'\n', &buf[new..filled]).map_or(data, |e| new + e + 1), false)
            }
        };
        if whole > data {
            feed(&buf[data..whole], fed, done);
            fed += whole - data;
        }
        if done {
            return Ok(());
        }
        if whole > 0 {
            buf.copy_within(whole..filled, 0);
            filled -= whole;
            at += whole as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{awkward, read};
    use super::*;
    use crate::model::Round;

    /// [`read_in`] of `bytes` written to a file.
    fn stream(bytes: &[u8], pieces: usize, chunk: usize) -> Round {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.txt");
        std::fs::write(&path, bytes).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        let (mut report, mut header) = (LoadReport::default(), HeaderAcc::default());
        let tracks =
            read_in(&file, bytes.len() as u64, "p.txt", &mut header, &mut report, pieces, chunk).expect("read");
        Round { tracks, report, players: header.roster.into_values().collect(), meta: header.meta, ..Round::default() }
    }

    #[test]
    fn a_file_read_from_disk_in_parts_and_chunks_reads_the_same_as_its_bytes() {
        let bytes = awkward();
        let whole = read(&bytes, 1);
        // Chunks shorter than a line, about a line, and longer; pieces cut mid-line and at
        // line ends; more pieces than lines.
        for pieces in [1, 2, 3, 7, 64, 5000] {
            for chunk in [1, 7, 40, 41, 1000, 1 << 20] {
                let streamed = stream(&bytes, pieces, chunk);
                assert_eq!(streamed.tracks, whole.tracks, "{pieces} pieces, {chunk}-byte chunks");
                assert_eq!(streamed.report, whole.report, "{pieces} pieces, {chunk}-byte chunks");
                assert_eq!(streamed.players, whole.players);
                assert_eq!(streamed.meta, whole.meta);
            }
        }
        // Ends: a line end last, nothing at all, one line cut short, a byte-order mark alone or
        // before a short file cut in more pieces than it has bytes, a mark's bytes later on
        // (not a mark there: the line is skipped), lines ended by CR alone.
        for text in [
            &b"1\t50\t1\t2\t3\t0\t0\t0\t1\n"[..],
            b"",
            b"1\t50\t1",
            b"\xEF\xBB\xBF",
            b"\xEF\xBB\xBF1\t50\t1\t2\t3\t0\t0\t0\t1\n2\t50\t1\t2\t3\t0\t0\t0\t1\n",
            b"\n\xEF\xBB\xBF3\t50\t1\t2\t3\t0\t0\t0\t1\n",
            b"\n\n\r\n",
            b"1\t50\t1\t2\t3\t0\t0\t0\t1\r2\t50\t1\t2\t3\t0\t0\t0\t1\r",
        ] {
            for pieces in [1, 2, 4, 64] {
                for chunk in [1, 2, 3, 64] {
                    let (streamed, whole) = (stream(text, pieces, chunk), read(text, 1));
                    assert_eq!(
                        (streamed.tracks, streamed.report),
                        (whole.tracks, whole.report),
                        "{text:?} in {pieces} pieces, {chunk}-byte chunks"
                    );
                }
            }
        }
    }

    #[test]
    fn a_file_read_in_parts_while_it_is_cut_grown_and_written_again_ends_each_read() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.txt");
        let bytes = awkward();
        std::fs::write(&path, &bytes).expect("write");
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            // A server that appends, starts the file again, and cuts it mid-line, over and over.
            let writer = scope.spawn(|| {
                let mut step = 0usize;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match step % 3 {
                        0 => std::fs::write(&path, &bytes[..(step * 7919) % bytes.len()]).expect("cut"),
                        1 => std::fs::OpenOptions::new()
                            .append(true)
                            .open(&path)
                            .and_then(|mut f| f.write_all(&bytes[..4096]))
                            .expect("append"),
                        _ => std::fs::write(&path, &bytes).expect("again"),
                    }
                    step += 1;
                }
                step
            });
            for read in 0..60 {
                let file = std::fs::File::open(&path).expect("open");
                let len = file.metadata().expect("metadata").len();
                let (mut report, mut header) = (LoadReport::default(), HeaderAcc::default());
                let tracks =
                    read_in(&file, len, "p.txt", &mut header, &mut report, 1 + read % 4, 1 + read * 37).expect("read");
                // Any mix of old and new bytes: what is skipped has its line, what loads is in order.
                assert!(report.skipped.iter().all(|s| s.line > 0 && !s.reason.is_empty()), "{report}");
                assert!(tracks.iter().all(|t| t.samples.is_sorted_by(|a, b| a.time_ms < b.time_ms)));
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            assert!(writer.join().expect("writer") > 3, "the file changed while it was read");
        });
    }
}
