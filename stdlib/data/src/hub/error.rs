use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// A Hub request failed.
#[derive(Debug, Error, Diagnostic)]
pub enum HubError {
    /// The repo does not exist (or is private and no token was given).
    #[error("repository {repo} was not found on {endpoint}")]
    #[diagnostic(
        code(clarity::hub::repo_not_found),
        help("check the id (owner/name); for a private or gated repo set HF_TOKEN")
    )]
    RepoNotFound {
        /// The repo.
        repo: String,
        /// The Hub endpoint.
        endpoint: String,
    },
    /// The branch, tag or commit does not exist.
    #[error("revision {revision:?} of {repo} was not found")]
    #[diagnostic(
        code(clarity::hub::revision_not_found),
        help("use a branch, tag or full commit id of the repo")
    )]
    RevisionNotFound {
        /// The repo.
        repo: String,
        /// The revision asked for.
        revision: String,
    },
    /// A file is not in the repo at that commit.
    #[error("{file} is not in {repo} at {commit}")]
    #[diagnostic(code(clarity::hub::file_not_found))]
    FileNotFound {
        /// The repo.
        repo: String,
        /// The commit.
        commit: String,
        /// The file.
        file: String,
    },
    /// The Hub refused the request.
    #[error("the Hub refused access to {repo} ({status})")]
    #[diagnostic(
        code(clarity::hub::unauthorized),
        help(
            "set HF_TOKEN to a token that can read the repo; gated repos need their terms accepted on the website"
        )
    )]
    Unauthorized {
        /// The repo.
        repo: String,
        /// The HTTP status.
        status: u16,
    },
    /// The Hub could not be reached at all.
    #[error("cannot reach the Hub at {endpoint}: {message}")]
    #[diagnostic(
        code(clarity::hub::unreachable),
        help(
            "check the network or HF_ENDPOINT; with the files already cached, run with --offline (HF_HUB_OFFLINE=1)"
        )
    )]
    Unreachable {
        /// The Hub endpoint.
        endpoint: String,
        /// What failed.
        message: String,
    },
    /// A download started but did not complete.
    #[error("downloading {file} from {repo} failed: {message}")]
    #[diagnostic(
        code(clarity::hub::download_failed),
        help("run again to retry the download")
    )]
    DownloadFailed {
        /// The repo.
        repo: String,
        /// The file.
        file: String,
        /// What failed.
        message: String,
    },
    /// The cache could not be written.
    #[error("cannot write the HuggingFace cache at {}: {message}", path.display())]
    #[diagnostic(
        code(clarity::hub::cache_unwritable),
        help("set HF_HOME (or HF_HUB_CACHE) to a writable directory")
    )]
    CacheUnwritable {
        /// The cache root.
        path: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// Any other failure.
    #[error("Hub request for {repo} failed: {message}")]
    #[diagnostic(code(clarity::hub::request_failed))]
    Other {
        /// The repo.
        repo: String,
        /// What failed.
        message: String,
    },
}

/// Fetching a repo's files failed.
#[derive(Debug, Error, Diagnostic)]
pub enum FetchError {
    /// A Hub request failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Hub(#[from] HubError),
    /// Offline (or unreachable) and the revision is not in the cache.
    #[error("{repo}@{revision} is not in the HuggingFace cache at {} ({why})", cache.display())]
    #[diagnostic(
        code(clarity::hub::not_cached),
        help(
            "run once online to download it, or point HF_HOME / HF_HUB_CACHE at a cache that has it"
        )
    )]
    NotCached {
        /// The repo.
        repo: String,
        /// The revision.
        revision: String,
        /// The cache root.
        cache: PathBuf,
        /// "offline" or why the Hub could not be used.
        why: String,
    },
    /// The files a model or dataset needs are not in the repo (or, offline, not in the cache).
    #[error("{repo}@{commit} lacks {}", missing.join("; "))]
    #[diagnostic(code(clarity::hub::missing_files), help("{help}"))]
    MissingFiles {
        /// The repo (or local directory).
        repo: String,
        /// The commit (or "local").
        commit: String,
        /// What is missing.
        missing: Vec<String>,
        /// What to do.
        help: String,
    },
    /// A file pattern is not a valid glob.
    #[error("{pattern:?} is not a valid file pattern: {message}")]
    #[diagnostic(
        code(clarity::hub::bad_pattern),
        help("use globs such as \"data/train-*.parquet\" or \"*.json\"")
    )]
    BadPattern {
        /// The pattern.
        pattern: String,
        /// Why it is invalid.
        message: String,
    },
    /// The repo id is malformed.
    #[error("{repo:?} is not a valid repo id")]
    #[diagnostic(
        code(clarity::hub::bad_repo_id),
        help("use owner/name, e.g. microsoft/deberta-v3-base")
    )]
    BadRepoId {
        /// The id given.
        repo: String,
    },
    /// A local source does not exist or cannot be read.
    #[error("cannot read {}: {message}", path.display())]
    #[diagnostic(code(clarity::hub::local_source))]
    Local {
        /// The path.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}
