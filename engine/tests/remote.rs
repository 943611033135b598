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
