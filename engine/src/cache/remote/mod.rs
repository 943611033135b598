//! A remote cache shared between machines, through the `object_store` crate (S3 and
//! S3-compatible servers, GCS, Azure, a local or network directory).
//!
//! Layout under the address's prefix: `entries/<fingerprint>/<output>/<files…>`, the
//! entry's log `entries/<fingerprint>/stage.log`, and its `stage.json` — uploaded last, the
//! marker: an entry without one was never completely pushed and is not read. A pulled entry
//! is downloaded into the local cache's temporary directory and every file hashed against
//! that `stage.json` before it moves into place ([`crate::cache::Cache::install`]); one that
//! does not match is removed, never trusted. Two machines pushing one entry write the same
//! content. Beside the entries, `jobs/<name>` holds what a cluster job reports to its driver
//! when they share no filesystem.

mod connect;
mod error;
mod messages;
mod pull;
mod push;
mod transfer;
mod url;

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};

use object_store::ObjectStore;
use object_store::path::Path as ObjPath;

pub use error::RemoteError;
pub use pull::Pulled;
pub use push::Pushed;
pub use transfer::Transfer;
pub use url::{RemoteUrl, SUPPORTED};

/// An open remote cache. Its `Debug` shows only the address (never a credential).
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    /// `PREFIX/entries`.
    root: ObjPath,
    /// `PREFIX/jobs`.
    jobs: ObjPath,
    shown: String,
    runtime: tokio::runtime::Runtime,
    stats: Mutex<Transfer>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("url", &self.shown).finish()
    }
}

impl Remote {
    /// Opens the remote cache at `address` (a relative directory resolves against `base`):
    /// checks the scheme and the credentials, builds the store, and lists its prefix once so
    /// an unreachable endpoint or a missing bucket is an error now, before any stage runs.
    pub fn open(address: &str, base: &Path) -> Result<Self, RemoteError> {
        let url = RemoteUrl::parse(address, base)?;
        let shown = url.shown();
        let built = connect::build(&url)?;
        let under = |dir: &'static str| -> ObjPath {
            url.prefix()
                .split('/')
                .filter(|p| !p.is_empty())
                .chain([dir])
                .collect()
        };
        let (root, jobs) = (under("entries"), under("jobs"));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("clarity-remote")
            .enable_all()
            .build()
            .map_err(|e| RemoteError::Config {
                url: shown.clone(),
                message: format!("cannot start the network runtime ({e})"),
                help: "this is a bug in clarity or a resource limit of this machine".into(),
            })?;
        runtime.block_on(connect::probe(&built, &root, &shown))?;
        Ok(Self {
            store: built.store,
            root,
            jobs,
            shown,
            runtime,
            stats: Mutex::new(Transfer::default()),
        })
    }

    /// The address, as clarity prints it.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// What was pushed and pulled so far.
    pub fn transferred(&self) -> Transfer {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The key of `rel` (`/`-separated, under the entry) in entry `fingerprint`.
    fn key(&self, fingerprint: &str, rel: &str) -> ObjPath {
        let mut key = self.root.clone();
        for part in std::iter::once(fingerprint).chain(rel.split('/')) {
            key = key.join(part);
        }
        key
    }

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    fn record(&self, update: impl FnOnce(&mut Transfer)) {
        if let Ok(mut stats) = self.stats.lock() {
            update(&mut stats);
        }
    }

    fn transfer_error(
        &self,
        action: &'static str,
        key: &ObjPath,
        e: &dyn std::error::Error,
    ) -> RemoteError {
        RemoteError::Transfer {
            url: self.shown.clone(),
            action,
            key: key.to_string(),
            message: connect::error_chain(e),
        }
    }
}
