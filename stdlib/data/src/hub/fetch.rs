use std::path::PathBuf;

use super::cache::HubCache;
use super::error::{FetchError, HubError};
use super::hub_trait::Hub;
use super::repo::{RepoId, is_commit_hash};
use super::select::{Selection, Unselected, select_files};

/// What to fetch: a repo, a revision (branch, tag or commit) and which files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchRequest {
    /// The repo.
    pub repo: RepoId,
    /// Branch, tag or full commit id.
    pub revision: String,
    /// Which files.
    pub selection: Selection,
}

/// One fetched file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedFile {
    /// Its path in the repo (`/`-separated).
    pub name: String,
    /// Where it is on disk (in the hub cache's snapshot folder, or the local source).
    pub path: PathBuf,
}

/// The result of a fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedRepo {
    /// The repo.
    pub repo: RepoId,
    /// The revision asked for.
    pub revision: String,
    /// The commit it resolved to.
    pub commit: String,
    /// The selected files, sorted by name.
    pub files: Vec<FetchedFile>,
    /// Whether the Hub was contacted (false: served from the cache alone).
    pub used_network: bool,
    /// Things the user should hear about (e.g. the Hub was unreachable and the cache was used).
    pub notes: Vec<String>,
}

/// Fetches repos through a [`Hub`] into a [`HubCache`], or from the cache alone when offline.
///
/// Online, a branch or tag is always resolved on the Hub (so new commits are picked up) and only
/// missing files are downloaded; a full commit id whose files are all cached needs no network.
/// When the Hub cannot be reached at all, the cached commit of the revision is used with a note.
pub struct Fetcher<'h> {
    hub: Option<&'h dyn Hub>,
    cache: HubCache,
}

impl<'h> Fetcher<'h> {
    /// A fetcher that uses the Hub.
    pub fn online(hub: &'h dyn Hub, cache: HubCache) -> Self {
        Self {
            hub: Some(hub),
            cache,
        }
    }

    /// A fetcher that never uses the network.
    pub fn offline(cache: HubCache) -> Self {
        Self { hub: None, cache }
    }

    /// The cache in use.
    pub fn cache(&self) -> &HubCache {
        &self.cache
    }

    /// Fetches the files of `request`.
    pub fn fetch(&self, request: &FetchRequest) -> Result<FetchedRepo, FetchError> {
        if !request.repo.is_valid() {
            return Err(FetchError::BadRepoId {
                repo: request.repo.id.clone(),
            });
        }
        let Some(hub) = self.hub else {
            return self.cached(request, "offline mode");
        };
        if is_commit_hash(&request.revision)
            && let Ok(found) = self.cached(request, "pinned commit")
        {
            return Ok(found);
        }
        match hub.resolve(&request.repo, &request.revision) {
            Ok(remote) => self.download(hub, request, remote.commit, &remote.files),
            Err(HubError::Unreachable { endpoint, message }) => {
                let why = format!("the Hub at {endpoint} is unreachable: {message}");
                let mut found = self.cached(request, &why)?;
                found.notes.push(format!(
                    "{why}; using the cached commit {} of {}",
                    found.commit, request.repo
                ));
                Ok(found)
            }
            Err(other) => Err(other.into()),
        }
    }

    fn download(
        &self,
        hub: &dyn Hub,
        request: &FetchRequest,
        commit: String,
        available: &[String],
    ) -> Result<FetchedRepo, FetchError> {
        let names = select_files(&request.selection, available)
            .map_err(|e| unselected(e, request, &commit, "the repo has no such files"))?;
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            let path = hub.download(&request.repo, &commit, &name)?;
            files.push(FetchedFile { name, path });
        }
        if !is_commit_hash(&request.revision) {
            self.cache
                .write_ref(&request.repo, &request.revision, &commit)
                .map_err(|e| HubError::CacheUnwritable {
                    path: self.cache.root().to_path_buf(),
                    message: e.to_string(),
                })?;
        }
        Ok(FetchedRepo {
            repo: request.repo.clone(),
            revision: request.revision.clone(),
            commit,
            files,
            used_network: true,
            notes: Vec::new(),
        })
    }

    fn cached(&self, request: &FetchRequest, why: &str) -> Result<FetchedRepo, FetchError> {
        let commit = self
            .cache
            .resolve_revision(&request.repo, &request.revision)
            .ok_or_else(|| FetchError::NotCached {
                repo: request.repo.to_string(),
                revision: request.revision.clone(),
                cache: self.cache.root().to_path_buf(),
                why: why.to_string(),
            })?;
        let available = self.cache.snapshot_files(&request.repo, &commit);
        let help = format!("{why}: the cache lacks these files; run once online to download them");
        let names = select_files(&request.selection, &available)
            .map_err(|e| unselected(e, request, &commit, &help))?;
        let files = names
            .into_iter()
            .map(|name| FetchedFile {
                path: self.cache.file_path(&request.repo, &commit, &name),
                name,
            })
            .collect();
        Ok(FetchedRepo {
            repo: request.repo.clone(),
            revision: request.revision.clone(),
            commit,
            files,
            used_network: false,
            notes: Vec::new(),
        })
    }
}

fn unselected(e: Unselected, request: &FetchRequest, commit: &str, context: &str) -> FetchError {
    match e {
        Unselected::Missing(missing, help) => FetchError::MissingFiles {
            repo: request.repo.to_string(),
            commit: commit.to_string(),
            missing,
            help: format!("{context}; {help}"),
        },
        Unselected::BadPattern(pattern, message) => FetchError::BadPattern { pattern, message },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;
    use std::sync::Mutex;

    use super::*;
    use crate::hub::RemoteRepo;

    const COMMIT: &str = "0123456789012345678901234567890123456789";

    /// An in-memory Hub: one repo at one commit; it records the calls it gets.
    struct FakeHub {
        files: BTreeMap<String, Vec<u8>>,
        cache: HubCache,
        unreachable: bool,
        calls: Mutex<Vec<String>>,
    }

    impl Hub for FakeHub {
        fn resolve(&self, _repo: &RepoId, revision: &str) -> Result<RemoteRepo, HubError> {
            self.calls
                .lock()
                .unwrap()
                .push(format!("resolve {revision}"));
            if self.unreachable {
                return Err(HubError::Unreachable {
                    endpoint: "fake".into(),
                    message: "down".into(),
                });
            }
            Ok(RemoteRepo {
                commit: COMMIT.into(),
                files: self.files.keys().cloned().collect(),
            })
        }

        fn download(&self, repo: &RepoId, commit: &str, file: &str) -> Result<PathBuf, HubError> {
            self.calls.lock().unwrap().push(format!("download {file}"));
            let path = self.cache.file_path(repo, commit, file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &self.files[file]).unwrap();
            Ok(path)
        }
    }

    fn fake(cache: &HubCache, unreachable: bool) -> FakeHub {
        let files = ["config.json", "pytorch_model.bin", "spm.model", "README.md"]
            .into_iter()
            .map(|f| (f.to_string(), f.as_bytes().to_vec()))
            .collect();
        FakeHub {
            files,
            cache: cache.clone(),
            unreachable,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn request(revision: &str) -> FetchRequest {
        FetchRequest {
            repo: RepoId::model("org/m"),
            revision: revision.into(),
            selection: Selection::Model { extra: vec![] },
        }
    }

    #[test]
    fn downloads_the_selection_and_records_the_ref() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = HubCache::new(tmp.path());
        let hub = fake(&cache, false);
        let got = Fetcher::online(&hub, cache.clone())
            .fetch(&request("main"))
            .unwrap();
        assert_eq!(
            *hub.calls.lock().unwrap(),
            [
                "resolve main",
                "download config.json",
                "download pytorch_model.bin",
                "download spm.model"
            ]
        );
        assert_eq!(
            cache
                .resolve_revision(&RepoId::model("org/m"), "main")
                .as_deref(),
            Some(COMMIT)
        );
        assert!(got.used_network && got.notes.is_empty());
    }

    #[test]
    fn a_cached_pinned_commit_makes_no_call() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = HubCache::new(tmp.path());
        Fetcher::online(&fake(&cache, false), cache.clone())
            .fetch(&request("main"))
            .unwrap();
        let hub = fake(&cache, false);
        let got = Fetcher::online(&hub, cache.clone())
            .fetch(&request(COMMIT))
            .unwrap();
        assert!(hub.calls.lock().unwrap().is_empty());
        assert!(!got.used_network);
    }

    #[test]
    fn an_unreachable_hub_falls_back_to_the_cache_with_a_note() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = HubCache::new(tmp.path());
        Fetcher::online(&fake(&cache, false), cache.clone())
            .fetch(&request("main"))
            .unwrap();
        let down = fake(&cache, true);
        let got = Fetcher::online(&down, cache.clone())
            .fetch(&request("main"))
            .unwrap();
        assert_eq!(*down.calls.lock().unwrap(), ["resolve main"]);
        assert_eq!(
            got.notes,
            [
                "the Hub at fake is unreachable: down; using the cached commit 0123456789012345678901234567890123456789 of org/m"
            ]
        );
        let err = Fetcher::online(&down, cache)
            .fetch(&request("v2"))
            .unwrap_err();
        assert!(matches!(err, FetchError::NotCached { .. }), "{err}");
    }

    #[test]
    fn bad_repo_ids_are_refused_before_any_call() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = HubCache::new(tmp.path());
        let hub = fake(&cache, false);
        let bad = FetchRequest {
            repo: RepoId::model("../../etc"),
            ..request("main")
        };
        let err = Fetcher::online(&hub, cache).fetch(&bad).unwrap_err();
        assert_eq!(err.to_string(), "\"../../etc\" is not a valid repo id");
        assert!(hub.calls.lock().unwrap().is_empty());
    }
}
