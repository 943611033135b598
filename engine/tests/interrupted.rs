//! A run killed mid-stage never leaves a half artifact that looks complete.
mod common;

use common::{Project, RunOpts, statuses};

#[test]
fn a_leftover_temporary_entry_is_not_complete_and_is_cleaned() {
    let project = Project::new();
    let text = "stage \"a\" produce text=\"x\"\n";
    let first = project.run(text, &[], RunOpts::default());
    let record = &first.manifest.stages[0];
    let entry = record.outputs["out"].parent().unwrap().to_path_buf();
    // Simulate a run killed while writing: the entry is gone, a half-written temporary
    // directory (outputs present, metadata missing) is left behind.
    std::fs::remove_dir_all(&entry).unwrap();
    let tmp = project
        .path()
        .join(".clarity/tmp")
        .join(format!("{}.999.0", record.fingerprint));
    std::fs::create_dir_all(tmp.join("out")).unwrap();
    std::fs::write(tmp.join("out/value.txt"), "hal").unwrap();
    let second = project.run(text, &[], RunOpts::default());
    assert_eq!(statuses(&second), ["a=ran"]);
    assert_eq!(project.value(&second, "a"), "x");
    assert!(!tmp.exists());
}

#[test]
fn an_entry_without_metadata_is_not_complete() {
    let project = Project::new();
    let text = "stage \"a\" produce text=\"x\"\n";
    let first = project.run(text, &[], RunOpts::default());
    let entry = first.manifest.stages[0].outputs["out"]
        .parent()
        .unwrap()
        .to_path_buf();
    std::fs::remove_file(entry.join("stage.json")).unwrap();
    let second = project.run(text, &[], RunOpts::default());
    assert_eq!(statuses(&second), ["a=ran"]);
}

#[test]
fn runs_share_the_cache_and_gc_has_it_to_itself() {
    let project = Project::new();
    let cache = project.cache();
    let run = cache.lock().unwrap();
    let other_run = project.cache().lock().unwrap();
    let gc = project.cache().lock_exclusive().unwrap_err();
    assert!(
        gc.to_string()
            .contains("another clarity process holds the cache"),
        "{gc}"
    );
    drop((run, other_run));
    let _gc = project.cache().lock_exclusive().unwrap();
    assert!(
        project.cache().lock().is_err(),
        "no run starts while gc runs"
    );
}

#[test]
fn a_temporary_entry_another_process_writes_is_left_alone() {
    let project = Project::new();
    let cache = project.cache();
    let tmp = project.path().join(".clarity/tmp");
    let (busy, stale) = (tmp.join("aaaa.1.0"), tmp.join("bbbb.2.0"));
    std::fs::create_dir_all(&busy).unwrap();
    std::fs::create_dir_all(&stale).unwrap();
    let writer = cache.try_lock_entry("aaaa").unwrap().unwrap();
    assert!(
        cache.try_lock_entry("aaaa").unwrap().is_none(),
        "one writer per entry"
    );
    cache.clean_tmp().unwrap();
    assert!(busy.exists() && !stale.exists());
    drop(writer);
    cache.clean_tmp().unwrap();
    assert!(!busy.exists());
}
