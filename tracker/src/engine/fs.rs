//! `trap_FS_*` as ET:Legacy's `qcommon/files.c` does them: paths relative to
//! `<homepath>/<fs_game>/`, sub-folders created on write, `..` / `::` / absolute paths refused
//! with fd 0 and length -1 (not fd -1), `.so` / `.dll` / `.pk3` a fatal error, handles from 1.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// `et.FS_READ`.
pub const FS_READ: i64 = 0;
/// `et.FS_WRITE`.
pub const FS_WRITE: i64 = 1;
/// `et.FS_APPEND`.
pub const FS_APPEND: i64 = 2;
/// Open files a game module may hold at once (`MAX_FILE_HANDLES`).
pub const MAX_FILE_HANDLES: usize = 64;

enum Handle {
    Write(BufWriter<File>),
    Read(Vec<u8>, usize),
}

/// The game's view of the file system.
pub struct GameFs {
    game_dir: PathBuf,
    open: BTreeMap<i64, Handle>,
}

/// What opening a file gave: the real engine's `fd, len` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    /// File handle, 0 on failure.
    pub fd: i64,
    /// 0 for writes, the size for reads, -1 on failure.
    pub len: i64,
}

const FAILED: Opened = Opened { fd: 0, len: -1 };

/// Opening a file the engine refuses to touch at all (`Com_Error`, which ends the game).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FatalFsError(pub String);

impl GameFs {
    /// A file system rooted at `<homepath>/<fs_game>`.
    pub fn new(homepath: &Path, fs_game: &str) -> Self {
        Self { game_dir: homepath.join(fs_game), open: BTreeMap::new() }
    }

    /// The folder files land in.
    pub fn game_dir(&self) -> &Path {
        &self.game_dir
    }

    fn os_path(&self, name: &str) -> Option<PathBuf> {
        if name.contains("..")
            || name.contains("::")
            || name.starts_with('/')
            || name.starts_with('\\')
            || name.is_empty()
        {
            return None;
        }
        // A drive letter (C:) is an absolute path too.
        if name.as_bytes().get(1) == Some(&b':') {
            return None;
        }
        Some(self.game_dir.join(name.replace('\\', "/")))
    }

    /// `trap_FS_FOpenFile(name, mode)`.
    pub fn open(&mut self, name: &str, mode: i64) -> Result<Opened, FatalFsError> {
        let lower = name.to_ascii_lowercase();
        if [".so", ".dll", ".pk3"].iter().any(|ext| lower.ends_with(ext)) && mode != FS_READ {
            return Err(FatalFsError(format!("FS_FOpenFileWrite: refusing to write a {name} file")));
        }
        let Some(path) = self.os_path(name) else { return Ok(FAILED) };
        if self.open.len() >= MAX_FILE_HANDLES {
            return Ok(FAILED);
        }
        let handle = match mode {
            FS_READ => match std::fs::read(&path) {
                Ok(bytes) => Handle::Read(bytes, 0),
                Err(_) => return Ok(FAILED),
            },
            FS_WRITE | FS_APPEND => {
                if let Some(parent) = path.parent()
                    && std::fs::create_dir_all(parent).is_err()
                {
                    return Ok(FAILED);
                }
                let file = OpenOptions::new()
                    .create(true)
                    .write(true)
                    .append(mode == FS_APPEND)
                    .truncate(mode == FS_WRITE)
                    .open(&path);
                match file {
                    Ok(f) => Handle::Write(BufWriter::new(f)),
                    Err(_) => return Ok(FAILED),
                }
            }
            _ => return Ok(FAILED),
        };
        let len = match &handle {
            Handle::Read(bytes, _) => bytes.len() as i64,
            Handle::Write(_) => 0,
        };
        let fd = (1..).find(|fd| !self.open.contains_key(fd)).unwrap_or(1);
        self.open.insert(fd, handle);
        Ok(Opened { fd, len })
    }

    /// `trap_FS_Write(data, count, fd)`: writes the first `count` bytes, returns bytes written.
    pub fn write(&mut self, data: &[u8], count: i64, fd: i64) -> i64 {
        let Some(Handle::Write(w)) = self.open.get_mut(&fd) else { return 0 };
        let n = usize::try_from(count).unwrap_or(0).min(data.len());
        match w.write_all(&data[..n]) {
            Ok(()) => n as i64,
            Err(_) => 0,
        }
    }

    /// `trap_FS_Read(fd, count)`: up to `count` bytes from the current position.
    pub fn read(&mut self, fd: i64, count: i64) -> Vec<u8> {
        let Some(Handle::Read(bytes, pos)) = self.open.get_mut(&fd) else { return Vec::new() };
        let n = usize::try_from(count).unwrap_or(0).min(bytes.len() - *pos);
        let out = bytes[*pos..*pos + n].to_vec();
        *pos += n;
        out
    }

    /// `trap_FS_FCloseFile(fd)`.
    pub fn close(&mut self, fd: i64) {
        if let Some(Handle::Write(mut w)) = self.open.remove(&fd) {
            let _ = w.flush();
        }
    }

    /// Open handles (a module that forgets to close files shows here).
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    /// Flushes every file still open (the process exiting).
    pub fn flush_all(&mut self) {
        for h in self.open.values_mut() {
            if let Handle::Write(w) = h {
                let _ = w.flush();
            }
        }
    }

    /// Reads a file of the game folder directly (for tests).
    pub fn read_back(&self, name: &str) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        File::open(self.game_dir.join(name))?.read_to_end(&mut out)?;
        Ok(out)
    }
}

impl Drop for GameFs {
    fn drop(&mut self) {
        self.flush_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_land_under_the_game_folder_with_sub_folders_created() {
        let home = tempfile::tempdir().expect("tempdir");
        let mut fs = GameFs::new(home.path(), "legacy");
        let o = fs.open("gamestats/a.txt", FS_WRITE).expect("not fatal");
        assert_eq!(o, Opened { fd: 1, len: 0 });
        assert_eq!(fs.write(b"hello world", 5, o.fd), 5);
        fs.close(o.fd);
        let o = fs.open("gamestats/a.txt", FS_APPEND).expect("not fatal");
        fs.write(b"!", 1, o.fd);
        fs.close(o.fd);
        assert_eq!(std::fs::read(home.path().join("legacy/gamestats/a.txt")).expect("file"), b"hello!");
    }

    #[test]
    fn refused_paths_give_fd_zero_and_length_minus_one() {
        let home = tempfile::tempdir().expect("tempdir");
        let mut fs = GameFs::new(home.path(), "legacy");
        for bad in ["../escape.txt", "a::b", "/etc/passwd", "C:/x.txt", ""] {
            assert_eq!(fs.open(bad, FS_WRITE), Ok(Opened { fd: 0, len: -1 }), "{bad}");
        }
        assert_eq!(fs.open("missing.txt", FS_READ), Ok(Opened { fd: 0, len: -1 }));
    }

    #[test]
    fn writing_a_library_or_pak_is_fatal() {
        let home = tempfile::tempdir().expect("tempdir");
        let mut fs = GameFs::new(home.path(), "legacy");
        assert!(fs.open("qagame.mp.x86_64.so", FS_WRITE).is_err());
        assert!(fs.open("x.PK3", FS_APPEND).is_err());
    }

    #[test]
    fn reads_return_the_size_and_the_bytes() {
        let home = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(home.path().join("legacy")).expect("mkdir");
        std::fs::write(home.path().join("legacy/cfg.txt"), "abcdef").expect("write");
        let mut fs = GameFs::new(home.path(), "legacy");
        let o = fs.open("cfg.txt", FS_READ).expect("not fatal");
        assert_eq!(o.len, 6);
        assert_eq!(fs.read(o.fd, 4), b"abcd");
        assert_eq!(fs.read(o.fd, 4), b"ef");
    }
}
