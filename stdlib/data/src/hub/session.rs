use std::path::PathBuf;

use indicatif::MultiProgress;

use super::cache::HubCache;
use super::cache_dir::{CacheDir, NoticeOnce, resolve_cache_dir};
use super::env::HubEnv;
use super::error::HubError;
use super::fetch::Fetcher;
use super::hf::{HfHub, HfHubOptions};
use super::progress::DownloadBars;

static FALLBACK_NOTICE: NoticeOnce = NoticeOnce::new();

/// Everything a fetch needs, set up from the environment: the cache directory (with its
/// fallback), offline mode (`--offline` or `HF_HUB_OFFLINE`), and the Hub client.
pub struct HubSession {
    env: HubEnv,
    cache_dir: CacheDir,
    hub: Option<HfHub>,
}

impl HubSession {
    /// A session from `env`. `offline` forces cache-only mode (as `HF_HUB_OFFLINE=1` does);
    /// `fallbacks` are tried in order when the default cache is not writable; `progress` shows
    /// download bars.
    pub fn new(
        env: HubEnv,
        offline: bool,
        fallbacks: &[PathBuf],
        progress: bool,
    ) -> Result<Self, HubError> {
        let cache_dir = resolve_cache_dir(&env, fallbacks);
        let offline = offline || env.offline;
        let hub = if offline {
            None
        } else {
            Some(HfHub::new(HfHubOptions {
                endpoint: env.endpoint.clone(),
                token: env.token.clone(),
                cache_dir: cache_dir.path.clone(),
                max_attempts: None,
                progress: progress.then(|| DownloadBars::new(MultiProgress::new())),
            })?)
        };
        Ok(Self {
            env,
            cache_dir,
            hub,
        })
    }

    /// Whether only the cache is used.
    pub fn offline(&self) -> bool {
        self.hub.is_none()
    }

    /// The environment it was made from.
    pub fn env(&self) -> &HubEnv {
        &self.env
    }

    /// The cache directory in use.
    pub fn cache_dir(&self) -> &CacheDir {
        &self.cache_dir
    }

    /// A fetcher over this session's Hub and cache.
    pub fn fetcher(&self) -> Fetcher<'_> {
        let cache = HubCache::new(self.cache_dir.path.clone());
        match &self.hub {
            Some(hub) => Fetcher::online(hub, cache),
            None => Fetcher::offline(cache),
        }
    }

    /// The cache-fallback notice, the first time any session of this process asks.
    pub fn fallback_notice_once(&self) -> Option<String> {
        FALLBACK_NOTICE.take(self.cache_dir.fallback_notice())
    }
}
