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
    /// `gc` needs the cache while runs hold it, or a run starts while `gc` holds it.
    #[error("another clarity process holds the cache `{path}`")]
    #[diagnostic(
        code(clarity::cache::locked),
        help("`clarity gc` needs the cache to itself: wait for the runs (or the gc) to finish")
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
