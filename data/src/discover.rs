//! Finding rounds on disk: group a folder's `<base>_<kind>.txt` files by base name, read the
//! date, time, map and round from the name, and answer the seed's lookup by session date and
//! round number.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::error::DataError;
use crate::model::Round;
use crate::name::{FileKind, RoundName};

/// The files of one round found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundFiles {
    /// What the base name says.
    pub name: RoundName,
    /// The folder holding the files.
    pub dir: PathBuf,
    /// Paths of the files present, in the order of [`FileKind::ALL`].
    pub paths: [Option<PathBuf>; 4],
    /// Byte-identical copies of this round's single file written moments later under another
    /// name (the current public tracker writes some rounds twice, ~15 s apart): the same round.
    pub duplicates: Vec<PathBuf>,
}

impl RoundFiles {
    /// The path of one kind of file, if present.
    pub fn path(&self, kind: FileKind) -> Option<&Path> {
        self.paths[kind.index()].as_deref()
    }

    /// Kinds that are not there.
    pub fn missing(&self) -> Vec<FileKind> {
        FileKind::ALL.into_iter().filter(|k| self.paths[k.index()].is_none()).collect()
    }

    /// Reads and parses the round (never fails: what cannot be read is in the load report).
    pub fn load(&self) -> Round {
        let mut round = crate::parse::load_round(self.name.clone(), &self.paths.each_ref().map(|p| p.as_deref()));
        self.note_duplicates(&mut round);
        round
    }

    /// The round's files as they are now: a file of a kind it had none of, written since it
    /// was listed (the tracker writes the heatmap file at the round's end), joins in. Looks
    /// only for the usual file names, not through the folder.
    pub fn refreshed(&self) -> Self {
        let mut files = self.clone();
        for kind in FileKind::ALL {
            let slot = &mut files.paths[kind.index()];
            if slot.is_none() {
                let path = self.dir.join(kind.file_name(&self.name.base));
                if path.is_file() {
                    *slot = Some(path);
                }
            }
        }
        files
    }

    /// [`RoundFiles::load`] reading the files into `buffers` (kept by the caller between
    /// rounds: reading thousands of rounds then costs no fresh memory per file).
    pub fn load_with(&self, buffers: &mut [Vec<u8>; 4]) -> Round {
        self.load_as::<true>(buffers)
    }

    /// [`RoundFiles::load_with`]; without `VALUES` read for a round list alone (see
    /// [`crate::parse::parse_round_as`]).
    pub(crate) fn load_as<const VALUES: bool>(&self, buffers: &mut [Vec<u8>; 4]) -> Round {
        use std::io::Read as _;
        let mut notes = Vec::new();
        let mut labels: [String; 4] = Default::default();
        let mut present = [false; 4];
        // A big positions file is read in parts as it is parsed instead.
        let big = crate::parse::stream_positions(self.paths[FileKind::Positions.index()].as_deref());
        for (i, path) in self.paths.iter().enumerate() {
            let Some(path) = path else { continue };
            if big.is_some() && i == FileKind::Positions.index() {
                continue;
            }
            labels[i] = crate::parse::label_of(path);
            buffers[i].clear();
            match std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut buffers[i])) {
                Ok(_) => present[i] = true,
                Err(e) => notes.push(format!("{}: cannot read: {e}", labels[i])),
            }
        }
        let inputs: [Option<crate::parse::FileInput<'_>>; 4] = std::array::from_fn(|i| {
            present[i].then(|| crate::parse::FileInput { label: labels[i].as_str(), bytes: buffers[i].as_slice() })
        });
        let mut round = crate::parse::parse_round_as::<VALUES>(self.name.clone(), inputs, big);
        round.report.notes.extend(notes);
        self.note_duplicates(&mut round);
        round
    }

    /// Says in the load report which copies were taken as this round.
    pub fn note_duplicates(&self, round: &mut Round) {
        let label = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(own) = self.paths.iter().flatten().next() else { return };
        for d in &self.duplicates {
            round.report.note(&label(own), format!("{} holds the same bytes: the same round, read once", label(d)));
        }
    }

    /// Reads the files' bytes once (to parse them and, say, hash them for the database).
    pub fn read(&self) -> crate::parse::RoundBytes {
        crate::parse::RoundBytes::read(&self.paths.each_ref().map(|p| p.as_deref()))
    }
}

/// Every round in `folder`, sorted by date, start time and base name. Files that are not round
/// files are ignored; sub-folders are not searched.
pub fn discover_rounds(folder: &Path) -> Result<Vec<RoundFiles>, DataError> {
    let entries = std::fs::read_dir(folder).map_err(|e| DataError::io(folder, e))?;
    let mut groups: BTreeMap<String, [Option<PathBuf>; 4]> = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(|e| DataError::io(folder, e))?;
        // A name that is not UTF-8 is still a round: listed under its name with `�` for the
        // bytes that are not, read by its real path.
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some((base, kind)) = FileKind::split_file_name(&file_name) else {
            continue;
        };
        if !is_round_file(&entry) {
            continue;
        }
        groups.entry(base.to_owned()).or_default()[kind.index()] = Some(entry.path());
    }
    let mut rounds: Vec<RoundFiles> = groups
        .into_iter()
        .map(|(base, paths)| RoundFiles {
            name: RoundName::parse(&base),
            dir: folder.to_path_buf(),
            paths,
            duplicates: Vec::new(),
        })
        .collect();
    mark_zero_based(&mut rounds);
    fold_duplicates(&mut rounds);
    rounds.sort_by(|a, b| {
        (a.name.date, a.name.start_time, &a.name.base).cmp(&(b.name.date, b.name.start_time, &b.name.base))
    });
    Ok(rounds)
}

/// Whether a directory entry named like a round file is one to read: a regular file, or a
/// link that leads nowhere (a loop or a missing target), kept so that reading it names the
/// problem instead of the round silently vanishing. Folders, pipes and devices are not read: a
/// pipe would never end.
fn is_round_file(entry: &std::fs::DirEntry) -> bool {
    match std::fs::metadata(entry.path()) {
        Ok(meta) => meta.is_file(),
        Err(_) => entry.file_type().is_ok_and(|t| t.is_symlink()),
    }
}

/// Most seconds between a single-file round and a byte-identical copy of it.
const DUPLICATE_WITHIN_SECS: i64 = 60;

/// Folds byte-identical copies of a single-file round, named a few seconds apart, into the
/// first. Only files of the same date, map, round and size, at most a minute apart, are read to
/// compare, so a folder costs no more to list.
fn fold_duplicates(rounds: &mut Vec<RoundFiles>) {
    let single = |r: &RoundFiles| match r.paths.iter().flatten().collect::<Vec<_>>()[..] {
        [only] => Some(only.clone()),
        _ => None,
    };
    let mut keyed: Vec<(usize, PathBuf, u64)> = rounds
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let path = single(r)?;
            let len = std::fs::metadata(&path).ok()?.len();
            Some((i, path, len))
        })
        .collect();
    let key = |r: &RoundFiles| (r.name.date, r.name.map.clone(), r.name.round_in_name);
    let secs = |r: &RoundFiles| r.name.start_time.map(|t| i64::from(chrono::Timelike::num_seconds_from_midnight(&t)));
    keyed.sort_by(|a, b| (key(&rounds[a.0]), secs(&rounds[a.0])).cmp(&(key(&rounds[b.0]), secs(&rounds[b.0]))));
    let mut folded: Vec<(usize, usize)> = Vec::new();
    let mut kept = 0;
    for n in 1..keyed.len() {
        let (first, second) = (&keyed[kept], &keyed[n]);
        let (a, b) = (&rounds[first.0], &rounds[second.0]);
        let close = secs(a).zip(secs(b)).is_some_and(|(x, y)| (y - x).abs() <= DUPLICATE_WITHIN_SECS);
        let same = key(a) == key(b) && close && first.2 == second.2 && {
            matches!((std::fs::read(&first.1), std::fs::read(&second.1)), (Ok(x), Ok(y)) if x == y)
        };
        if same {
            folded.push((first.0, second.0));
        } else {
            kept = n;
        }
    }
    if folded.is_empty() {
        return;
    }
    let mut drop = vec![false; rounds.len()];
    for (into, from) in folded {
        let path = single(&rounds[from]).unwrap_or_default();
        rounds[into].duplicates.push(path);
        drop[from] = true;
    }
    let mut i = 0;
    rounds.retain(|_| {
        i += 1;
        !drop[i - 1]
    });
}

/// A tracker that numbers rounds from 0 (ET's `g_currentRound`) writes `round-0` and `round-1`
/// for one map; seeing `round-0` for a date and map marks all that date's rounds of the map
/// 0-based.
fn mark_zero_based(rounds: &mut [RoundFiles]) {
    let zero_based: Vec<(Option<NaiveDate>, Option<String>)> =
        rounds.iter().filter(|r| r.name.round_in_name == Some(0)).map(|r| (r.name.date, r.name.map.clone())).collect();
    for r in rounds.iter_mut() {
        if zero_based.contains(&(r.name.date, r.name.map.clone())) {
            r.name.zero_based = true;
        }
    }
}

/// The seed's `find_proximity_files(session_date, round_num)`: every round of that date with
/// that (1-based) round number; more than one when several maps were played that day.
pub fn find_rounds(folder: &Path, date: NaiveDate, round_number: u32) -> Result<Vec<RoundFiles>, DataError> {
    Ok(discover_rounds(folder)?
        .into_iter()
        .filter(|r| r.name.date == Some(date) && r.name.round_number() == Some(round_number))
        .collect())
}

/// What a user's path argument means: a folder (all its rounds), one of a round's files (that
/// round) or a base name with the files beside it (that round).
pub fn resolve_rounds(path: &Path) -> Result<Vec<RoundFiles>, DataError> {
    if path.is_dir() {
        let rounds = discover_rounds(path)?;
        if rounds.is_empty() {
            return Err(DataError::NoRounds { path: path.to_path_buf() });
        }
        return Ok(rounds);
    }
    let file_name =
        path.file_name().and_then(|n| n.to_str()).ok_or_else(|| DataError::NotARound { path: path.to_path_buf() })?;
    let base = match FileKind::split_file_name(file_name) {
        Some((base, _)) => base,
        None if path.exists() => {
            return Err(DataError::NotARound { path: path.to_path_buf() });
        }
        None => file_name,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(DataError::NotFound { path: path.to_path_buf() });
    }
    let found: Vec<RoundFiles> = discover_rounds(dir)?.into_iter().filter(|r| r.name.base == base).collect();
    if found.is_empty() {
        return Err(DataError::NotFound { path: path.to_path_buf() });
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, names: &[&str]) {
        for n in names {
            std::fs::write(dir.join(n), "").expect("write");
        }
    }

    #[test]
    fn files_group_by_base_and_sort_by_date_and_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(
            dir.path(),
            &[
                "2025-12-20-130000-goldrush-round-1_positions.txt",
                "2025-12-20-120000-supply-round-1_positions.txt",
                "2025-12-20-120000-supply-round-1_combat.txt",
                "notes.txt",
            ],
        );
        std::fs::create_dir(dir.path().join("x_positions.txt")).expect("mkdir");
        let rounds = discover_rounds(dir.path()).expect("lists");
        let bases: Vec<&str> = rounds.iter().map(|r| r.name.base.as_str()).collect();
        assert_eq!(bases, ["2025-12-20-120000-supply-round-1", "2025-12-20-130000-goldrush-round-1"]);
        assert_eq!(rounds[0].missing(), vec![FileKind::Engagements, FileKind::Heatmap]);
    }

    #[test]
    fn a_byte_identical_copy_written_seconds_later_is_the_same_round() {
        let dir = tempfile::tempdir().expect("tempdir");
        let body = "# PROXIMITY_TRACKER_V6\n# map=supply\n";
        for name in [
            "2026-03-14-213045-supply-round-1_engagements.txt",
            "2026-03-14-213100-supply-round-1_engagements.txt",
            // A minute and a half later: another round, however alike.
            "2026-03-14-213230-supply-round-1_engagements.txt",
            // Same time, other bytes of the same length.
            "2026-03-14-213046-supply-round-2_engagements.txt",
        ] {
            std::fs::write(dir.path().join(name), body).expect("write");
        }
        std::fs::write(dir.path().join("2026-03-14-213101-supply-round-2_engagements.txt"), body.replace('s', "S"))
            .expect("write");
        let rounds = discover_rounds(dir.path()).expect("lists");
        let bases: Vec<&str> = rounds.iter().map(|r| r.name.base.as_str()).collect();
        assert_eq!(
            bases,
            [
                "2026-03-14-213045-supply-round-1",
                "2026-03-14-213046-supply-round-2",
                "2026-03-14-213101-supply-round-2",
                "2026-03-14-213230-supply-round-1"
            ]
        );
        assert_eq!(rounds[0].duplicates.len(), 1);
        let round = rounds[0].load();
        assert!(
            round.report.notes.iter().any(|n| n.contains("213100-supply-round-1_engagements.txt holds the same bytes"))
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_file_name_that_is_not_utf8_is_listed_not_skipped() {
        use std::os::unix::ffi::OsStrExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let name = std::ffi::OsStr::from_bytes(b"2025-12-20-120000-sup\xffply-round-1_combat.txt");
        std::fs::write(dir.path().join(name), "1000\tfire\t3\tNONE\t0\t0\t0\t0\n").expect("write");
        let rounds = discover_rounds(dir.path()).expect("lists");
        assert_eq!(rounds.len(), 1);
        assert_eq!(rounds[0].name.base, "2025-12-20-120000-sup\u{fffd}ply-round-1");
        assert_eq!(rounds[0].load().combat.len(), 1, "read by its real path");
    }

    #[test]
    fn round_zero_makes_the_whole_map_session_zero_based() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(
            dir.path(),
            &[
                "2025-12-21-213000--round-0_combat.txt",
                "2025-12-21-220000--round-1_combat.txt",
                "2025-12-21-230000-oasis-round-1_combat.txt",
            ],
        );
        let rounds = discover_rounds(dir.path()).expect("lists");
        let numbers: Vec<Option<u32>> = rounds.iter().map(|r| r.name.round_number()).collect();
        assert_eq!(numbers, [Some(1), Some(2), Some(1)]);
    }

    #[test]
    fn the_seed_lookup_returns_every_map_played_that_day() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(
            dir.path(),
            &[
                "2025-12-20-120000-supply-round-1_combat.txt",
                "2025-12-20-140000-goldrush-round-1_combat.txt",
                "2025-12-20-130000-supply-round-2_combat.txt",
                "2025-12-21-120000-supply-round-1_combat.txt",
            ],
        );
        let date = NaiveDate::from_ymd_opt(2025, 12, 20).expect("date");
        let found = find_rounds(dir.path(), date, 1).expect("lists");
        let maps: Vec<Option<&str>> = found.iter().map(|r| r.name.map.as_deref()).collect();
        assert_eq!(maps, [Some("supply"), Some("goldrush")]);
    }

    #[test]
    fn a_path_resolves_as_folder_file_or_base() {
        let dir = tempfile::tempdir().expect("tempdir");
        touch(dir.path(), &["b-round-1_combat.txt", "b-round-1_heatmap.txt", "c_combat.txt"]);
        assert_eq!(resolve_rounds(dir.path()).expect("folder").len(), 2);
        let by_file = resolve_rounds(&dir.path().join("b-round-1_heatmap.txt")).expect("file");
        assert_eq!(by_file[0].missing(), vec![FileKind::Positions, FileKind::Engagements]);
        assert_eq!(resolve_rounds(&dir.path().join("c")).expect("base")[0].name.base, "c");
        assert!(matches!(resolve_rounds(&dir.path().join("nope")), Err(DataError::NotFound { .. })));
        let empty = tempfile::tempdir().expect("tempdir");
        assert!(matches!(resolve_rounds(empty.path()), Err(DataError::NoRounds { .. })));
    }
}
