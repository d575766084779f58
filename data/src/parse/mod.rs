//! Reading a round: the four files' bytes in, a [`Round`] and its load report out. A bad line is
//! skipped and reported with its file and line number; a truncated last line (a server that
//! crashed mid-write) is tolerated; a missing file is reported and the rest still loads.

pub mod grammar;
pub mod header;
pub mod lines;
mod positions;
pub mod upstream;
mod window;

use std::path::Path;

use self::header::HeaderAcc;
use self::lines::{COMBAT_COLUMNS, Columns, ENGAGEMENT_COLUMNS, HEATMAP_COLUMNS};
use crate::model::Round;
use crate::name::{FileKind, RoundName};
use crate::report::LoadReport;

/// One file's bytes and the name to report it by.
#[derive(Debug, Clone, Copy)]
pub struct FileInput<'a> {
    /// File name shown in messages (usually the file name without its folder).
    pub label: &'a str,
    /// The whole file.
    pub bytes: &'a [u8],
}

/// Calls `f(line_number, line, unterminated)` for every non-blank line, with CR stripped and a
/// leading UTF-8 byte-order mark ignored; `unterminated` is true for a last line with no newline.
pub fn for_each_line(input: &[u8], f: impl FnMut(usize, &[u8], bool)) {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    lines_of_piece(input, f);
}

/// [`for_each_line`] over a piece of a file that starts a line (no byte-order mark looked
/// for), numbering from 1; returns how many lines the piece has, blank ones included.
fn lines_of_piece<'a>(input: &'a [u8], mut f: impl FnMut(usize, &'a [u8], bool)) -> usize {
    let mut start = 0;
    let mut line_number = 0;
    while start < input.len() {
        line_number += 1;
        let (line, next, unterminated) = line_at(input, start);
        if !is_blank(line) {
            f(line_number, line, unterminated);
        }
        start = next;
    }
    line_number
}

/// The line of `input` that starts at `start`: `(line, next, unterminated)` — the line without
/// its line end (and CR), where the next one starts, and whether the input ends without a
/// line end.
#[inline]
fn line_at(input: &[u8], start: usize) -> (&[u8], usize, bool) {
    let (end, next, unterminated) = match memchr::memchr(b'\n', &input[start..]) {
        Some(at) => (start + at, start + at + 1, false),
        None => (input.len(), input.len(), true),
    };
    let mut line = &input[start..end];
    if let [rest @ .., b'\r'] = line {
        line = rest;
    }
    (line, next, unterminated)
}

/// A line of nothing but blanks (data lines start with a non-blank byte: only the rare other
/// lines get the full scan).
#[inline]
fn is_blank(line: &[u8]) -> bool {
    line.first().is_none_or(u8::is_ascii_whitespace) && line.iter().all(u8::is_ascii_whitespace)
}

/// Parses every data line of one file with `line_parser`, hands header lines to `header` and
/// each parsed value to `sink` (which may still refuse it with a reason).
fn parse_lines<T>(
    file: FileInput<'_>,
    columns: &Columns,
    header: &mut HeaderAcc,
    report: &mut LoadReport,
    line_parser: impl Fn(&[u8]) -> grammar::PResult<'_, T>,
    mut sink: impl FnMut(T, usize) -> Result<(), String>,
) {
    let start = file.bytes.as_ptr() as usize;
    for_each_line(file.bytes, |line_number, line, unterminated| {
        if line.first() == Some(&b'#') {
            header.take(line, file.label, line_number, report);
            return;
        }
        match line_parser(line) {
            Ok((_, value)) => {
                let offset = line.as_ptr() as usize - start;
                if let Err(reason) = sink(value, offset) {
                    report.skip(file.label, line_number, reason);
                }
            }
            Err(_) if unterminated => report
                .note(file.label, format!("line {line_number}: last line is cut short (file ends mid-line); ignored")),
            Err(_) => report.skip(file.label, line_number, lines::diagnose(line, columns)),
        }
    });
}

/// Parses a round from the bytes of its files (`None` for a missing file), in the order of
/// [`FileKind::ALL`].
pub fn parse_round(name: RoundName, files: [Option<FileInput<'_>>; 4]) -> Round {
    parse_round_from(name, files, None)
}

/// Where a round's positions are read from.
#[derive(Clone, Copy)]
enum Positions<'a> {
    /// The file's bytes.
    Bytes(FileInput<'a>),
    /// A big file on disk, read in parts as it is parsed (see [`stream_positions`]).
    File {
        /// The file.
        path: &'a Path,
        /// Its name in messages.
        label: &'a str,
    },
}

impl Positions<'_> {
    fn label(&self) -> &str {
        match self {
            Self::Bytes(f) => f.label,
            Self::File { label, .. } => label,
        }
    }
}

/// Positions files at least this big are read from disk in parts as they are parsed, never
/// whole in memory.
const STREAM_POSITIONS_BYTES: u64 = 16 << 20;

/// The positions file to read in parts as it is parsed, if `path` is one.
pub(crate) fn stream_positions(path: Option<&Path>) -> Option<&Path> {
    let path = path?;
    (cfg!(unix) && std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() >= STREAM_POSITIONS_BYTES))
        .then_some(path)
}

/// [`parse_round`], with the positions from the big file `big` on disk (read in parts as it is
/// parsed; see [`stream_positions`]) when given, else from `files`.
pub(crate) fn parse_round_from(name: RoundName, files: [Option<FileInput<'_>>; 4], big: Option<&Path>) -> Round {
    parse_round_as::<true>(name, files, big)
}

/// [`parse_round_from`]; without `VALUES`, for a round list: most position, combat and
/// engagement lines are checked as strictly but their positions, angles, speeds and distances
/// read as 0 and engagement names stay empty, none of which a summary shows (lines read column
/// after column and a positions file streamed from disk are read in full). A round in the
/// seed's own format is read in full: its roster is inferred from the whole round, positions
/// included.
pub(crate) fn parse_round_as<const VALUES: bool>(
    name: RoundName,
    files: [Option<FileInput<'_>>; 4],
    big: Option<&Path>,
) -> Round {
    // Only a hint (the format line may come later, or be broken): checked again below.
    let declares_format = |f: &FileInput<'_>| memchr::memmem::find(&f.bytes[..f.bytes.len().min(4096)], b"# format=");
    if !VALUES && !files.iter().flatten().any(|f| declares_format(f).is_some()) {
        return parse_round_as::<true>(name, files, big);
    }
    let full = (!VALUES).then(|| name.clone());
    let big_label = big.map(label_of);
    let positions = match (big, &big_label) {
        (Some(path), Some(label)) => Some(Positions::File { path, label }),
        _ => files[FileKind::Positions.index()].map(Positions::Bytes),
    };
    // The current public tracker writes one `_engagements.txt` per round, told apart by its
    // first line.
    if let Some(file) = files[FileKind::Engagements.index()]
        && let Some(version) = upstream::version_of(file.bytes)
    {
        let mut round = upstream::parse_upstream(name, file, version);
        let others =
            [FileKind::Combat, FileKind::Heatmap].into_iter().filter_map(|k| files[k.index()].map(|f| f.label));
        for label in positions.as_ref().map(Positions::label).into_iter().chain(others) {
            round.report.note(label, "beside a single-file round of the current public tracker: not read");
        }
        return round;
    }
    let mut report = LoadReport::default();
    let mut header = HeaderAcc::default();
    for kind in FileKind::ALL {
        let present = if kind == FileKind::Positions { positions.is_some() } else { files[kind.index()].is_some() };
        if !present {
            report.missing.push(kind);
        }
    }

    let tracks = match positions {
        Some(Positions::Bytes(file)) => {
            positions::parse::<VALUES>(file, &mut header, &mut report, crate::index::cores())
        }
        #[cfg(unix)]
        Some(Positions::File { path, label }) => {
            match positions::read_and_parse(path, label, &mut header, &mut report, crate::index::cores()) {
                Ok(tracks) => tracks,
                Err(e) => {
                    report.missing.insert(0, FileKind::Positions);
                    report.notes.push(format!("{label}: cannot read: {e}"));
                    Vec::new()
                }
            }
        }
        #[cfg(not(unix))]
        Some(Positions::File { path, label }) => match std::fs::read(path) {
            Ok(bytes) => positions::parse::<true>(
                FileInput { label, bytes: &bytes },
                &mut header,
                &mut report,
                crate::index::cores(),
            ),
            Err(e) => {
                report.missing.insert(0, FileKind::Positions);
                report.notes.push(format!("{label}: cannot read: {e}"));
                Vec::new()
            }
        },
        None => Vec::new(),
    };

    let mut combat = Vec::new();
    if let Some(file) = files[FileKind::Combat.index()] {
        parse_lines(file, &COMBAT_COLUMNS, &mut header, &mut report, lines::combat_line_as::<VALUES>, |e, _| {
            combat.push(e);
            Ok(())
        });
    }
    let mut engagements = Vec::new();
    if let Some(file) = files[FileKind::Engagements.index()] {
        parse_lines(
            file,
            &ENGAGEMENT_COLUMNS,
            &mut header,
            &mut report,
            lines::engagement_line_as::<VALUES>,
            |e, _| {
                engagements.push(e);
                Ok(())
            },
        );
    }
    let mut heatmap = Vec::new();
    if let Some(file) = files[FileKind::Heatmap.index()] {
        parse_lines(file, &HEATMAP_COLUMNS, &mut header, &mut report, lines::heatmap_line, |c, _| {
            heatmap.push(c);
            Ok(())
        });
    }

    let mut events = header.events;
    events.sort_by_key(|e| e.time_ms);
    let mut round = Round {
        name,
        meta: header.meta,
        players: header.roster.into_values().collect(),
        tracks,
        combat,
        engagements,
        heatmap,
        events,
        report,
    };
    if let Some(name) = full
        && round.meta.format_version.is_none()
    {
        return parse_round_as::<true>(name, files, big);
    }
    // The seed's own files carry no roster: take what they imply.
    if round.meta.format_version.is_none()
        && let Some(note) = crate::infer::infer_roster(&mut round)
    {
        let label = files[FileKind::Engagements.index()].map_or("round", |f| f.label);
        round.report.note(label, note);
    }
    round
}

/// Files at least this big are read on every core, each thread copying its own part.
const READ_IN_PARTS_BYTES: u64 = 16 << 20;

/// A whole file. A big one (a long round's positions) is read in parts on every core: the
/// kernel's copy and the new memory's page faults are shared out instead of coming first, one
/// core alone. A file that changes size meanwhile (a live round) is read again whole.
#[cfg(unix)]
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt as _;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let threads = crate::index::cores();
    if len < READ_IN_PARTS_BYTES || threads < 2 {
        return std::fs::read(path);
    }
    let Ok(size) = usize::try_from(len) else { return std::fs::read(path) };
    let mut bytes = vec![0u8; size];
    let part = size.div_ceil(threads);
    let read = std::thread::scope(|scope| {
        let file = &file;
        let workers: Vec<_> = bytes
            .chunks_mut(part)
            .enumerate()
            .map(|(k, chunk)| scope.spawn(move || file.read_exact_at(chunk, (k * part) as u64)))
            .collect();
        workers.into_iter().try_for_each(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    match read {
        Ok(()) if file.metadata()?.len() == len => Ok(bytes),
        _ => std::fs::read(path),
    }
}

/// A whole file.
#[cfg(not(unix))]
fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// The bytes of a round's files, read once, with a note for each file that could not be read.
pub struct RoundBytes {
    /// (file name, bytes) per kind, in the order of [`FileKind::ALL`].
    pub files: [Option<(String, Vec<u8>)>; 4],
    /// `file: cannot read: error` for unreadable files.
    pub notes: Vec<String>,
}

impl RoundBytes {
    /// Reads the files that exist.
    pub fn read(paths: &[Option<&Path>; 4]) -> Self {
        let mut notes = Vec::new();
        let files = paths.map(|path| {
            let path = path?;
            let label = label_of(path);
            match read_file(path) {
                Ok(bytes) => Some((label, bytes)),
                Err(e) => {
                    notes.push(format!("{label}: cannot read: {e}"));
                    None
                }
            }
        });
        Self { files, notes }
    }

    /// Parses what was read.
    pub fn parse(&self, name: RoundName) -> Round {
        self.parse_with(name, None)
    }

    /// Parses what was read, with the positions from the big file `positions` (read in parts
    /// as it is parsed) when given.
    fn parse_with(&self, name: RoundName, positions: Option<&Path>) -> Round {
        let inputs: [Option<FileInput<'_>>; 4] = std::array::from_fn(|i| {
            self.files[i].as_ref().map(|(label, bytes)| FileInput { label: label.as_str(), bytes: bytes.as_slice() })
        });
        let mut round = parse_round_from(name, inputs, positions);
        round.report.notes.extend(self.notes.iter().cloned());
        round
    }
}

/// A file's name for messages.
pub(crate) fn label_of(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Reads and parses a round from its files on disk. A file that cannot be read is reported as
/// missing (with the OS error in the notes); the round still loads what is there. A big
/// positions file is read in parts as it is parsed, never whole in memory.
pub fn load_round(name: RoundName, paths: &[Option<&Path>; 4]) -> Round {
    let Some(big) = stream_positions(paths[FileKind::Positions.index()]) else {
        return RoundBytes::read(paths).parse(name);
    };
    let mut others = *paths;
    others[FileKind::Positions.index()] = None;
    RoundBytes::read(&others).parse_with(name, Some(big))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(input: &[u8]) -> Vec<(usize, String, bool)> {
        let mut out = Vec::new();
        for_each_line(input, |n, l, u| out.push((n, String::from_utf8_lossy(l).into_owned(), u)));
        out
    }

    #[test]
    fn lines_are_numbered_from_one_and_blank_lines_are_skipped() {
        assert_eq!(lines_of(b"a\n\n  \nb\n"), vec![(1, "a".into(), false), (4, "b".into(), false)]);
    }

    #[test]
    fn crlf_line_ends_and_a_bom_are_stripped() {
        assert_eq!(lines_of(b"\xEF\xBB\xBFa\r\nb\r\n"), vec![(1, "a".into(), false), (2, "b".into(), false)]);
    }

    #[test]
    fn a_last_line_without_newline_is_marked_unterminated() {
        assert_eq!(lines_of(b"a\nb"), vec![(1, "a".into(), false), (2, "b".into(), true)]);
    }

    fn positions(bytes: &[u8]) -> Round {
        let mut files = [None; 4];
        files[0] = Some(FileInput { label: "p.txt", bytes });
        parse_round(RoundName::default(), files)
    }

    #[test]
    fn a_bad_line_is_skipped_with_file_line_and_reason_and_the_rest_loads() {
        let r = positions(
            b"# header\n0\t0\t1\t2\t3\t0\t0\t0\t0\n0\t50\tx\t2\t3\t0\t0\t0\t0\n0\t100\t1\t2\t3\t0\t0\t0\t0\n",
        );
        assert_eq!(r.tracks[0].samples.len(), 2);
        assert_eq!(r.report.skipped.len(), 1);
        assert_eq!(r.report.skipped[0].to_string(), "p.txt:3: column 3 (x): expected a number, found \"x\"");
        assert_eq!(r.report.missing, vec![FileKind::Combat, FileKind::Engagements, FileKind::Heatmap]);
    }

    #[test]
    fn a_truncated_last_line_is_a_note_not_a_skip() {
        let r = positions(b"0\t0\t1\t2\t3\t0\t0\t0\t0\n0\t50\t1\t2");
        assert_eq!(r.tracks[0].samples.len(), 1);
        assert_eq!(r.report.skipped_total, 0);
        assert_eq!(
            r.report.notes,
            vec!["p.txt: line 2: last line is cut short (file ends mid-line); ignored".to_owned()]
        );
    }

    #[test]
    fn a_complete_last_line_without_newline_loads() {
        let r = positions(b"0\t0\t1\t2\t3\t0\t0\t0\t0");
        assert_eq!(r.tracks[0].samples.len(), 1);
        assert!(r.report.notes.is_empty());
    }

    #[test]
    fn out_of_order_samples_are_sorted_and_repeats_dropped() {
        let r = positions(b"1\t100\t1\t0\t0\t0\t0\t0\t0\n1\t0\t0\t0\t0\t0\t0\t0\t0\n1\t100\t9\t0\t0\t0\t0\t0\t0\n");
        let times: Vec<u32> = r.tracks[0].samples.iter().map(|s| s.time_ms).collect();
        assert_eq!(times, vec![0, 100]);
        assert_eq!(r.tracks[0].samples[1].pos.x, 1.0);
        assert_eq!(r.report.notes.len(), 1);
    }

    #[test]
    fn a_big_file_read_in_parts_is_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.txt");
        let bytes: Vec<u8> = (0..READ_IN_PARTS_BYTES as usize + 12_345).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).expect("write");
        assert!(read_file(&path).expect("read") == bytes);
        assert!(read_file(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn a_big_positions_file_loaded_from_disk_in_parts_is_the_round_its_bytes_make() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = "2025-12-20-200015-supply-round-1";
        let mut text = String::from("# PROXIMITY_TRACKER positions\n# map=supply\n");
        let mut t = 0u32;
        while text.len() < STREAM_POSITIONS_BYTES as usize + 1_000 {
            for cn in 0..16 {
                text.push_str(&format!("{cn}\t{t}\t{}.5\t-{cn}.25\t0\t90\t0\t250\t1\t{}\t100\n", t / 7, 1 + cn % 2));
            }
            if t.is_multiple_of(100_000) {
                text.push_str("bad\tline\n# player\t3\t1\tLate Joiner\n");
            }
            t += 500;
        }
        text.push_str("5\t9"); // cut short
        let positions = dir.path().join(format!("{base}_positions.txt"));
        let combat = dir.path().join(format!("{base}_combat.txt"));
        std::fs::write(&positions, &text).expect("write");
        std::fs::write(&combat, "1000\tkill\t0\t1\t10\t0\t0\t100\n").expect("write");
        let paths = [Some(positions.as_path()), Some(combat.as_path()), None, None];
        assert!(stream_positions(paths[0]).is_some());
        let name = RoundName::parse(base);
        let streamed = load_round(name.clone(), &paths);
        let from_bytes = RoundBytes::read(&paths).parse(name);
        assert_eq!(streamed.tracks.len(), 16);
        assert!(streamed.report.skipped_total > 0 && streamed.players.len() == 1, "{}", streamed.report);
        let parts =
            |r: &Round| (r.tracks.clone(), r.report.clone(), r.players.clone(), r.meta.clone(), r.combat.clone());
        assert_eq!(parts(&streamed), parts(&from_bytes));
        let files = crate::discover_rounds(dir.path()).expect("rounds");
        assert_eq!(parts(&files[0].load_with(&mut Default::default())), parts(&from_bytes));
    }

    #[test]
    fn world_entity_numbers_are_not_player_slots_in_positions() {
        let r = positions(b"1022\t0\t0\t0\t0\t0\t0\t0\t0\n");
        assert!(r.tracks.is_empty());
        assert!(r.report.skipped[0].reason.contains("not a player slot"));
    }
}
