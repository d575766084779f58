//! Errors of the data layer. Each carries the place it happened (folder, file or round) so the
//! message alone tells the user where to look. Line-level problems are not errors: they go into
//! the round's [`LoadReport`](crate::LoadReport).

use std::path::PathBuf;

/// An error that stops a whole operation (a round cannot be read at all, a folder is missing).
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The folder or file does not exist.
    #[error("{}: no such file or folder", path.display())]
    NotFound {
        /// What was asked for.
        path: PathBuf,
    },
    /// Reading a file or folder failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A folder holds no round files.
    #[error("{}: no round files (*_positions.txt, *_combat.txt, *_engagements.txt, *_heatmap.txt) in this folder", path.display())]
    NoRounds {
        /// The folder.
        path: PathBuf,
    },
    /// A path names neither a folder nor a round file nor a round base name.
    #[error("{}: not a round (expected a folder, a <base>_<kind>.txt file or a <base> with such files beside it)", path.display())]
    NotARound {
        /// The path.
        path: PathBuf,
    },
}

impl DataError {
    /// Wraps an I/O error with its path; a missing path becomes [`DataError::NotFound`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound { Self::NotFound { path } } else { Self::Io { path, source } }
    }
}
