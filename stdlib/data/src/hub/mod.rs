//! Downloads from the HuggingFace Hub into the cache Python's `huggingface_hub` uses (same layout,
//! same variables), offline resolution from that cache, and local `path=` sources.
//!
//! [`Fetcher`] picks the files of a model or dataset repo and gets them through a [`Hub`]
//! ([`HfHub`] in production, a fake in tests) or, offline, from the [`HubCache`] alone.

mod cache;
mod cache_dir;
mod env;
mod error;
mod fetch;
mod hf;
mod hub_trait;
mod local;
mod materialize;
mod progress;
mod redact;
mod repo;
mod select;
mod session;

pub use cache::HubCache;
pub use cache_dir::{CacheDir, CacheDirSource, NoticeOnce, resolve_cache_dir};
pub use env::HubEnv;
pub use error::{FetchError, HubError};
pub use fetch::{FetchRequest, FetchedFile, FetchedRepo, Fetcher};
pub use hf::{HfHub, HfHubOptions};
pub use hub_trait::{Hub, RemoteRepo};
pub use local::fetch_local;
pub use materialize::{FETCH_FILE, link_fetched};
pub use progress::DownloadBars;
pub use redact::redact_userinfo;
pub use repo::{RepoId, RepoKind, is_commit_hash};
pub use select::{CHECKPOINT_FILES, Selection, TOKENIZER_FILES, Unselected, select_files};
pub use session::HubSession;
