//! The positions file, the biggest of a round by far (a 64-player, 5-hour round is 2.3 million
//! lines): cut into pieces at line ends and parsed on several threads, then joined in file order,
//! so the result — samples, skipped lines with their numbers, notes — is the same as reading it
//! line by line.

use super::header::HeaderAcc;
use super::lines::{self, POSITION_COLUMNS};
use super::{FileInput, lines_of_piece};
use crate::model::{MAX_CLIENTS, PlayerTrack, PositionSample};
use crate::report::{LoadReport, MAX_DETAILED_SKIPS_PER_FILE};

/// Files smaller than this are read on one thread (a thread costs more than it saves).
const PIECE_MIN_BYTES: usize = 4 << 20;

/// Parses a positions file on up to `threads` threads into tracks; header lines go to `header`
/// and problems to `report`, in file order.
pub(super) fn parse(
    file: FileInput<'_>,
    header: &mut HeaderAcc,
    report: &mut LoadReport,
    threads: usize,
) -> Vec<PlayerTrack> {
    parse_in(file, header, report, pieces_for(file.bytes, threads))
}

/// How many pieces a file is read in: one per [`PIECE_MIN_BYTES`], at most `threads`. Header
/// lines of the later pieces wait (as slices) to be taken in order, so a file with more than
/// [`MAX_DEFERRED_HEADERS`] of them is read in one piece, each taken as it comes.
fn pieces_for(bytes: &[u8], threads: usize) -> usize {
    let pieces = threads.clamp(1, (bytes.len() / PIECE_MIN_BYTES).max(1));
    if pieces > 1 && memchr::memmem::find_iter(bytes, b"\n#").nth(MAX_DEFERRED_HEADERS).is_some() {
        return 1;
    }
    pieces
}

/// Most header lines a file split into pieces may have.
const MAX_DEFERRED_HEADERS: usize = 10_000;

/// Where the first piece's header lines, skipped lines and notes go at once (it is read on
/// the calling thread, and first).
struct Direct<'d> {
    header: &'d mut HeaderAcc,
    report: &'d mut LoadReport,
    label: &'d str,
}

impl Direct<'_> {
    fn take(&mut self, line: usize, met: Met<'_>) {
        match met {
            Met::Header(text) => self.header.take(text, self.label, line, self.report),
            Met::Skip(reason) => self.report.skip(self.label, line, reason),
            Met::CutShort => self
                .report
                .note(self.label, format!("line {line}: last line is cut short (file ends mid-line); ignored")),
        }
    }
}

/// What one piece met besides samples, by line number within the piece.
enum Met<'a> {
    Header(&'a [u8]),
    Skip(String),
    CutShort,
}

/// One piece's result.
struct Piece<'a> {
    by_client: Vec<Vec<PositionSample>>,
    met: Vec<(usize, Met<'a>)>,
    /// Skipped lines beyond those kept in `met` (only counted).
    more_skips: usize,
    /// Lines in the piece, blank ones included.
    lines: usize,
}

fn parse_in(file: FileInput<'_>, header: &mut HeaderAcc, report: &mut LoadReport, pieces: usize) -> Vec<PlayerTrack> {
    let bytes = file.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file.bytes);
    let cuts = cut_at_line_ends(bytes, pieces);
    let direct = Direct { header, report, label: file.label };
    let (parsed, mut direct): (Vec<Piece<'_>>, Direct<'_>) = if cuts.len() == 1 {
        let mut direct = direct;
        (vec![parse_piece(bytes, bytes.len(), false, Some(&mut direct))], direct)
    } else {
        std::thread::scope(|scope| {
            // Later pieces start mid-snapshot: their first one says nothing of its size.
            let workers: Vec<_> = cuts
                .iter()
                .skip(1)
                .map(|piece| scope.spawn(move || parse_piece(piece, piece.len(), true, None)))
                .collect();
            // The first piece on this thread, sized for the whole file: the others join it.
            let mut direct = direct;
            let mut parsed = vec![parse_piece(cuts[0], bytes.len(), false, Some(&mut direct))];
            parsed.extend(workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
            (parsed, direct)
        })
    };

    let mut by_client: Vec<Vec<PositionSample>> = Vec::new();
    let mut first_line = 0;
    for piece in parsed {
        for (line, met) in piece.met {
            direct.take(first_line + line, met);
        }
        let report = &mut *direct.report;
        report.skipped_total += piece.more_skips;
        first_line += piece.lines;
        if by_client.len() < piece.by_client.len() {
            by_client.resize_with(piece.by_client.len(), Vec::new);
        }
        for (all, mut more) in by_client.iter_mut().zip(piece.by_client) {
            if all.is_empty() {
                std::mem::swap(all, &mut more);
            } else {
                all.append(&mut more);
            }
        }
    }
    finish_tracks(by_client, file.label, direct.report)
}

/// `bytes` cut into at most `pieces` pieces, each ending with a line end (the last one: where
/// the file ends).
fn cut_at_line_ends(bytes: &[u8], pieces: usize) -> Vec<&[u8]> {
    let mut cuts = Vec::with_capacity(pieces);
    let mut rest = bytes;
    for k in (1..pieces).rev() {
        let want = rest.len() / (k + 1);
        let Some(at) = memchr::memchr(b'\n', &rest[want..]).map(|at| want + at + 1) else { break };
        let (piece, after) = rest.split_at(at);
        cuts.push(piece);
        rest = after;
    }
    cuts.push(rest);
    cuts.retain(|c| !c.is_empty());
    if cuts.is_empty() {
        cuts.push(bytes);
    }
    cuts
}

/// Parses one piece; what it meets besides samples goes to `direct` at once when given, else
/// waits in the piece.
fn parse_piece<'a>(
    bytes: &'a [u8],
    size_for: usize,
    mid_snapshot: bool,
    mut direct: Option<&mut Direct<'_>>,
) -> Piece<'a> {
    let start = bytes.as_ptr() as usize;
    let mut capacity = CapacityHint::new(size_for, mid_snapshot);
    let mut piece = Piece { by_client: Vec::new(), met: Vec::new(), more_skips: 0, lines: 0 };
    let mut skips = 0;
    let mut meet = |met_list: &mut Vec<(usize, Met<'a>)>, line: usize, met: Met<'a>| match direct.as_deref_mut() {
        Some(d) => d.take(line, met),
        None => met_list.push((line, met)),
    };
    piece.lines = lines_of_piece(bytes, |line_number, line, unterminated| {
        if line.first() == Some(&b'#') {
            meet(&mut piece.met, line_number, Met::Header(line));
            return;
        }
        let reason = match lines::position_line(line) {
            Ok((_, (cn, sample))) if cn < MAX_CLIENTS => {
                let cn = usize::from(cn);
                if piece.by_client.len() <= cn {
                    piece.by_client.resize_with(cn + 1, Vec::new);
                }
                capacity.observe(sample.time_ms, line.as_ptr() as usize - start, cn, &mut piece.by_client);
                piece.by_client[cn].push(sample);
                return;
            }
            Ok((_, (cn, _))) => (skips < MAX_DETAILED_SKIPS_PER_FILE)
                .then(|| format!("column 1 (clientnum): {cn} is not a player slot (0-{})", MAX_CLIENTS - 1)),
            Err(_) if unterminated => {
                meet(&mut piece.met, line_number, Met::CutShort);
                return;
            }
            Err(_) => (skips < MAX_DETAILED_SKIPS_PER_FILE).then(|| lines::diagnose(line, &POSITION_COLUMNS)),
        };
        // Only the first skipped lines are told in detail; the rest are counted.
        skips += 1;
        match reason {
            Some(reason) => meet(&mut piece.met, line_number, Met::Skip(reason)),
            None => piece.more_skips += 1,
        }
    });
    piece
}

/// Sizes the per-client vectors once instead of growing them by doubling (which copies and
/// page-faults the whole file's worth of samples again). The tracker writes one snapshot of all
/// players at a time, so when the second snapshot starts, the first one's lines and bytes say
/// how many samples each player will have. Only a hint: any order of lines still loads.
struct CapacityHint {
    file_len: usize,
    first: Option<(u32, usize)>,
    per_client: Option<usize>,
    /// The first snapshot seen may be a part of one (a piece that starts mid-file): measure the
    /// second.
    skip_first: bool,
}

impl CapacityHint {
    fn new(file_len: usize, skip_first: bool) -> Self {
        Self { file_len, first: None, per_client: None, skip_first }
    }

    fn observe(&mut self, time_ms: u32, offset: usize, cn: usize, by_client: &mut [Vec<PositionSample>]) {
        match (self.per_client, self.first) {
            (Some(share), _) => {
                if by_client[cn].capacity() == 0 {
                    by_client[cn].reserve_exact(share);
                }
            }
            (None, None) => self.first = Some((time_ms, offset)),
            (None, Some((first_time, _))) if first_time != time_ms && self.skip_first => {
                self.skip_first = false;
                self.first = Some((time_ms, offset));
            }
            (None, Some((first_time, first_offset))) if first_time != time_ms => {
                // The first snapshot spans first_offset..offset.
                let snapshot_bytes = offset.saturating_sub(first_offset).max(1);
                let share = self.file_len / snapshot_bytes + 2;
                for v in by_client.iter_mut().filter(|v| !v.is_empty()) {
                    v.reserve_exact(share.saturating_sub(v.len()));
                }
                self.per_client = Some(share);
                if by_client[cn].capacity() == 0 {
                    by_client[cn].reserve_exact(share);
                }
            }
            (None, Some(_)) => {}
        }
    }
}

/// Sorts each client's samples by time (files are written in time order, so this is usually a
/// check) and drops samples that repeat a time already seen for that client.
fn finish_tracks(by_client: Vec<Vec<PositionSample>>, label: &str, report: &mut LoadReport) -> Vec<PlayerTrack> {
    let mut duplicates = 0;
    let tracks = by_client
        .into_iter()
        .enumerate()
        .filter(|(_, samples)| !samples.is_empty())
        .map(|(cn, mut samples)| {
            // One pass for the usual case: strictly increasing times, nothing to sort or drop.
            if !samples.is_sorted_by(|a, b| a.time_ms < b.time_ms) {
                samples.sort_by_key(|s| s.time_ms);
                let before = samples.len();
                samples.dedup_by_key(|s| s.time_ms);
                duplicates += before - samples.len();
            }
            PlayerTrack { clientnum: cn as u16, samples }
        })
        .collect();
    if duplicates > 0 {
        report.note(label, format!("{duplicates} samples repeat a client and time already seen; kept the first"));
    }
    tracks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Round;

    /// A file with everything a positions file can hold: headers between samples, bad lines,
    /// blank and CRLF lines, an out-of-range slot, a client's samples out of order and repeated,
    /// and a cut last line.
    fn awkward() -> Vec<u8> {
        let mut text = String::from("\u{feff}# PROXIMITY_TRACKER positions\n# map=supply\n");
        for t in 0..400u32 {
            for cn in [0u32, 3, 7] {
                text.push_str(&format!("{cn}\t{}\t{}.5\t-2\t0\t90\t0\t0\t1\t1\t100\n", t * 500, t));
            }
            match t % 97 {
                5 => text.push_str("# player\t3\t2\tNewName\n"),
                11 => text.push_str("garbage\tline\n\n   \n"),
                17 => text.push_str("9\t1000\t0\t0\t0\t0\t0\t0\t0\r\n"),
                23 => text.push_str("100\t1000\t0\t0\t0\t0\t0\t0\t0\n"),
                29 => text.push_str("7\t0\t1\t1\t1\t0\t0\t0\t0\n"),
                _ => {}
            }
        }
        text.push_str("3\t999999\t1\t2");
        text.into_bytes()
    }

    fn read(bytes: &[u8], pieces: usize) -> Round {
        let mut report = LoadReport::default();
        let mut header = HeaderAcc::default();
        let tracks = parse_in(FileInput { label: "p.txt", bytes }, &mut header, &mut report, pieces);
        Round { tracks, report, players: header.roster.into_values().collect(), meta: header.meta, ..Round::default() }
    }

    #[test]
    fn pieces_on_threads_read_the_same_as_line_by_line() {
        let bytes = awkward();
        let whole = read(&bytes, 1);
        assert_eq!(whole.tracks.len(), 4, "clients 0, 3, 7 and 9");
        assert_eq!(whole.report.skipped_total, 9, "{}", whole.report);
        assert!(whole.report.notes.iter().any(|n| n.contains("cut short")), "{}", whole.report);
        assert!(whole.report.notes.iter().any(|n| n.contains("repeat a client and time")), "{}", whole.report);
        assert_eq!(whole.meta.map.as_deref(), Some("supply"));
        for pieces in [2, 3, 7, 64] {
            let split = read(&bytes, pieces);
            assert_eq!(split.tracks, whole.tracks, "{pieces} pieces");
            assert_eq!(split.report, whole.report, "{pieces} pieces");
            assert_eq!(split.players, whole.players);
            assert_eq!(split.meta, whole.meta);
        }
    }

    #[test]
    fn a_file_of_bad_lines_keeps_only_the_first_reasons_whatever_the_pieces() {
        let bytes = "x\ty\n".repeat(5_000).into_bytes();
        for pieces in [1, 2, 5] {
            let round = read(&bytes, pieces);
            assert_eq!(round.report.skipped_total, 5_000);
            assert_eq!(round.report.skipped.len(), MAX_DETAILED_SKIPS_PER_FILE);
            assert_eq!(round.report.skipped.last().map(|s| s.line), Some(MAX_DETAILED_SKIPS_PER_FILE));
        }
    }

    #[test]
    fn cuts_fall_after_line_ends_and_cover_the_file() {
        let bytes = b"a\nbb\nccc\ndddd\n\n\neeeee";
        for pieces in 1..12 {
            let cuts = cut_at_line_ends(bytes, pieces);
            assert!(cuts.len() <= pieces);
            assert_eq!(cuts.concat(), bytes);
            assert!(cuts[..cuts.len() - 1].iter().all(|c| c.ends_with(b"\n")));
        }
        assert_eq!(cut_at_line_ends(b"", 3), [b""]);
        assert_eq!(cut_at_line_ends(b"no line end", 3), [b"no line end"]);
    }
}

#[cfg(test)]
mod sizes {
    use super::*;

    #[test]
    fn a_big_file_is_cut_by_size_and_read_the_same_but_one_full_of_headers_is_not_cut() {
        let line = "3\t1000\t100.5\t-2\t0\t90\t0\t0\t1\t1\t100\n";
        let mut text = String::new();
        for t in 0..(2 * PIECE_MIN_BYTES / line.len() + 10) {
            text.push_str(&format!("{}\t{}\t100.5\t-2\t0\t90\t0\t0\t1\t1\t100\n", t % 7, t / 7 * 500));
        }
        assert_eq!(pieces_for(text.as_bytes(), 8), 2);
        assert_eq!(pieces_for(text.as_bytes(), 1), 1);
        let read = |threads| {
            let (mut header, mut report) = (HeaderAcc::default(), LoadReport::default());
            let tracks = parse(FileInput { label: "p.txt", bytes: text.as_bytes() }, &mut header, &mut report, threads);
            (tracks, report)
        };
        assert!(read(2) == read(1));
        let many = "# note\n".repeat(MAX_DEFERRED_HEADERS + 2) + &text;
        assert_eq!(pieces_for(many.as_bytes(), 8), 1);
    }
}
