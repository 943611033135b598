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
fn a_second_concurrent_run_is_refused() {
    let project = Project::new();
    let cache = project.cache();
    let _held = cache.lock().unwrap();
    let other = project.cache();
    let err = other.lock().unwrap_err();
    assert!(
        err.to_string()
            .contains("another clarity run is using the cache"),
        "{err}"
    );
}
