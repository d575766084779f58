//! Where proxviz keeps what it remembers for the user: settings (recent folders, map
//! calibrations) in the config dir and the game folders' index in the cache dir, each
//! overridable by an environment variable (tests and portable installs use them).

use std::path::{Path, PathBuf};

/// proxviz's config dir: `PROXVIZ_CONFIG_DIR` when set, otherwise the platform's
/// (`~/.config/proxviz`, `%APPDATA%\\proxviz\\config`, `~/Library/Application Support/proxviz`).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PROXVIZ_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "proxviz").map(|d| d.config_dir().to_path_buf())
}

/// proxviz's cache dir: `PROXVIZ_CACHE_DIR` when set, else the platform's (`~/.cache/proxviz`,
/// `%LOCALAPPDATA%\\proxviz\\cache`, `~/Library/Caches/proxviz`). It holds the pk3 index and the
/// round index of each folder opened.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("PROXVIZ_CACHE_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(directories::ProjectDirs::from("", "", "proxviz")?.cache_dir().to_path_buf()),
    }
}

/// Where the pk3 index cache lives (in [`cache_dir`]).
pub fn index_cache_file() -> Option<PathBuf> {
    Some(cache_dir()?.join("pk3-index.json"))
}

/// Reads JSON settings from `file`. Missing (or no config dir): the default, quietly.
/// Unreadable or damaged: the default and a note naming the file and what is wrong; a damaged
/// file is first moved aside to `<name>.damaged`, so the next save starts afresh without
/// overwriting what the user may want back.
pub fn read_settings<T: serde::de::DeserializeOwned + Default>(file: Option<&Path>) -> (T, Option<String>) {
    let Some(file) = file else { return (T::default(), None) };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (T::default(), None),
        Err(e) => return (T::default(), Some(format!("{}: cannot read ({e}); using none", file.display()))),
    };
    match serde_json::from_slice(&bytes) {
        Ok(value) => (value, None),
        Err(e) => {
            // Never over an earlier damaged copy: `.damaged`, `.damaged.2`, ...
            let mut aside = file.as_os_str().to_owned();
            aside.push(".damaged");
            let first = aside.clone();
            for n in 2..100 {
                if !Path::new(&aside).exists() {
                    break;
                }
                aside = first.clone();
                aside.push(format!(".{n}"));
            }
            let kept = match std::fs::rename(file, &aside) {
                Ok(()) => format!("; the old file is kept as {}", Path::new(&aside).display()),
                Err(_) => String::new(),
            };
            (T::default(), Some(format!("{} was damaged ({e}): started afresh{kept}", file.display())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_settings_start_afresh_with_a_note_and_the_old_file_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("recent.json");
        assert_eq!(read_settings::<Vec<String>>(Some(&file)), (Vec::new(), None), "missing: quietly none");
        std::fs::write(&file, r#"["a", "b"]"#).expect("write");
        assert_eq!(read_settings::<Vec<String>>(Some(&file)).0, ["a", "b"]);

        std::fs::write(&file, "[\"a\", \0\u{1b}[31m").expect("damage");
        let (value, note) = read_settings::<Vec<String>>(Some(&file));
        assert!(value.is_empty());
        let note = note.expect("a note");
        assert!(note.contains("recent.json was damaged") && note.contains("line 1"), "{note}");
        assert!(note.contains("recent.json.damaged"), "{note}");
        assert!(!file.exists());
        assert_eq!(std::fs::read(dir.path().join("recent.json.damaged")).expect("kept"), b"[\"a\", \0\x1b[31m");

        // A second damaged file keeps the first one's copy.
        std::fs::write(&file, "{").expect("damage again");
        let (_, note) = read_settings::<Vec<String>>(Some(&file));
        assert!(note.expect("a note").contains("recent.json.damaged.2"));
        assert!(dir.path().join("recent.json.damaged").exists());

        // A file that cannot be read at all (here a folder in its place) is left where it is.
        std::fs::create_dir(&file).expect("dir");
        let (value, note) = read_settings::<Vec<String>>(Some(&file));
        assert!(value.is_empty() && note.expect("a note").contains("cannot read"));
        assert!(file.is_dir());
    }
}
