//! The real download code (hf-hub through `HfHub` and `Fetcher`) against a Hub-like server on
//! 127.0.0.1: downloads into the huggingface_hub cache layout, cache hits, pinned revisions
//! without network, offline misses, 404s, a cut-off download, an unwritable cache.

mod support;

use std::path::Path;

use clarity_data::hub::{
    FetchError, FetchRequest, Fetcher, HfHub, HfHubOptions, HubCache, HubEnv, HubError, HubSession,
    RepoId, Selection, resolve_cache_dir,
};
use support::hub_server::{FakeCommit, FakeFile, FakeRepo, HubServer};

const MAIN: &str = "1111111111111111111111111111111111111111";
const V1: &str = "2222222222222222222222222222222222222222";
const DATA: &str = "3333333333333333333333333333333333333333";

fn model_repo() -> FakeRepo {
    let mut main = FakeCommit::default();
    main.files.insert(
        "config.json".into(),
        FakeFile::small(r#"{"model_type": "deberta-v2"}"#),
    );
    main.files.insert(
        "model.safetensors".into(),
        FakeFile::lfs(vec![7u8; 100_000]),
    );
    main.files
        .insert("pytorch_model.bin".into(), FakeFile::lfs(vec![9u8; 1000]));
    main.files
        .insert("spm.model".into(), FakeFile::lfs(b"spm bytes".to_vec()));
    main.files
        .insert("tokenizer_config.json".into(), FakeFile::small("{}"));
    main.files
        .insert("README.md".into(), FakeFile::small("# readme"));
    let mut v1 = FakeCommit::default();
    v1.files.insert(
        "config.json".into(),
        FakeFile::small(r#"{"model_type": "old"}"#),
    );
    v1.files
        .insert("pytorch_model.bin".into(), FakeFile::lfs(vec![1u8; 500]));
    v1.files.insert("vocab.json".into(), FakeFile::small("{}"));
    v1.files
        .insert("merges.txt".into(), FakeFile::small("#version: 0.2\n"));
    let mut repo = FakeRepo::default();
    repo.commits.insert(MAIN.into(), main);
    repo.commits.insert(V1.into(), v1);
    repo.refs.insert("main".into(), MAIN.into());
    repo.refs.insert("v1.0".into(), V1.into());
    repo
}

fn dataset_repo() -> FakeRepo {
    let mut commit = FakeCommit::default();
    commit
        .files
        .insert("README.md".into(), FakeFile::small("---\n---\n"));
    commit.files.insert(
        "data/train-00000-of-00001.parquet".into(),
        FakeFile::lfs(vec![3u8; 4096]),
    );
    commit.files.insert(
        "data/test-00000-of-00001.parquet".into(),
        FakeFile::lfs(vec![4u8; 2048]),
    );
    commit.files.insert(
        "data/broken.csv".into(),
        FakeFile {
            broken: true,
            ..FakeFile::small("a\n")
        },
    );
    let mut repo = FakeRepo::default();
    repo.commits.insert(DATA.into(), commit);
    repo.refs.insert("main".into(), DATA.into());
    repo
}

fn server() -> HubServer {
    HubServer::start(vec![
        (("models", "org/tiny"), model_repo()),
        (("datasets", "org/qevasion"), dataset_repo()),
    ])
}

fn hub(endpoint: &str, cache: &Path) -> HfHub {
    HfHub::new(HfHubOptions {
        endpoint: Some(endpoint.to_string()),
        token: None,
        cache_dir: cache.to_path_buf(),
        max_attempts: Some(0),
        progress: None,
    })
    .unwrap()
}

fn model(revision: &str) -> FetchRequest {
    FetchRequest {
        repo: RepoId::model("org/tiny"),
        revision: revision.into(),
        selection: Selection::Model { extra: vec![] },
    }
}

fn names(files: &[clarity_data::hub::FetchedFile]) -> Vec<&str> {
    files.iter().map(|f| f.name.as_str()).collect()
}

/// An endpoint nothing listens on (a port that was just freed).
fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

#[test]
fn downloads_a_model_into_the_huggingface_cache_layout() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(&server.url, tmp.path());
    let fetched = Fetcher::online(&hub, HubCache::new(tmp.path()))
        .fetch(&model("main"))
        .unwrap();
    assert_eq!(fetched.commit, MAIN);
    assert!(fetched.used_network);
    assert_eq!(
        names(&fetched.files),
        [
            "config.json",
            "model.safetensors",
            "spm.model",
            "tokenizer_config.json"
        ]
    );
    let snapshot = tmp
        .path()
        .join(format!("models--org--tiny/snapshots/{MAIN}"));
    for f in &fetched.files {
        assert_eq!(f.path, snapshot.join(&f.name));
        let link = std::fs::read_link(&f.path).unwrap();
        assert!(
            link.starts_with("../../blobs"),
            "{} -> {}",
            f.name,
            link.display()
        );
    }
    assert_eq!(
        std::fs::read(&fetched.files[1].path).unwrap(),
        vec![7u8; 100_000]
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("models--org--tiny/refs/main")).unwrap(),
        MAIN
    );
    assert!(
        !server
            .seen()
            .iter()
            .any(|s| s.path.ends_with("pytorch_model.bin") || s.path.ends_with("README.md"))
    );
}

#[test]
fn a_second_fetch_is_a_cache_hit() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(&server.url, tmp.path());
    let fetcher = Fetcher::online(&hub, HubCache::new(tmp.path()));
    let first = fetcher.fetch(&model("main")).unwrap();
    assert_eq!(
        server.content_gets(),
        4 + 2,
        "4 files, 2 of them through the CDN redirect"
    );
    server.clear();
    let second = fetcher.fetch(&model("main")).unwrap();
    assert_eq!(second.files, first.files);
    assert_eq!(server.content_gets(), 0);
    assert_eq!(
        server.seen().len(),
        1,
        "only the revision lookup: {:?}",
        server.seen()
    );
}

#[test]
fn tags_resolve_to_their_commit_and_files() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(&server.url, tmp.path());
    let fetched = Fetcher::online(&hub, HubCache::new(tmp.path()))
        .fetch(&model("v1.0"))
        .unwrap();
    assert_eq!(fetched.commit, V1);
    assert_eq!(
        names(&fetched.files),
        [
            "config.json",
            "merges.txt",
            "pytorch_model.bin",
            "vocab.json"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&fetched.files[0].path).unwrap(),
        r#"{"model_type": "old"}"#
    );
}

#[test]
fn a_pinned_commit_resolves_from_the_cache_without_network() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let cache = HubCache::new(tmp.path());
    let online = hub(&server.url, tmp.path());
    Fetcher::online(&online, cache.clone())
        .fetch(&model(MAIN))
        .unwrap();
    drop(server);
    let dead = hub(&dead_endpoint(), tmp.path());
    let pinned = Fetcher::online(&dead, cache.clone())
        .fetch(&model(MAIN))
        .unwrap();
    assert!(!pinned.used_network);
    assert_eq!(pinned.commit, MAIN);
    assert_eq!(pinned.files.len(), 4);
    assert!(pinned.notes.is_empty());
}

#[test]
fn offline_uses_refs_and_names_what_is_missing() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let cache = HubCache::new(tmp.path());
    let offline = Fetcher::offline(cache.clone());
    let err = offline.fetch(&model("main")).unwrap_err();
    let message = err.to_string();
    assert_eq!(
        message,
        format!(
            "org/tiny@main is not in the HuggingFace cache at {} (offline mode)",
            tmp.path().display()
        )
    );

    let hub = hub(&server.url, tmp.path());
    Fetcher::online(&hub, cache.clone())
        .fetch(&model("main"))
        .unwrap();
    let found = offline.fetch(&model("main")).unwrap();
    assert_eq!((found.commit.as_str(), found.used_network), (MAIN, false));

    std::fs::remove_file(tmp.path().join(format!(
        "models--org--tiny/snapshots/{MAIN}/model.safetensors"
    )))
    .unwrap();
    std::fs::remove_file(
        tmp.path()
            .join(format!("models--org--tiny/snapshots/{MAIN}/spm.model")),
    )
    .unwrap();
    let err = offline.fetch(&model("main")).unwrap_err();
    let FetchError::MissingFiles { missing, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        missing,
        &[
            "weights (model.safetensors or pytorch_model.bin)",
            "a tokenizer (tokenizer.json, spm.model, or vocab.json + merges.txt)"
        ]
    );
}

#[test]
fn unreachable_hub_falls_back_to_the_cached_commit_with_a_note() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let cache = HubCache::new(tmp.path());
    Fetcher::online(&hub(&server.url, tmp.path()), cache.clone())
        .fetch(&model("main"))
        .unwrap();
    let dead_url = dead_endpoint();
    let dead = hub(&dead_url, tmp.path());
    let found = Fetcher::online(&dead, cache).fetch(&model("main")).unwrap();
    assert!(!found.used_network);
    assert_eq!(found.notes.len(), 1);
    assert!(
        found.notes[0].starts_with(&format!("the Hub at {dead_url} is unreachable")),
        "{}",
        found.notes[0]
    );

    let empty = tempfile::tempdir().unwrap();
    let err = Fetcher::online(&hub(&dead_url, empty.path()), HubCache::new(empty.path()))
        .fetch(&model("main"))
        .unwrap_err();
    assert!(
        matches!(err, FetchError::NotCached { ref why, .. } if why.contains("unreachable")),
        "{err}"
    );
}

#[test]
fn not_found_repo_revision_and_file() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(&server.url, tmp.path());
    let fetcher = Fetcher::online(&hub, HubCache::new(tmp.path()));
    let missing_repo = FetchRequest {
        repo: RepoId::model("org/nope"),
        ..model("main")
    };
    let err = fetcher.fetch(&missing_repo).unwrap_err();
    assert!(
        matches!(err, FetchError::Hub(HubError::RepoNotFound { .. })),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("repository org/nope was not found on {}", server.url)
    );

    let private = FetchRequest {
        repo: RepoId::model("org/private"),
        ..model("main")
    };
    let err = fetcher.fetch(&private).unwrap_err();
    assert!(
        matches!(err, FetchError::Hub(HubError::RepoNotFound { .. })),
        "{err:?}"
    );
    let gated = FetchRequest {
        repo: RepoId::model("org/gated"),
        ..model("main")
    };
    let err = fetcher.fetch(&gated).unwrap_err();
    assert_eq!(err.to_string(), "the Hub refused access to org/gated (403)");

    let err = fetcher.fetch(&model("no-such-branch")).unwrap_err();
    assert!(
        matches!(err, FetchError::Hub(HubError::RevisionNotFound { .. })),
        "{err:?}"
    );

    let broken = FetchRequest {
        repo: RepoId::dataset("org/qevasion"),
        revision: "main".into(),
        selection: Selection::Dataset {
            patterns: vec!["data/*.csv".into()],
        },
    };
    let err = fetcher.fetch(&broken).unwrap_err();
    assert!(
        matches!(err, FetchError::Hub(HubError::FileNotFound { ref file, .. }) if file == "data/broken.csv"),
        "{err:?}"
    );

    let nothing = FetchRequest {
        selection: Selection::Dataset {
            patterns: vec!["*.jsonl".into()],
        },
        ..broken
    };
    let err = fetcher.fetch(&nothing).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("datasets/org/qevasion@{DATA} lacks files matching \"*.jsonl\"")
    );
}

#[test]
fn dataset_parquet_shards_are_fetched() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let hub = hub(&server.url, tmp.path());
    let request = FetchRequest {
        repo: RepoId::dataset("org/qevasion"),
        revision: "main".into(),
        selection: Selection::Dataset {
            patterns: vec!["data/*.parquet".into()],
        },
    };
    let fetched = Fetcher::online(&hub, HubCache::new(tmp.path()))
        .fetch(&request)
        .unwrap();
    assert_eq!(
        names(&fetched.files),
        [
            "data/test-00000-of-00001.parquet",
            "data/train-00000-of-00001.parquet"
        ]
    );
    let train = tmp.path().join(format!(
        "datasets--org--qevasion/snapshots/{DATA}/data/train-00000-of-00001.parquet"
    ));
    assert_eq!(std::fs::read(train).unwrap(), vec![3u8; 4096]);
}

#[test]
fn a_download_cut_short_fails_leaves_nothing_usable_and_can_be_retried() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let cache = HubCache::new(tmp.path());
    let hub = hub(&server.url, tmp.path());
    server
        .cut_bodies
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = Fetcher::online(&hub, cache.clone())
        .fetch(&model("main"))
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Hub(HubError::DownloadFailed { ref file, .. }) if file == "config.json"),
        "{err:?}"
    );
    assert!(
        !tmp.path()
            .join(format!("models--org--tiny/snapshots/{MAIN}/config.json"))
            .exists()
    );
    assert!(Fetcher::offline(cache.clone()).fetch(&model(MAIN)).is_err());

    server
        .cut_bodies
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let fetched = Fetcher::online(&hub, cache).fetch(&model("main")).unwrap();
    assert_eq!(
        std::fs::read_to_string(&fetched.files[0].path).unwrap(),
        r#"{"model_type": "deberta-v2"}"#
    );
    assert_eq!(
        std::fs::read(&fetched.files[1].path).unwrap().len(),
        100_000
    );
}

#[test]
fn an_unwritable_cache_is_a_diagnostic_and_the_default_falls_back() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("not-a-dir"), b"").unwrap();
    let unwritable = tmp.path().join("not-a-dir/hub");
    let err = Fetcher::online(&hub(&server.url, &unwritable), HubCache::new(&unwritable))
        .fetch(&model("main"))
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Hub(HubError::CacheUnwritable { .. })),
        "{err:?}"
    );
    let help = miette::Diagnostic::help(&err).unwrap().to_string();
    assert_eq!(
        help,
        "set HF_HOME (or HF_HUB_CACHE) to a writable directory"
    );

    std::fs::write(tmp.path().join(".cache"), b"").unwrap();
    let env = HubEnv {
        home: Some(tmp.path().to_path_buf()),
        ..HubEnv::default()
    };
    let dir = resolve_cache_dir(&env, &[tmp.path().join("fallback")]);
    assert!(dir.fallback_notice().is_some());
    let fetched = Fetcher::online(&hub(&server.url, &dir.path), HubCache::new(&dir.path))
        .fetch(&model("main"))
        .unwrap();
    assert!(
        fetched.files[0]
            .path
            .starts_with(tmp.path().join("fallback"))
    );
}

#[test]
fn a_session_from_the_environment_uses_its_endpoint_token_and_cache() {
    let server = server();
    let tmp = tempfile::tempdir().unwrap();
    let env = HubEnv {
        hf_home: Some(tmp.path().join("hf-home")),
        endpoint: Some(server.url.clone()),
        token: Some("hf_test_token".into()),
        ..HubEnv::default()
    };
    let session = HubSession::new(env.clone(), false, &[], false).unwrap();
    assert!(!session.offline());
    assert_eq!(session.cache_dir().path, tmp.path().join("hf-home/hub"));
    let fetched = session.fetcher().fetch(&model("main")).unwrap();
    assert!(
        fetched.files[0]
            .path
            .starts_with(tmp.path().join("hf-home/hub/models--org--tiny"))
    );
    let seen = server.seen();
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .filter(|s| !s.path.starts_with("/cdn/"))
            .all(|s| s.authorization.as_deref() == Some("Bearer hf_test_token")),
        "{seen:?}"
    );

    server.clear();
    let offline = HubSession::new(
        HubEnv {
            offline: true,
            ..env
        },
        false,
        &[],
        false,
    )
    .unwrap();
    assert!(offline.offline());
    assert_eq!(
        offline.fetcher().fetch(&model("main")).unwrap().commit,
        MAIN
    );
    assert!(server.seen().is_empty(), "HF_HUB_OFFLINE makes no request");
}
