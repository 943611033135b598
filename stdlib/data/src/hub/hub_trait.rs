use std::path::PathBuf;

use super::error::HubError;
use super::repo::RepoId;

/// A revision of a remote repo: the commit it resolves to and its files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRepo {
    /// The full commit id.
    pub commit: String,
    /// The repo's files, as `/`-separated paths.
    pub files: Vec<String>,
}

/// Network access to a Hub. Implemented by [`super::HfHub`]; tests use fakes.
pub trait Hub: Send + Sync {
    /// Resolves `revision` (branch, tag or commit) to a commit and lists the files there.
    fn resolve(&self, repo: &RepoId, revision: &str) -> Result<RemoteRepo, HubError>;

    /// Downloads one file of `commit` into the hub cache (a no-op when it is already there) and
    /// returns its path in the snapshot folder.
    fn download(&self, repo: &RepoId, commit: &str, file: &str) -> Result<PathBuf, HubError>;
}
