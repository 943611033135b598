//! The remote cache, on a directory remote: push from one project, pull into another, and
//! never trust a damaged or half-pushed entry.
mod common;

use std::path::{Path, PathBuf};

use clarity_engine::cache::remote::{Pulled, Pushed, Remote, RemoteError};
use clarity_engine::run::RunReport;
use common::{Project, statuses};

const TEXT: &str = "\
stage \"a\" produce text=\"A\"
stage \"b\" produce text=\"B\"
stage \"ab\" concat {
    inputs \"a.out\" \"b.out\"
}
";

fn fingerprint(report: &RunReport, stage: &str) -> String {
    let record = report.manifest.stages.iter().find(|r| r.name == stage);
    record.unwrap().fingerprint.clone()
}

/// The remote object of `rel` in entry `fingerprint`.
fn object(dir: &Path, fingerprint: &str, rel: &str) -> PathBuf {
    dir.join("entries").join(fingerprint).join(rel)
}

fn open(dir: &Path) -> Remote {
    Remote::open(&dir.display().to_string(), Path::new("/")).unwrap()
}

#[test]
fn a_pushed_run_is_pulled_whole_into_a_fresh_project() {
    let store = tempfile::tempdir().unwrap();
    let first = Project::new();
    let report = first.run_remote(TEXT, &open(store.path()));
    assert_eq!(statuses(&report), ["a=ran", "ab=ran", "b=ran"]);
    let ab = fingerprint(&report, "ab");
    assert!(object(store.path(), &ab, "stage.json").is_file());
    assert!(object(store.path(), &ab, "out/value.txt").is_file());

    let second = Project::new();
    let remote = open(store.path());
    let pulled = second.run_remote(TEXT, &remote);
    assert_eq!(statuses(&pulled), ["a=pulled", "ab=pulled", "b=pulled"]);
    assert!(second.log.ran().is_empty());
    assert_eq!(second.value(&pulled, "ab"), "A,B");
    let moved = remote.transferred();
    assert_eq!((moved.pulled, moved.pushed), (3, 0));
    assert!(moved.pulled_bytes > 0);
    let again = second.run_remote(TEXT, &remote);
    assert_eq!(statuses(&again), ["a=cached", "ab=cached", "b=cached"]);
}

#[test]
fn a_corrupted_remote_object_is_refused_recomputed_and_pushed_again() {
    let store = tempfile::tempdir().unwrap();
    let report = Project::new().run_remote(TEXT, &open(store.path()));
    let a = fingerprint(&report, "a");
    let value = object(store.path(), &a, "out/value.txt");
    std::fs::write(&value, "Z").unwrap();

    let second = Project::new();
    let remote = open(store.path());
    let pulled = second.run_remote(TEXT, &remote);
    assert_eq!(statuses(&pulled), ["a=ran", "ab=pulled", "b=pulled"]);
    assert_eq!(second.log.ran(), ["a"]);
    assert_eq!(second.value(&pulled, "ab"), "A,B");
    assert_eq!(remote.transferred().rejected, 1);
    assert_eq!(std::fs::read_to_string(&value).unwrap(), "A");
}

#[test]
fn a_half_pushed_entry_is_not_read() {
    let store = tempfile::tempdir().unwrap();
    let report = Project::new().run_remote(TEXT, &open(store.path()));
    let b = fingerprint(&report, "b");
    std::fs::remove_file(object(store.path(), &b, "stage.json")).unwrap();

    let second = Project::new();
    let remote = open(store.path());
    let cache = second.cache();
    assert!(matches!(
        remote.pull(&cache, &b, &["out", "extra"]).unwrap(),
        Pulled::Missing
    ));
    assert!(!cache.entry_dir(&b).exists());
    let pulled = second.run_remote(TEXT, &remote);
    assert_eq!(statuses(&pulled), ["a=pulled", "ab=pulled", "b=ran"]);
}

#[test]
fn pushing_an_entry_twice_is_harmless() {
    let store = tempfile::tempdir().unwrap();
    let project = Project::new();
    let report = project.run(TEXT, &[], Default::default());
    let remote = open(store.path());
    let a = fingerprint(&report, "a");
    let cache = project.cache();
    assert!(matches!(
        remote.push(&cache, &a, false).unwrap(),
        Pushed::Uploaded(_)
    ));
    assert_eq!(remote.push(&cache, &a, false).unwrap(), Pushed::Present);
    assert!(matches!(
        remote.push(&cache, &a, true).unwrap(),
        Pushed::Uploaded(_)
    ));
}

#[test]
fn an_unknown_scheme_names_the_supported_ones() {
    let err = Remote::open("ftp://host/cache", Path::new("/")).unwrap_err();
    assert!(matches!(err, RemoteError::Scheme { .. }), "{err:?}");
    assert!(err.is_config());
}

/// A stage run on a machine without the project's cache (a cluster node without a shared
/// filesystem): its inputs come from the remote cache, its entry goes back to it.
#[test]
fn a_stage_run_elsewhere_pulls_its_inputs_and_pushes_its_entry() {
    use std::collections::BTreeMap;
    use std::sync::atomic::AtomicBool;

    use clarity_engine::run::{Dispatch, ExecEnv, execute};
    use clarity_engine::{InputArtifact, NullReporter};

    let store = tempfile::tempdir().unwrap();
    let report = Project::new().run_remote(TEXT, &open(store.path()));
    let ab = fingerprint(&report, "ab");
    std::fs::remove_dir_all(store.path().join("entries").join(&ab)).unwrap();

    let node = Project::new();
    let pipeline = node.pipeline(TEXT, &[]);
    let i = pipeline.index("ab").unwrap();
    let cache = node.cache();
    let remote = open(store.path());
    let elsewhere = |stage: &str| InputArtifact {
        reference: format!("{stage}.out"),
        dir: Path::new("/driver/.clarity/cache")
            .join(fingerprint(&report, stage))
            .join("out"),
    };
    let inputs = BTreeMap::from([("inputs".to_owned(), vec![elsewhere("a"), elsewhere("b")])]);
    let env = ExecEnv {
        pipeline: &pipeline,
        cache: &cache,
        project_dir: node.path(),
        logs_dir: &node.path().join("logs"),
        offline: true,
        cancel: &AtomicBool::new(false),
        reporter: &NullReporter,
        remote: Some(&remote),
    };
    let dispatch = Dispatch {
        fingerprint: ab.clone(),
        key: None,
        inputs,
        placement: pipeline.stages[i].placement.clone(),
    };
    execute(&env, i, dispatch).unwrap();
    let value = cache.output_dir(&ab, "out").join("value.txt");
    assert_eq!(std::fs::read_to_string(value).unwrap(), "A,B");
    assert_eq!(remote.transferred().pulled, 2);
    assert!(object(store.path(), &ab, "stage.json").is_file());
}

#[test]
fn the_cache_block_takes_one_remote_string() {
    let ok = "cache {\n    remote \"s3://b/p\"\n}\nstage \"a\" produce text=\"A\"\n";
    assert!(common::codes(ok).is_empty());
    for bad in [
        "cache { remote 5; }",
        "cache { mirror \"x\"; }",
        "cache \"x\"",
    ] {
        let text = format!("{bad}\nstage \"a\" produce text=\"A\"\n");
        assert_eq!(
            common::codes(&text),
            ["clarity::syntax::malformed"],
            "{bad}"
        );
    }
    let (file, _) =
        clarity_engine::lang::parse_file(&clarity_engine::lang::Source::new("p.kdl", None, ok));
    assert_eq!(
        clarity_engine::lang::file_remote(&file.items).as_deref(),
        Some("s3://b/p")
    );
}
