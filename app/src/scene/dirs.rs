//! Where proxviz keeps what it remembers for the user: settings (recent folders, map
//! calibrations) in the config dir and the game folders' index in the cache dir, each
//! overridable by an environment variable (tests and portable installs use them).

use std::path::PathBuf;

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
