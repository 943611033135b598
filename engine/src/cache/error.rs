use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// Failures of the cache (all runtime failures: exit status 2).
#[derive(Debug, Error, Diagnostic)]
pub enum CacheError {
    /// A file operation failed.
    #[error("{action} `{path}`")]
    #[diagnostic(
        code(clarity::cache::io),
        help("check the permissions and free space of the cache directory")
    )]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Another run holds the cache.
    #[error("another clarity run is using the cache `{path}`")]
    #[diagnostic(
        code(clarity::cache::locked),
        help("wait for it to finish, or use another project directory")
    )]
    Locked {
        /// The cache directory.
        path: PathBuf,
    },
}

impl CacheError {
    /// An I/O error while `action` on `path`.
    pub fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
