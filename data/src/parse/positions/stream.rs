//! A big positions file read from disk in small pieces, on every core at once, each piece
//! parsed as it is read and joined onto the tracks in file order as soon as the pieces before
//! it are: the file is never held whole, and no more than a piece's samples per core wait
//! beside the tracks.

use std::borrow::Cow;
use std::os::unix::fs::FileExt as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

use super::{Direct, Joiner, PieceParser};
use crate::model::{PlayerTrack, PositionSample};
use crate::parse::header::HeaderAcc;
use crate::report::LoadReport;

/// Reads a positions file from disk and parses it on `threads` threads at once, in pieces of
/// [`PIECE_BYTES`] (a 5-hour round's file is 100 MB). The result is the same as [`parse`] on
/// the file's bytes.
pub(in crate::parse) fn read_and_parse(
    path: &Path,
    label: &str,
    header: &mut HeaderAcc,
    report: &mut LoadReport,
    threads: usize,
) -> std::io::Result<Vec<PlayerTrack>> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let pieces = usize::try_from(len.div_ceil(PIECE_BYTES as u64)).unwrap_or(usize::MAX).max(1);
    read_in(&file, len, Direct { header, report, label }, pieces, (CHUNK_BYTES, threads))
}

/// Size of the pieces a file is read in: small enough to stay in the processor's cache while
/// it is parsed, big enough that handing pieces on costs nothing.
const PIECE_BYTES: usize = 256 << 10;

/// Most bytes read at once.
const CHUNK_BYTES: usize = 256 << 10;

/// Read past a piece's end to find its last line's end.
const LOOKAHEAD: usize = 4 << 10;

/// Where the pieces stand: the next one to join, or that a read failed.
struct Turn<'d> {
    next: usize,
    failed: bool,
    joiner: Joiner<'d>,
}

/// [`read_and_parse`] of `file` (`len` bytes long when it was opened) in `pieces` pieces, read
/// `chunk` bytes at a time on `workers` threads.
fn read_in(
    file: &std::fs::File,
    len: u64,
    direct: Direct<'_>,
    pieces: usize,
    (chunk, workers): (usize, usize),
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
    let turn = Mutex::new(Turn { next: 0, failed: false, joiner: Joiner::new(direct) });
    let (joined, taken, skipped) = (Condvar::new(), AtomicUsize::new(0), AtomicUsize::new(0));
    let lock = || turn.lock().unwrap_or_else(PoisonError::into_inner);
    // Takes the next piece not taken, parses it, waits for the pieces before it to be joined,
    // joins it; again until none is left. The pieces' vectors and the read buffer are kept
    // from piece to piece.
    let work = || -> std::io::Result<()> {
        // A worker that fails (or panics) must not leave the others waiting for its piece.
        struct Release<'a, 'd>(&'a Mutex<Turn<'d>>, &'a Condvar, bool);
        impl Drop for Release<'_, '_> {
            fn drop(&mut self) {
                if !self.2 {
                    self.0.lock().unwrap_or_else(PoisonError::into_inner).failed = true;
                    self.1.notify_all();
                }
            }
        }
        let mut release = Release(&turn, &joined, false);
        let (mut storage, mut buf): (Vec<Vec<PositionSample>>, Vec<u8>) = Default::default();
        loop {
            let k = taken.fetch_add(1, Ordering::Relaxed);
            if k >= pieces {
                release.2 = true;
                return Ok(());
            }
            let size = usize::try_from(bounds[k + 1] - bounds[k]).unwrap_or(usize::MAX);
            let mut parser = PieceParser::new(size, k > 0, None);
            parser.piece.by_client = std::mem::take(&mut storage);
            // Skipped lines already joined count towards the few told in detail.
            parser.skips = skipped.load(Ordering::Relaxed);
            read_lines(file, (bounds[k], bounds[k + 1], k == 0), chunk, &mut buf, |lines, offset, at_end| {
                parser.feed::<true>(lines, offset, at_end, |l| Cow::Owned(l.to_vec()));
            })?;
            // A buffer grown for a very long line is not kept for the next piece.
            if buf.len() > 4 * chunk {
                buf = Vec::new();
            }
            let mut t = lock();
            while t.next != k && !t.failed {
                t = joined.wait(t).unwrap_or_else(PoisonError::into_inner);
            }
            if t.failed {
                release.2 = true;
                return Ok(());
            }
            t.joiner.add(&mut parser.piece, (k, pieces));
            skipped.store(t.joiner.skipped(), Ordering::Relaxed);
            t.next += 1;
            drop(t);
            joined.notify_all();
            storage = parser.piece.by_client;
        }
    };
    let done: Vec<std::io::Result<()>> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..workers.clamp(1, pieces)).map(|_| scope.spawn(work)).collect();
        let mine = work();
        std::iter::once(mine)
            .chain(others.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))))
            .collect()
    });
    done.into_iter().collect::<std::io::Result<()>>()?;
    Ok(turn.into_inner().unwrap_or_else(PoisonError::into_inner).joiner.finish())
}

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
    buf: &mut Vec<u8>,
    mut feed: impl FnMut(&[u8], usize, bool),
) -> std::io::Result<()> {
    // buf[..filled] holds the file from position `at` on; the buffer (kept by the caller)
    // grows only for a line longer than a chunk.
    let chunk = chunk.max(1);
    if buf.len() < chunk {
        buf.resize(chunk, 0);
    }
    let mut filled = 0;
    let mut seeking = !first && from > 0;
    let mut at = if seeking { from - 1 } else { from };
    let mut fed = 0;
    let mut lookahead = LOOKAHEAD;
    loop {
        if buf.len() - filled < chunk.div_ceil(2) {
            buf.resize(filled + chunk, 0);
        }
        let before = filled;
        // Up to the piece's end and a little past it, for its last line's end; past the end,
        // twice as much each time the line goes on.
        let left = to.saturating_sub(at + filled as u64);
        let want = usize::try_from(left).unwrap_or(usize::MAX).saturating_add(lookahead);
        if left == 0 {
            lookahead = lookahead.saturating_mul(2);
        }
        let upto = filled + want.min(buf.len() - filled);
        let n = loop {
            match file.read_at(&mut buf[filled..upto], at + filled as u64) {
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
                    // No line end from `from - 1` to `to - 1`: no line starts in the piece.
                    if at >= to {
                        return Ok(());
                    }
                    continue;
                }
            }
            if at + data as u64 >= to {
                return Ok(());
            }
        }
        // Lines that start before `to` end at the first line end at or after to - 1.
        // Only the bytes just read can hold a new line end (what was kept is part of a line): a
        // line that goes on far past `to` is searched once, not again at every read.
        let stop = usize::try_from(to.saturating_sub(1).saturating_sub(at))
            .ok()
            .filter(|&i| i < filled)
            .map(|i| i.max(data).max(before));
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
    fn stream(bytes: &[u8], pieces: usize, chunk: usize, workers: usize) -> Round {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.txt");
        std::fs::write(&path, bytes).expect("write");
        let file = std::fs::File::open(&path).expect("open");
        let (mut report, mut header) = (LoadReport::default(), HeaderAcc::default());
        let direct = Direct { header: &mut header, report: &mut report, label: "p.txt" };
        let tracks = read_in(&file, bytes.len() as u64, direct, pieces, (chunk, workers)).expect("read");
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
                for workers in [1, 2, 3] {
                    let streamed = stream(&bytes, pieces, chunk, workers);
                    let what = format!("{pieces} pieces, {chunk}-byte chunks, {workers} workers");
                    assert_eq!(streamed.tracks, whole.tracks, "{what}");
                    assert_eq!(streamed.report, whole.report, "{what}");
                    assert_eq!(streamed.players, whole.players);
                    assert_eq!(streamed.meta, whole.meta);
                }
            }
        }
        // Ends: a line end last, nothing at all, one line cut short, a byte-order mark alone or
        // before a short file cut in more pieces than it has bytes, a mark's bytes later on
        // (not a mark there: the line is skipped), lines ended by CR alone, a line longer than
        // many pieces and chunks, no line end at all.
        let long = [&b"1\t50\t1\t2\t3\t0\t0\t0\t1\n"[..], &[b'x'; 5000], b"\n2\t50\t1\t2\t3\t0\t0\t0\t1\n"].concat();
        for text in [
            &long[..],
            &[b'y'; 3000],
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
                    let (streamed, whole) = (stream(text, pieces, chunk, 2), read(text, 1));
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
    fn a_line_going_on_far_past_its_piece_and_many_bad_lines_read_as_from_the_bytes() {
        // A server that crashed leaving megabytes of zeros and no line end after a sample.
        let mut bytes = b"1\t50\t1\t2\t3\t0\t0\t0\t1\n".to_vec();
        bytes.resize(2 << 20, 0);
        let whole = read(&bytes, 1);
        for (pieces, chunk) in [(16, 4096), (64, 1 << 16), (2, 1 << 20)] {
            let streamed = stream(&bytes, pieces, chunk, 2);
            assert_eq!((&streamed.tracks, &streamed.report), (&whole.tracks, &whole.report), "{pieces} {chunk}");
        }
        // Bad lines in every piece: the first ones told in detail, with their numbers.
        let bad = "x\ty\n".repeat(20_000).into_bytes();
        let (streamed, whole) = (stream(&bad, 64, 4096, 3), read(&bad, 1));
        assert_eq!(streamed.report, whole.report);
        assert_eq!(streamed.report.skipped_total, 20_000);
        assert_eq!(streamed.report.skipped.first().map(|s| s.line), Some(1));
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
                while !stop.load(Ordering::Relaxed) {
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
                let direct = Direct { header: &mut header, report: &mut report, label: "p.txt" };
                let tracks = read_in(&file, len, direct, 1 + read % 40, (1 + read * 37, 1 + read % 3)).expect("read");
                // Any mix of old and new bytes: what is skipped has its line, what loads is in order.
                assert!(report.skipped.iter().all(|s| s.line > 0 && !s.reason.is_empty()), "{report}");
                assert!(tracks.iter().all(|t| t.samples.is_sorted_by(|a, b| a.time_ms < b.time_ms)));
            }
            stop.store(true, Ordering::Relaxed);
            assert!(writer.join().expect("writer") > 3, "the file changed while it was read");
        });
    }
}
