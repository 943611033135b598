use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::env::HubEnv;

/// Where the hub cache directory came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheDirSource {
    /// `HF_HUB_CACHE` was set.
    HfHubCache,
    /// `HF_HOME` was set: `$HF_HOME/hub`.
    HfHome,
    /// The default, `$XDG_CACHE_HOME/huggingface/hub` or `~/.cache/huggingface/hub`.
    Default,
    /// The default was not writable; a fallback directory is used instead.
    Fallback,
}

/// The resolved hub cache directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDir {
    /// The directory downloads go to.
    pub path: PathBuf,
    /// Why this directory.
    pub source: CacheDirSource,
    /// With [`CacheDirSource::Fallback`]: the default that was not writable, and why.
    pub unwritable: Option<(PathBuf, String)>,
}

impl CacheDir {
    /// The one-line notice to show when a fallback is in use.
    pub fn fallback_notice(&self) -> Option<String> {
        let (default, why) = self.unwritable.as_ref()?;
        Some(format!(
            "the HuggingFace cache {} is not writable ({why}); using {} instead (set HF_HOME to choose)",
            default.display(),
            self.path.display()
        ))
    }
}

/// Resolves the hub cache as `huggingface_hub` does: `HF_HUB_CACHE`, else `$HF_HOME/hub`, else
/// `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
///
/// An explicit `HF_HUB_CACHE` or `HF_HOME` is always used as it is. When the default is not
/// writable, the first writable of `fallbacks` is used (then
/// `$TMPDIR/clarity-huggingface/hub`); when none is, the default is kept and downloads will
/// fail with the reason.
pub fn resolve_cache_dir(env: &HubEnv, fallbacks: &[PathBuf]) -> CacheDir {
    if let Some(dir) = &env.hf_hub_cache {
        return CacheDir {
            path: dir.clone(),
            source: CacheDirSource::HfHubCache,
            unwritable: None,
        };
    }
    if let Some(home) = &env.hf_home {
        return CacheDir {
            path: home.join("hub"),
            source: CacheDirSource::HfHome,
            unwritable: None,
        };
    }
    let default = match (&env.xdg_cache_home, &env.home) {
        (Some(xdg), _) => xdg.join("huggingface").join("hub"),
        (None, Some(home)) => home.join(".cache").join("huggingface").join("hub"),
        (None, None) => std::env::temp_dir().join("huggingface").join("hub"),
    };
    let why = match check_writable(&default) {
        Ok(()) => {
            return CacheDir {
                path: default,
                source: CacheDirSource::Default,
                unwritable: None,
            };
        }
        Err(e) => e.to_string(),
    };
    let last_resort = std::env::temp_dir().join("clarity-huggingface").join("hub");
    let fallback = fallbacks
        .iter()
        .chain(std::iter::once(&last_resort))
        .find(|dir| check_writable(dir).is_ok());
    match fallback {
        Some(dir) => CacheDir {
            path: dir.clone(),
            source: CacheDirSource::Fallback,
            unwritable: Some((default, why)),
        },
        None => CacheDir {
            path: default,
            source: CacheDirSource::Default,
            unwritable: None,
        },
    }
}

/// Creates `dir` if needed and checks a file can be created in it.
fn check_writable(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let probe = dir.join(format!(".clarity-write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

/// A flag that lets a notice through once (per flag; use one `static` per process).
#[derive(Debug, Default)]
pub struct NoticeOnce(AtomicBool);

impl NoticeOnce {
    /// A flag that has not fired.
    pub const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    /// `notice` the first time this is called with `Some`, `None` after.
    pub fn take(&self, notice: Option<String>) -> Option<String> {
        let notice = notice?;
        (!self.0.swap(true, Ordering::SeqCst)).then_some(notice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with_home(home: &Path) -> HubEnv {
        HubEnv {
            home: Some(home.to_path_buf()),
            ..HubEnv::default()
        }
    }

    #[test]
    fn explicit_variables_win_in_huggingface_hub_order() {
        let env = HubEnv {
            hf_home: Some("/h".into()),
            hf_hub_cache: Some("/c".into()),
            xdg_cache_home: Some("/x".into()),
            ..HubEnv::default()
        };
        assert_eq!(resolve_cache_dir(&env, &[]).path, PathBuf::from("/c"));
        let env = HubEnv {
            hf_hub_cache: None,
            ..env
        };
        let dir = resolve_cache_dir(&env, &[]);
        assert_eq!(
            (dir.path, dir.source),
            (PathBuf::from("/h/hub"), CacheDirSource::HfHome)
        );
    }

    #[test]
    fn default_is_under_xdg_then_home() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = resolve_cache_dir(&env_with_home(tmp.path()), &[]);
        assert_eq!(dir.path, tmp.path().join(".cache/huggingface/hub"));
        assert_eq!(dir.source, CacheDirSource::Default);
        let env = HubEnv {
            xdg_cache_home: Some(tmp.path().join("xdg")),
            ..env_with_home(tmp.path())
        };
        assert_eq!(
            resolve_cache_dir(&env, &[]).path,
            tmp.path().join("xdg/huggingface/hub")
        );
    }

    #[test]
    fn unwritable_default_falls_back_and_says_so_once() {
        let tmp = tempfile::tempdir().unwrap();
        // A file where the `.cache` directory should be makes the default unwritable, even for root.
        std::fs::write(tmp.path().join(".cache"), b"not a directory").unwrap();
        let fallback = tmp.path().join("fallback/hub");
        let dir = resolve_cache_dir(&env_with_home(tmp.path()), std::slice::from_ref(&fallback));
        assert_eq!(dir.path, fallback);
        assert_eq!(dir.source, CacheDirSource::Fallback);
        let notice = dir.fallback_notice().unwrap();
        assert!(
            notice.starts_with(&format!(
                "the HuggingFace cache {} is not writable",
                tmp.path().join(".cache/huggingface/hub").display()
            )),
            "{notice}"
        );
        assert!(
            notice.contains(&format!("using {} instead", fallback.display())),
            "{notice}"
        );
        let once = NoticeOnce::new();
        assert_eq!(once.take(dir.fallback_notice()), Some(notice));
        assert_eq!(once.take(dir.fallback_notice()), None);
    }

    #[test]
    fn an_unwritable_explicit_hf_home_still_wins() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("home-file"), b"").unwrap();
        let env = HubEnv {
            hf_home: Some(tmp.path().join("home-file")),
            ..env_with_home(tmp.path())
        };
        let dir = resolve_cache_dir(&env, &[tmp.path().join("fallback")]);
        assert_eq!(dir.path, tmp.path().join("home-file/hub"));
        assert_eq!(dir.fallback_notice(), None);
    }
}
