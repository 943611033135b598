use std::path::{Path, PathBuf};

use clarity_engine::fs::{Listing, list_files};

use super::repo::{RepoId, is_commit_hash};

/// The hub cache as `huggingface_hub` lays it out:
/// `<root>/<models|datasets>--owner--name/{refs/<revision>, snapshots/<commit>/<file>, blobs/<etag>}`.
/// Snapshot files are symlinks to blobs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubCache {
    root: PathBuf,
}

impl HubCache {
    /// The cache rooted at `root` (e.g. `~/.cache/huggingface/hub`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The cache root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of one repo.
    pub fn repo_dir(&self, repo: &RepoId) -> PathBuf {
        self.root.join(repo.cache_folder())
    }

    /// The snapshot folder of one commit.
    pub fn snapshot_dir(&self, repo: &RepoId, commit: &str) -> PathBuf {
        self.repo_dir(repo).join("snapshots").join(commit)
    }

    /// The commit a revision stands for in the cache: a full commit id with a snapshot is itself;
    /// a branch or tag is what `refs/<revision>` says.
    pub fn resolve_revision(&self, repo: &RepoId, revision: &str) -> Option<String> {
        if is_commit_hash(revision) {
            return self
                .snapshot_dir(repo, revision)
                .is_dir()
                .then(|| revision.to_string());
        }
        let commit = crate::files::read_capped_string(
            &self.repo_dir(repo).join("refs").join(revision),
            crate::files::MAX_SETTINGS_BYTES,
        )
        .ok()?;
        let commit = commit.trim().to_string();
        is_commit_hash(&commit).then_some(commit)
    }

    /// Records that `revision` points at `commit` (what `huggingface_hub` writes after a download).
    pub fn write_ref(&self, repo: &RepoId, revision: &str, commit: &str) -> std::io::Result<()> {
        let path = self.repo_dir(repo).join("refs").join(revision);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, commit)
    }

    /// The files of a cached snapshot whose content is present (dangling links are skipped), as
    /// `/`-separated repo paths, sorted.
    pub fn snapshot_files(&self, repo: &RepoId, commit: &str) -> Vec<String> {
        let listing = Listing {
            skip_hidden: false,
            regular_only: true,
            skip_unreadable: true,
        };
        list_files(&self.snapshot_dir(repo, commit), listing)
            .unwrap_or_default()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    /// The local path of a file of a cached snapshot (it may not exist).
    pub fn file_path(&self, repo: &RepoId, commit: &str, file: &str) -> PathBuf {
        file.split('/')
            .fold(self.snapshot_dir(repo, commit), |p, part| p.join(part))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn resolves_refs_and_lists_present_snapshot_files() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = HubCache::new(tmp.path());
        let repo = RepoId::dataset("ailsntua/QEvasion");
        assert_eq!(cache.resolve_revision(&repo, "main"), None);
        cache.write_ref(&repo, "main", COMMIT).unwrap();
        assert_eq!(
            cache.resolve_revision(&repo, COMMIT),
            None,
            "no snapshot yet"
        );
        let snap = cache.snapshot_dir(&repo, COMMIT);
        std::fs::create_dir_all(snap.join("data")).unwrap();
        std::fs::write(snap.join("data/train-00000-of-00001.parquet"), b"x").unwrap();
        std::os::unix::fs::symlink("../../blobs/missing", snap.join("dangling.csv")).unwrap();
        assert_eq!(
            cache.resolve_revision(&repo, "main").as_deref(),
            Some(COMMIT)
        );
        assert_eq!(
            cache.resolve_revision(&repo, COMMIT).as_deref(),
            Some(COMMIT)
        );
        assert_eq!(
            cache.snapshot_files(&repo, COMMIT),
            ["data/train-00000-of-00001.parquet"]
        );
        assert_eq!(
            cache.file_path(&repo, COMMIT, "data/train-00000-of-00001.parquet"),
            tmp.path().join(format!(
                "datasets--ailsntua--QEvasion/snapshots/{COMMIT}/data/train-00000-of-00001.parquet"
            ))
        );
    }
}
