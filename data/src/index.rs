//! A folder of rounds listed without holding them: a [`RoundSummary`] per round (what a round
//! list shows and filters on), made by parsing each round once on every core, newest first,
//! and kept in an index cache file keyed by each file's size and modification time, so the
//! second listing of a folder reads no round at all. A changed or new file is read again; a
//! damaged cache is read as empty (and said so).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::discover::RoundFiles;
use crate::model::Round;
use crate::text::strip_colors;

/// Most problem lines a summary keeps (the round's own load report has them all).
const MAX_DETAILS: usize = 8;
/// Longest problem line or name a summary keeps, in characters.
const MAX_TEXT: usize = 200;
/// Most player names a summary keeps for filtering.
const MAX_NAMES: usize = 128;

/// What a round list shows of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSummary {
    /// Base name of the files.
    pub base: String,
    /// Session date (the name's, else the round's start).
    pub date: Option<NaiveDate>,
    /// Start time from the name.
    pub time: Option<NaiveTime>,
    /// Map.
    pub map: Option<String>,
    /// 1-based round number.
    pub round: Option<u32>,
    /// Whether the round was read (else only its name is known: the rest is zero).
    pub indexed: bool,
    /// Players seen.
    pub players: u32,
    /// Kills of players by players.
    pub kills: u32,
    /// Revives and objective events.
    pub events: u32,
    /// Round length.
    pub duration_ms: u32,
    /// Missing files plus skipped lines.
    pub problems: u32,
    /// The first problem lines (missing files, skipped lines, notes), each cut to 200 characters.
    pub problem_details: Vec<String>,
    /// The tracker format (`seed`, `proxviz`, `public v6`, ...).
    pub format: String,
    /// Players' names without colour codes, sorted (at most 128), for filtering.
    pub names: Vec<String>,
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_TEXT {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(MAX_TEXT).collect();
    s.push('…');
    s
}

impl RoundSummary {
    /// What the name alone says (before the round is read).
    pub fn named(files: &RoundFiles) -> Self {
        let n = &files.name;
        Self {
            base: n.base.clone(),
            date: n.date,
            time: n.start_time,
            map: n.map.clone(),
            round: n.round_number(),
            indexed: false,
            players: 0,
            kills: 0,
            events: 0,
            duration_ms: 0,
            problems: 0,
            problem_details: Vec::new(),
            format: String::new(),
            names: Vec::new(),
        }
    }

    /// Summarises a read round.
    pub fn of(round: &Round) -> Self {
        let report = &round.report;
        let mut details: Vec<String> = report.missing.iter().map(|k| format!("missing {k} file")).collect();
        details.extend(report.skipped.iter().take(5).map(|s| format!("skipped {s}")));
        if report.skipped_total > 5 {
            details.push(format!("... {} skipped lines in all", report.skipped_total));
        }
        details.extend(report.notes.iter().cloned());
        if details.len() > MAX_DETAILS {
            let more = details.len() - (MAX_DETAILS - 1);
            details.truncate(MAX_DETAILS - 1);
            details.push(format!("... and {more} more"));
        }
        let mut names: Vec<String> = round.players.iter().map(|p| cut(&strip_colors(&p.name))).collect();
        names.sort();
        names.dedup();
        names.truncate(MAX_NAMES);
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            base: round.name.base.clone(),
            date: round.session_date(),
            time: round.name.start_time,
            map: round.map().map(cut),
            round: round.round_number(),
            indexed: true,
            players: count(round.clientnums().len()),
            kills: count(round.player_kill_count()),
            events: count(round.events.len()),
            duration_ms: round.duration_ms(),
            problems: count(report.problem_count()),
            problem_details: details.iter().map(|d| cut(d)).collect(),
            format: round.format_label(),
            names,
        }
    }

    /// Whether a player's name contains `needle` (lower case, colour codes ignored).
    pub fn has_player(&self, needle: &str) -> bool {
        let needle = needle.trim().to_lowercase();
        needle.is_empty() || self.names.iter().any(|n| n.to_lowercase().contains(&needle))
    }

    /// Sort key, newest first: date, time, base name, all descending.
    pub fn newest_first(a: &Self, b: &Self) -> std::cmp::Ordering {
        (b.date, b.time, &b.base).cmp(&(a.date, a.time, &a.base))
    }
}

/// A file as the cache knows it: its name, size and modification time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, ns since the Unix epoch.
    pub modified_ns: u128,
}

/// The size and modification time of each of a round's files (`None` when one vanished): a
/// change means the round must be read again (the index cache's key; a live round's growth).
pub fn stamps(files: &RoundFiles) -> Option<Vec<Stamp>> {
    files
        .paths
        .iter()
        .flatten()
        .chain(&files.duplicates)
        .map(|p| {
            let meta = std::fs::metadata(p).ok()?;
            let modified_ns = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            Some(Stamp { name: p.file_name()?.to_string_lossy().into_owned(), size: meta.len(), modified_ns })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Cached {
    files: Vec<Stamp>,
    summary: RoundSummary,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    folder: PathBuf,
    rounds: BTreeMap<String, Cached>,
}

const CACHE_VERSION: u32 = 1;

/// The index cache of one folder: a file in the cache dir named after the folder.
#[derive(Debug, Default)]
pub struct IndexCache {
    file: Option<PathBuf>,
    old: BTreeMap<String, Cached>,
    new: BTreeMap<String, Cached>,
    /// What went wrong reading or writing the cache (it is then rebuilt).
    pub notes: Vec<String>,
}

impl IndexCache {
    /// The cache of `folder` under `cache_dir` (none: nothing is kept).
    pub fn open(cache_dir: Option<&Path>, folder: &Path) -> Self {
        let Some(dir) = cache_dir else { return Self::default() };
        let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
        let key = folder.to_string_lossy();
        let hash =
            key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        let file = dir.join("rounds").join(format!("{hash:016x}.json"));
        let mut notes = Vec::new();
        let old = match std::fs::read(&file) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => {
                notes.push(format!("{}: cannot read the round index ({e}); reading the rounds again", file.display()));
                BTreeMap::new()
            }
            Ok(bytes) => match serde_json::from_slice::<CacheFile>(&bytes) {
                Ok(c) if c.version == CACHE_VERSION && c.folder == folder => c.rounds,
                Ok(_) => BTreeMap::new(),
                Err(e) => {
                    notes.push(format!(
                        "{}: the round index is damaged ({e}); reading the rounds again",
                        file.display()
                    ));
                    BTreeMap::new()
                }
            },
        };
        Self { file: Some(file), old, new: BTreeMap::new(), notes }
    }

    /// The summary of `files` when none of its files changed since it was cached.
    fn get(&self, files: &RoundFiles, stamps: &[Stamp]) -> Option<RoundSummary> {
        self.old.get(&files.name.base).filter(|c| c.files == stamps).map(|c| c.summary.clone())
    }

    fn put(&mut self, files: &RoundFiles, stamps: Vec<Stamp>, summary: RoundSummary) {
        self.new.insert(files.name.base.clone(), Cached { files: stamps, summary });
    }

    /// Writes what was indexed (only the rounds still there) when it changed.
    pub fn save(&mut self, folder: &Path) {
        let Some(file) = &self.file else { return };
        if self.new == self.old {
            return;
        }
        let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
        let cache = CacheFile { version: CACHE_VERSION, folder, rounds: std::mem::take(&mut self.new) };
        let written = file.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| {
            // A file of our own first: another proxviz may be writing the cache right now.
            let tmp = file.with_extension(format!("{}.tmp", std::process::id()));
            std::fs::write(&tmp, serde_json::to_vec(&cache).map_err(std::io::Error::other)?)?;
            std::fs::rename(&tmp, file)
        });
        if let Err(e) = written {
            self.notes.push(format!("{}: cannot write the round index: {e}", file.display()));
        }
        self.old = cache.rounds;
    }
}

/// How an index run went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IndexStats {
    /// Rounds whose summary came from the cache.
    pub cached: usize,
    /// Rounds read.
    pub read: usize,
}

/// Summarises `rounds` in order: from `cache` when their files did not change, else by reading
/// them on `threads` workers (each round is dropped once summarised, so memory stays that of
/// a few rounds). `sink(i, summary)` gets each as it is done, on the calling thread (cached
/// ones first); `stop` ends the run early. The cache keeps what was indexed: call
/// [`IndexCache::save`] after.
pub fn index_rounds(
    rounds: &[RoundFiles],
    cache: &mut IndexCache,
    threads: usize,
    stop: &AtomicBool,
    mut sink: impl FnMut(usize, RoundSummary),
) -> IndexStats {
    let mut stats = IndexStats::default();
    let mut todo: Vec<(usize, Vec<Stamp>)> = Vec::new();
    for (i, files) in rounds.iter().enumerate() {
        let Some(st) = stamps(files) else {
            // A file that vanished: read what is left.
            todo.push((i, Vec::new()));
            continue;
        };
        match cache.get(files, &st) {
            Some(s) => {
                cache.put(files, st, s.clone());
                stats.cached += 1;
                sink(i, s);
            }
            None => todo.push((i, st)),
        }
    }
    if todo.is_empty() || stop.load(Ordering::Relaxed) {
        return stats;
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, RoundSummary)>();
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, todo.len()) {
            let tx = tx.clone();
            let (next, todo) = (&next, &todo);
            scope.spawn(move || {
                let mut buffers: [Vec<u8>; 4] = Default::default();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= todo.len() || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = todo[n].0;
                    let summary = summarise(&rounds[i], &mut buffers);
                    if tx.send((n, summary)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (n, summary) in rx {
            let (i, st) = &todo[n];
            if !st.is_empty() {
                cache.put(&rounds[*i], st.clone(), summary.clone());
            }
            stats.read += 1;
            sink(*i, summary);
        }
    });
    stats
}

/// The summary of one round, read for it alone: its lines are checked and counted, but most
/// coordinates, angles, speeds, distances and engagement names, which no summary shows, are not
/// worked out (see [`crate::parse::parse_round_as`]). The same summary as
/// `RoundSummary::of(&files.load_with(buffers))`.
pub fn summarise(files: &RoundFiles, buffers: &mut [Vec<u8>; 4]) -> RoundSummary {
    RoundSummary::of(&files.load_as::<false>(buffers))
}

/// [`summarise`] of a round given as bytes: `RoundSummary::of(&parse_round(name, files))`,
/// read for the summary alone.
pub fn summarise_bytes(name: crate::RoundName, files: [Option<crate::FileInput<'_>>; 4]) -> RoundSummary {
    RoundSummary::of(&crate::parse::parse_round_as::<false>(name, files, None))
}

/// How many workers to read rounds on: the machine's cores. Asked once: the standard
/// library reads the cgroup's CPU quota files at every call, and a folder asks per round.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover_rounds;

    fn demo_copy() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
        for e in std::fs::read_dir(demo).expect("demo") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy");
        }
        dir
    }

    fn index(folder: &Path, cache_dir: &Path) -> (Vec<Option<RoundSummary>>, IndexStats, Vec<String>) {
        let rounds = discover_rounds(folder).expect("rounds");
        let mut cache = IndexCache::open(Some(cache_dir), folder);
        let mut out = vec![None; rounds.len()];
        let stats = index_rounds(&rounds, &mut cache, 2, &AtomicBool::new(false), |i, s| out[i] = Some(s));
        cache.save(folder);
        (out, stats, cache.notes)
    }

    #[test]
    fn summaries_say_what_the_rounds_say_and_the_second_listing_reads_nothing() {
        let (folder, cache) = (demo_copy(), tempfile::tempdir().expect("cache"));
        let (first, stats, notes) = index(folder.path(), cache.path());
        assert_eq!((stats.read, stats.cached, notes.len()), (4, 0, 0));
        for (files, s) in discover_rounds(folder.path()).expect("rounds").iter().zip(&first) {
            let round = files.load();
            let s = s.as_ref().expect("indexed");
            assert_eq!(*s, RoundSummary::of(&round));
            assert_eq!(s.kills as usize, round.player_kill_count());
            assert!(s.indexed && s.players > 10 && s.duration_ms > 60_000);
        }
        let (second, stats, _) = index(folder.path(), cache.path());
        assert_eq!((stats.read, stats.cached), (0, 4));
        assert_eq!(second, first);
    }

    #[test]
    fn a_summary_is_read_without_working_out_positions_unless_the_roster_is_inferred() {
        let demo = discover_rounds(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo")).expect("demo");
        let mut buffers = Default::default();
        let light = demo[0].load_as::<false>(&mut buffers);
        // (A line within the window's reach of the file's end is read column after column, in full.)
        let samples: Vec<_> = light.tracks.iter().flat_map(|t| &t.samples).collect();
        let unread = samples.iter().filter(|s| s.pos == glam::Vec3::ZERO).count();
        assert!(unread * 100 >= samples.len() * 99, "{unread} of {} samples", samples.len());
        assert_eq!(summarise(&demo[0], &mut buffers), RoundSummary::of(&demo[0].load()));
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/seed-infer");
        let seed = &discover_rounds(&seed).expect("seed rounds")[0];
        let read = seed.load_as::<false>(&mut buffers);
        assert!(read.tracks.iter().flat_map(|t| &t.samples).any(|s| s.pos != glam::Vec3::ZERO));
        assert!(read.same_content(&seed.load()));
    }

    #[test]
    fn a_changed_or_new_file_is_read_again_and_a_damaged_index_is_rebuilt_with_a_note() {
        let (folder, cache) = (demo_copy(), tempfile::tempdir().expect("cache"));
        index(folder.path(), cache.path());
        // One round's heatmap file changes (size and time), one round's files appear.
        let heatmap = folder.path().join("2025-12-20-200015-supply-round-1_heatmap.txt");
        let mut text = std::fs::read_to_string(&heatmap).expect("read");
        text.push_str("# a comment\n");
        std::fs::write(&heatmap, text).expect("write");
        std::fs::copy(
            folder.path().join("2025-12-20-200015-supply-round-1_combat.txt"),
            folder.path().join("2025-12-21-200015-supply-round-1_combat.txt"),
        )
        .expect("copy");
        let (all, stats, _) = index(folder.path(), cache.path());
        assert_eq!((stats.read, stats.cached, all.len()), (2, 3, 5));
        // A damaged index: every round read again, and said so.
        for f in std::fs::read_dir(cache.path().join("rounds")).expect("cache files") {
            std::fs::write(f.expect("file").path(), b"{ not json").expect("damage");
        }
        let (_, stats, notes) = index(folder.path(), cache.path());
        assert_eq!((stats.read, stats.cached), (5, 0));
        assert!(notes.iter().any(|n| n.contains("damaged")), "{notes:?}");
    }

    #[test]
    fn a_summary_filters_by_part_of_a_name_and_cuts_what_is_too_long() {
        let round = Round {
            players: vec![
                crate::Player { clientnum: 0, team: None, name: "^1Fritz^7 the ^2Great".into() },
                crate::Player { clientnum: 1, team: None, name: "x".repeat(5000) },
            ],
            ..Round::default()
        };
        let s = RoundSummary::of(&round);
        assert!(s.has_player("fritz the") && s.has_player("  ") && !s.has_player("hans"));
        assert!(s.names.iter().all(|n| n.chars().count() <= MAX_TEXT + 1));
    }
}
