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
        crate::parse::load_round(self.name.clone(), &self.paths.each_ref().map(|p| p.as_deref()))
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
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            continue;
        };
        let Some((base, kind)) = FileKind::split_file_name(file_name) else {
            continue;
        };
        if !entry.path().is_file() {
            continue;
        }
        groups.entry(base.to_owned()).or_default()[kind.index()] = Some(entry.path());
    }
    let mut rounds: Vec<RoundFiles> = groups
        .into_iter()
        .map(|(base, paths)| RoundFiles { name: RoundName::parse(&base), dir: folder.to_path_buf(), paths })
        .collect();
    mark_zero_based(&mut rounds);
    rounds.sort_by(|a, b| {
        (a.name.date, a.name.start_time, &a.name.base).cmp(&(b.name.date, b.name.start_time, &b.name.base))
    });
    Ok(rounds)
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
