//! Library errors. Each message names the file (sheet, row, column) and what to do.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input cannot be used as it is (exit code 2).
    #[error("{path}: {message}")]
    BadInput { path: PathBuf, message: String },

    /// golive.toml is wrong (exit code 2).
    #[error("{path}:{line}: {message}")]
    Config {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A command-line argument is wrong (exit code 2).
    #[error("{0}")]
    Usage(String),

    #[error("workspace {path}: {source}")]
    Workspace {
        path: PathBuf,
        source: rusqlite::Error,
    },

    /// Some sources could not be read; the others were, and later stages ran
    /// on them (exit code 2).
    #[error("{0}")]
    SourcesFailed(String),

    /// A source gave nothing usable, or a stage's output is out of date for
    /// the next (exit code 1).
    #[error("{0}")]
    Failed(String),

    /// The workspace does not account for every row: the message lists the
    /// rows missing (exit code 1).
    #[error("{0}")]
    Accounting(String),

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub fn bad_input(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::BadInput {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Exit code per DESIGN.md: 2 for bad usage or bad input, 1 for failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadInput { .. }
            | Error::Config { .. }
            | Error::Usage(_)
            | Error::SourcesFailed(_) => 2,
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => 2,
            Error::Workspace { .. }
            | Error::Io { .. }
            | Error::Failed(_)
            | Error::Accounting(_) => 1,
        }
    }
}
