//! The positions file, the biggest of a round by far (a 64-player, 5-hour round is 2.3 million
//! lines): cut into pieces at line ends and parsed on several threads, then joined in file order,
//! so the result — samples, skipped lines with their numbers, notes — is the same as reading it
//! line by line.

use std::borrow::Cow;

use super::header::HeaderAcc;
use super::lines::{self, POSITION_COLUMNS};
use super::{FileInput, is_blank, line_at};
use crate::model::{MAX_CLIENTS, PlayerTrack, PositionSample};
use crate::report::{LoadReport, MAX_DETAILED_SKIPS_PER_FILE};

#[cfg(unix)]
mod stream;
#[cfg(unix)]
pub(super) use stream::read_and_parse;

/// Files smaller than this are read on one thread (a thread costs more than it saves).
const PIECE_MIN_BYTES: usize = 4 << 20;

/// Parses a positions file on up to `threads` threads into tracks; header lines go to `header`
/// and problems to `report`, in file order. Without `VALUES`, the usual lines' positions,
/// angles and speeds read as 0 (only checked): for a round list, which wants each track's
/// client, times and the problems alone.
pub(super) fn parse<const VALUES: bool>(
    file: FileInput<'_>,
    header: &mut HeaderAcc,
    report: &mut LoadReport,
    threads: usize,
) -> Vec<PlayerTrack> {
    parse_in::<VALUES>(file, header, report, pieces_for(file.bytes, threads))
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
    /// Takes what the next piece in file order met (its lines numbered from `first_line`,
    /// which moves past them), leaving its samples.
    fn take_piece(&mut self, first_line: &mut usize, piece: &mut Piece<'_>) {
        for (line, met) in piece.met.drain(..) {
            self.take(*first_line + line, met);
        }
        self.report.skipped_total += std::mem::take(&mut piece.more_skips);
        *first_line += std::mem::take(&mut piece.lines);
    }

    fn take(&mut self, line: usize, met: Met<'_>) {
        match met {
            Met::Header(text) => self.header.take(&text, self.label, line, self.report),
            Met::Skip(reason) => self.report.skip(self.label, line, reason),
            Met::CutShort => self
                .report
                .note(self.label, format!("line {line}: last line is cut short (file ends mid-line); ignored")),
        }
    }
}

/// What one piece met besides samples, by line number within the piece. Header lines are
/// borrowed from a file held whole, owned when the file is read in chunks.
enum Met<'a> {
    Header(Cow<'a, [u8]>),
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

fn parse_in<const VALUES: bool>(
    file: FileInput<'_>,
    header: &mut HeaderAcc,
    report: &mut LoadReport,
    pieces: usize,
) -> Vec<PlayerTrack> {
    let bytes = file.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(file.bytes);
    let cuts = cut_at_line_ends(bytes, pieces);
    let direct = Direct { header, report, label: file.label };
    fn whole<'a, const VALUES: bool>(
        piece: &'a [u8],
        size_for: usize,
        mid_snapshot: bool,
        direct: Option<&mut Direct<'_>>,
    ) -> Piece<'a> {
        let mut parser = PieceParser::new(size_for, mid_snapshot, direct);
        parser.feed::<VALUES>(piece, 0, true, Cow::Borrowed);
        parser.piece
    }
    let size_for = bytes.len();
    let (parsed, direct): (Vec<Piece<'_>>, Direct<'_>) = if cuts.len() == 1 {
        let mut direct = direct;
        (vec![whole::<VALUES>(bytes, size_for, false, Some(&mut direct))], direct)
    } else {
        std::thread::scope(|scope| {
            // Later pieces start mid-snapshot: their first one says nothing of its size.
            let workers: Vec<_> = cuts
                .iter()
                .skip(1)
                .map(|piece| scope.spawn(move || whole::<VALUES>(piece, piece.len(), true, None)))
                .collect();
            // The first piece on this thread, sized for the whole file: the others join it.
            let mut direct = direct;
            let mut parsed = vec![whole::<VALUES>(cuts[0], size_for, false, Some(&mut direct))];
            parsed.extend(workers.into_iter().map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
            (parsed, direct)
        })
    };
    join(parsed, direct)
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

/// Parses the lines of one piece, fed in chunks that end at line ends; what it meets besides
/// samples goes to `direct` at once when given, else waits in the piece.
struct PieceParser<'a, 'd, 'e> {
    piece: Piece<'a>,
    capacity: CapacityHint,
    skips: usize,
    direct: Option<&'d mut Direct<'e>>,
}

impl<'a, 'd, 'e> PieceParser<'a, 'd, 'e> {
    fn new(size_for: usize, mid_snapshot: bool, direct: Option<&'d mut Direct<'e>>) -> Self {
        let piece = Piece { by_client: Vec::new(), met: Vec::new(), more_skips: 0, lines: 0 };
        Self { piece, capacity: CapacityHint::new(size_for, mid_snapshot), skips: 0, direct }
    }

    /// Parses `bytes` (whole lines; the last may lack its line end only when `at_end`), which
    /// start `offset` bytes into the piece; `keep` makes a header line that must wait. Without
    /// `VALUES` see [`parse`].
    fn feed<'b, const VALUES: bool>(
        &mut self,
        bytes: &'b [u8],
        offset: usize,
        at_end: bool,
        keep: impl Fn(&'b [u8]) -> Cow<'a, [u8]>,
    ) {
        let first_line = self.piece.lines;
        let Self { piece, capacity, skips, direct } = self;
        let meet = |direct: &mut Option<&mut Direct<'_>>, met_list: &mut Vec<(usize, Met<'a>)>, line, met| match direct
        {
            Some(d) => d.take(line, met),
            None => met_list.push((line, met)),
        };
        fn store(piece: &mut Piece<'_>, capacity: &mut CapacityHint, at: usize, cn: u16, sample: PositionSample) {
            let cn = usize::from(cn);
            if piece.by_client.len() <= cn {
                piece.by_client.resize_with(cn + 1, Vec::new);
            }
            capacity.observe(sample.time_ms, at, cn, &mut piece.by_client);
            piece.by_client[cn].push(sample);
        }
        let (mut at, mut lines) = (0, 0);
        while at < bytes.len() {
            lines += 1;
            // The usual line read where it lies, its end found on the way.
            if let Some((len, (cn, sample))) = lines::position_line_at_as::<VALUES>(&bytes[at..])
                && cn < MAX_CLIENTS
            {
                store(piece, capacity, offset + at, cn, sample);
                at += len;
                continue;
            }
            // Any other line: cut at its end first.
            let (line, next, unterminated) = line_at(bytes, at);
            let line_number = first_line + lines;
            let line_start = at;
            at = next;
            if is_blank(line) {
                continue;
            }
            if line.first() == Some(&b'#') {
                // Taken at once without a copy when it need not wait.
                match direct.as_deref_mut() {
                    Some(d) => d.header.take(line, d.label, line_number, d.report),
                    None => piece.met.push((line_number, Met::Header(keep(line)))),
                }
                continue;
            }
            let reason = match lines::position_line(line) {
                Ok((_, (cn, sample))) if cn < MAX_CLIENTS => {
                    store(piece, capacity, offset + line_start, cn, sample);
                    continue;
                }
                Ok((_, (cn, _))) => (*skips < MAX_DETAILED_SKIPS_PER_FILE)
                    .then(|| format!("column 1 (clientnum): {cn} is not a player slot (0-{})", MAX_CLIENTS - 1)),
                Err(_) if unterminated && at_end => {
                    meet(direct, &mut piece.met, line_number, Met::CutShort);
                    continue;
                }
                Err(_) => (*skips < MAX_DETAILED_SKIPS_PER_FILE).then(|| lines::diagnose(line, &POSITION_COLUMNS)),
            };
            // Only the first skipped lines are told in detail; the rest are counted.
            *skips += 1;
            match reason {
                Some(reason) => meet(direct, &mut piece.met, line_number, Met::Skip(reason)),
                None => piece.more_skips += 1,
            }
        }
        piece.lines += lines;
    }
}

/// Joins the pieces' samples in file order and takes what they met, in order, into the report.
/// Each player's samples are joined and checked on their own, on two threads for a big file.
fn join(parsed: Vec<Piece<'_>>, mut direct: Direct<'_>) -> Vec<PlayerTrack> {
    let clients = parsed.iter().map(|p| p.by_client.len()).max().unwrap_or(0);
    let mut per_client: Vec<Vec<Vec<PositionSample>>> =
        (0..clients).map(|_| Vec::with_capacity(parsed.len())).collect();
    let mut first_line = 0;
    for mut piece in parsed {
        direct.take_piece(&mut first_line, &mut piece);
        for (all, part) in per_client.iter_mut().zip(piece.by_client) {
            if !part.is_empty() {
                all.push(part);
            }
        }
    }
    finish_all(per_client, direct)
}

/// Joins each player's parts and checks them (on two threads when there is joining to do),
/// and says how many repeated samples were dropped.
fn finish_all(mut per_client: Vec<Vec<Vec<PositionSample>>>, direct: Direct<'_>) -> Vec<PlayerTrack> {
    let join_one = |(cn, parts): (usize, Vec<Vec<PositionSample>>)| {
        let mut parts = parts.into_iter();
        let mut samples = parts.next().unwrap_or_default();
        for mut more in parts {
            samples.append(&mut more);
        }
        finish_track(cn, samples)
    };
    let pieces_per_client = per_client.iter().map(Vec::len).max().unwrap_or(0);
    let finished: Vec<(Option<PlayerTrack>, usize)> = if pieces_per_client > 1 && per_client.len() > 1 {
        let second: Vec<_> = per_client.split_off(per_client.len() / 2);
        let first_len = per_client.len();
        std::thread::scope(|scope| {
            let other = scope.spawn(move || {
                second.into_iter().enumerate().map(|(i, p)| join_one((first_len + i, p))).collect::<Vec<_>>()
            });
            let mut done: Vec<_> = per_client.into_iter().enumerate().map(join_one).collect();
            done.extend(other.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            done
        })
    } else {
        per_client.into_iter().enumerate().map(join_one).collect()
    };
    let duplicates: usize = finished.iter().map(|(_, d)| d).sum();
    if duplicates > 0 {
        direct
            .report
            .note(direct.label, format!("{duplicates} samples repeat a client and time already seen; kept the first"));
    }
    finished.into_iter().filter_map(|(track, _)| track).collect()
}

/// Pieces joined in file order one at a time, as they are parsed (a file read from disk in
/// small pieces): each piece's samples are copied onto the tracks and its vectors handed back
/// empty for the next piece, so no piece's samples wait whole beside the tracks.
struct Joiner<'d> {
    direct: Direct<'d>,
    tracks: Vec<Vec<PositionSample>>,
    first_line: usize,
}

impl<'d> Joiner<'d> {
    fn new(direct: Direct<'d>) -> Self {
        Self { direct, tracks: Vec::new(), first_line: 0 }
    }

    /// Takes piece `k` of `pieces`, the next in file order, leaving it empty.
    fn add(&mut self, piece: &mut Piece<'_>, (k, pieces): (usize, usize)) {
        self.direct.take_piece(&mut self.first_line, piece);
        if self.tracks.len() < piece.by_client.len() {
            self.tracks.resize_with(piece.by_client.len(), Vec::new);
        }
        for (all, part) in self.tracks.iter_mut().zip(&mut piece.by_client) {
            if all.capacity() - all.len() < part.len() {
                // Room for as many samples as the pieces so far foretell for the whole file
                // (and a little more): a track grows once or twice, not by doubling, which
                // copies and touches its memory again. At least doubled, for odd files.
                let needed = all.len() + part.len();
                let foretold = needed / (k + 1) * pieces.max(k + 1) / 20 * 21 + part.len();
                all.reserve_exact(foretold.max(2 * all.capacity()).max(needed) - all.len());
            }
            all.extend_from_slice(part);
            part.clear();
        }
    }

    /// Skipped lines so far.
    fn skipped(&self) -> usize {
        self.direct.report.skipped_total
    }

    fn finish(self) -> Vec<PlayerTrack> {
        finish_all(self.tracks.into_iter().map(|t| vec![t]).collect(), self.direct)
    }
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

/// Sorts a client's samples by time (files are written in time order, so this is usually a
/// check) and drops samples that repeat a time already seen for that client: the track (none
/// for no samples) and how many were dropped.
fn finish_track(cn: usize, mut samples: Vec<PositionSample>) -> (Option<PlayerTrack>, usize) {
    if samples.is_empty() {
        return (None, 0);
    }
    let mut duplicates = 0;
    // One pass for the usual case: strictly increasing times, nothing to sort or drop.
    if !samples.is_sorted_by(|a, b| a.time_ms < b.time_ms) {
        samples.sort_by_key(|s| s.time_ms);
        let before = samples.len();
        samples.dedup_by_key(|s| s.time_ms);
        duplicates = before - samples.len();
    }
    let clientnum = u16::try_from(cn).unwrap_or(u16::MAX);
    (Some(PlayerTrack { clientnum, samples }), duplicates)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Round;

    /// A file with everything a positions file can hold: headers between samples, bad lines,
    /// blank and CRLF lines, an out-of-range slot, a client's samples out of order and repeated,
    /// and a cut last line.
    pub(super) fn awkward() -> Vec<u8> {
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

    pub(super) fn read(bytes: &[u8], pieces: usize) -> Round {
        let mut report = LoadReport::default();
        let mut header = HeaderAcc::default();
        let tracks = parse_in::<true>(FileInput { label: "p.txt", bytes }, &mut header, &mut report, pieces);
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
            let tracks =
                parse::<true>(FileInput { label: "p.txt", bytes: text.as_bytes() }, &mut header, &mut report, threads);
            (tracks, report)
        };
        assert!(read(2) == read(1));
        let many = "# note\n".repeat(MAX_DEFERRED_HEADERS + 2) + &text;
        assert_eq!(pieces_for(many.as_bytes(), 8), 1);
    }
}
