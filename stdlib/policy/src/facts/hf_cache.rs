use std::path::{Path, PathBuf};

use super::Host;

/// Where HuggingFace Hub downloads go on a host, whether that place is writable, and the
/// writable HuggingFace home the stdlib falls back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HfCache {
    /// The hub cache: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
    /// `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub` (the order of
    /// `huggingface_hub`).
    pub dir: PathBuf,
    /// Whether files can be created in it.
    pub writable: bool,
    /// A HuggingFace home to use instead: the project's `.clarity/huggingface` when it is
    /// writable (where the stdlib's `fetch-*` stages fall back to by themselves), else
    /// `$TMPDIR/clarity-huggingface`.
    pub fallback: PathBuf,
}

impl HfCache {
    /// The hub cache of `host`, for a project in `project_dir`.
    pub fn probe(host: &dyn Host, project_dir: &Path) -> Self {
        let path = |name: &str| host.var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let dir = match (
            path("HF_HUB_CACHE"),
            path("HF_HOME"),
            path("XDG_CACHE_HOME"),
            path("HOME"),
        ) {
            (Some(cache), ..) => cache,
            (None, Some(home), ..) => home.join("hub"),
            (None, None, Some(xdg), _) => xdg.join("huggingface").join("hub"),
            (None, None, None, Some(home)) => home.join(".cache").join("huggingface").join("hub"),
            (None, None, None, None) => host.temp_dir().join("huggingface").join("hub"),
        };
        let writable = host.writable(&dir);
        let in_project = project_dir.join(".clarity").join("huggingface");
        let fallback = if host.writable(&in_project) {
            in_project
        } else {
            host.temp_dir().join("clarity-huggingface")
        };
        Self {
            dir,
            writable,
            fallback,
        }
    }

    /// The `config.json` of Hub repository `repo` at `revision` (default `main`) if it is
    /// in the hub cache or the fallback's (`models--ORG--NAME/snapshots/COMMIT/config.json`,
    /// the commit read from `refs/REVISION` unless the revision is one): its path and text.
    pub fn config_of(
        &self,
        host: &dyn Host,
        repo: &str,
        revision: Option<&str>,
    ) -> Option<(PathBuf, String)> {
        let folder = format!("models--{}", repo.replace('/', "--"));
        let revision = revision.unwrap_or("main");
        let hubs = [self.dir.clone(), self.fallback.join("hub")];
        hubs.iter()
            .find_map(|hub| snapshot_config(host, &hub.join(&folder), revision))
    }
}

fn snapshot_config(host: &dyn Host, repo_dir: &Path, revision: &str) -> Option<(PathBuf, String)> {
    let is_commit = revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit());
    let commit = if is_commit {
        revision.to_owned()
    } else {
        host.read_file(&repo_dir.join("refs").join(revision))?
            .trim()
            .to_owned()
    };
    if commit.is_empty() || commit.contains(['/', '\\']) || commit.contains("..") {
        return None;
    }
    let path = repo_dir.join("snapshots").join(commit).join("config.json");
    host.read_file(&path).map(|text| (path, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::MemoryHost;

    #[test]
    fn the_hub_cache_is_resolved_in_huggingface_hub_order() {
        let host = MemoryHost::new();
        assert_eq!(
            HfCache::probe(&host, Path::new("/work/project")).dir,
            PathBuf::from("/home/user/.cache/huggingface/hub")
        );
        let host = host.var("XDG_CACHE_HOME", "/xdg");
        assert_eq!(
            HfCache::probe(&host, Path::new("/work/project")).dir,
            PathBuf::from("/xdg/huggingface/hub")
        );
        let host = host.var("HF_HOME", "/hf");
        assert_eq!(
            HfCache::probe(&host, Path::new("/work/project")).dir,
            PathBuf::from("/hf/hub")
        );
        let host = host.var("HF_HUB_CACHE", "/hub");
        let cache = HfCache::probe(&host, Path::new("/work/project"));
        assert_eq!((cache.dir, cache.writable), (PathBuf::from("/hub"), true));
        assert_eq!(
            cache.fallback,
            PathBuf::from("/work/project/.clarity/huggingface")
        );
        let host = host.read_only("/work/project");
        let cache = HfCache::probe(&host, Path::new("/work/project"));
        assert_eq!(cache.fallback, PathBuf::from("/tmp/clarity-huggingface"));
    }

    #[test]
    fn writability_is_probed_on_the_resolved_directory() {
        let host = MemoryHost::new().read_only("/home/user/.cache");
        assert!(!HfCache::probe(&host, Path::new("/work/project")).writable);
        let host = host.var("HF_HOME", "/data/hf");
        assert!(HfCache::probe(&host, Path::new("/work/project")).writable);
    }

    #[test]
    fn a_cached_config_is_found_through_the_revision_ref() {
        let repo = "/home/user/.cache/huggingface/hub/models--microsoft--deberta-v3-large";
        let commit = "64a8c8eab3e352a784c658aef62be1662607476f";
        let host = MemoryHost::new()
            .file(format!("{repo}/refs/main"), &format!("{commit}\n"))
            .file(format!("{repo}/snapshots/{commit}/config.json"), "{}");
        let cache = HfCache::probe(&host, Path::new("/work/project"));
        let (path, text) = cache
            .config_of(&host, "microsoft/deberta-v3-large", None)
            .unwrap();
        assert_eq!(
            path,
            PathBuf::from(format!("{repo}/snapshots/{commit}/config.json"))
        );
        assert_eq!(text, "{}");
        assert!(
            cache
                .config_of(&host, "microsoft/deberta-v3-large", Some(commit))
                .is_some()
        );
        assert!(
            cache
                .config_of(&host, "microsoft/deberta-v3-large", Some("v2"))
                .is_none()
        );
        assert!(
            cache
                .config_of(&host, "microsoft/deberta-v3-base", None)
                .is_none()
        );
    }

    #[test]
    fn a_ref_cannot_lead_out_of_the_snapshots() {
        let repo = "/home/user/.cache/huggingface/hub/models--a--b";
        let host = MemoryHost::new()
            .file(format!("{repo}/refs/main"), "../../../../etc")
            .file(
                format!("{repo}/snapshots/../../../../etc/config.json"),
                "{}",
            );
        assert!(
            HfCache::probe(&host, Path::new("/work/project"))
                .config_of(&host, "a/b", None)
                .is_none()
        );
    }
}
