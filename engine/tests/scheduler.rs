//! The scheduler: concurrency, the device semaphore, failure isolation, `--only`, Ctrl-C.
mod common;

use std::sync::atomic::{AtomicBool, Ordering};

use common::{Project, RunOpts, statuses};

// Distinct params: stages with the same key share one entry, written once (the others
// wait for its lock and take it).
const WIDE: &str = "\
stage \"w1\" wait ms=100
stage \"w2\" wait ms=101
stage \"w3\" wait ms=102
stage \"w4\" wait ms=103
stage \"d1\" device-wait ms=60
stage \"d2\" device-wait ms=61
stage \"d3\" device-wait ms=62
";

#[test]
fn independent_stages_run_concurrently_up_to_jobs() {
    let project = Project::new();
    project.run(
        WIDE,
        &[],
        RunOpts {
            jobs: 3,
            ..RunOpts::default()
        },
    );
    assert_eq!(project.log.max_running.load(Ordering::SeqCst), 3);
}

#[test]
fn one_job_runs_one_stage_at_a_time() {
    let project = Project::new();
    project.run(
        WIDE,
        &[],
        RunOpts {
            jobs: 1,
            ..RunOpts::default()
        },
    );
    assert_eq!(project.log.max_running.load(Ordering::SeqCst), 1);
}

#[test]
fn device_stages_never_share_the_device() {
    let project = Project::new();
    let report = project.run(
        WIDE,
        &[],
        RunOpts {
            jobs: 7,
            ..RunOpts::default()
        },
    );
    assert_eq!(project.log.max_device_running.load(Ordering::SeqCst), 1);
    assert_eq!(report.manifest.stages.len(), 7);
}

const FAILING: &str = "\
stage \"a\" produce text=\"a\"
stage \"bad\" fail after=\"a.out\"
stage \"after-bad\" concat inputs=\"bad\"
stage \"after-after\" concat inputs=\"after-bad\"
stage \"free\" wait ms=30 {
    after \"a.out\"
}
stage \"free2\" concat inputs=\"free\"
";

#[test]
fn a_failure_stops_its_dependents_while_independent_branches_finish() {
    let project = Project::new();
    let report = project.run(FAILING, &[], RunOpts::default());
    assert_eq!(
        statuses(&report),
        [
            "a=ran",
            "after-after=skipped",
            "after-bad=skipped",
            "bad=failed",
            "free2=ran",
            "free=ran"
        ]
    );
    assert_eq!(report.failures.len(), 1);
    assert!(report.manifest.stages.iter().any(|s| {
        s.error
            .as_deref()
            .is_some_and(|e| e.contains("failed on purpose"))
    }));
    let bad = report
        .manifest
        .stages
        .iter()
        .find(|s| s.name == "bad")
        .unwrap();
    assert!(
        !bad.outputs["out"].exists(),
        "a failed stage leaves no output in the cache"
    );
}

#[test]
fn only_runs_the_stage_and_what_it_needs() {
    let project = Project::new();
    let report = project.run(
        FAILING,
        &[],
        RunOpts {
            only: &["free2"],
            ..RunOpts::default()
        },
    );
    assert_eq!(statuses(&report), ["a=ran", "free2=ran", "free=ran"]);
}

#[test]
fn only_with_an_unknown_stage_is_a_config_error() {
    let project = Project::new();
    let pipeline = project.pipeline(FAILING, &[]);
    let diags = pipeline.select(&["fre2".to_owned()]).unwrap_err();
    assert_eq!(diags.codes(), ["clarity::only::unknown_stage"]);
}

#[test]
fn cancelling_stops_launching_and_records_every_stage() {
    let project = Project::new();
    let cancel = AtomicBool::new(false);
    let text = "stage \"slow\" wait ms=5000\nstage \"next\" concat inputs=\"slow\"\n";
    let report = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            cancel.store(true, Ordering::SeqCst);
        });
        project.run_cancellable(text, &[], RunOpts::default(), &cancel)
    });
    assert_eq!(statuses(&report), ["next=cancelled", "slow=cancelled"]);
    assert_eq!(
        report.manifest.status,
        clarity_engine::run::RunStatus::Cancelled
    );
    let slow = &report
        .manifest
        .stages
        .iter()
        .find(|s| s.name == "slow")
        .unwrap()
        .outputs["out"];
    assert!(
        !slow.exists(),
        "a cancelled stage leaves nothing in the cache"
    );
    assert_eq!(
        std::fs::read_dir(project.path().join(".clarity/tmp"))
            .unwrap()
            .count(),
        0
    );
}

#[test]
fn a_stage_fed_twice_by_one_upstream_stage_runs_once_it_is_done() {
    let project = Project::new();
    let text = "\
stage \"a\" produce text=\"x\"
stage \"b\" concat {
    inputs \"a.out\" \"a.out\"
}
stage \"c\" concat inputs=\"b\"
";
    let report = project.run(text, &[], RunOpts::default());
    assert_eq!(statuses(&report), ["a=ran", "b=ran", "c=ran"]);
}

#[test]
fn with_several_devices_device_stages_run_side_by_side_one_per_device() {
    let project = Project::new();
    let report = project.run(
        WIDE,
        &[],
        RunOpts {
            jobs: 7,
            device: Some("cuda"),
            devices: &["cuda:0", "cuda:1"],
            ..RunOpts::default()
        },
    );
    assert_eq!(project.log.max_device_running.load(Ordering::SeqCst), 2);
    let mut used: Vec<&str> = report
        .manifest
        .stages
        .iter()
        .filter(|s| s.kind == "device-wait")
        .map(|s| s.placement.device.as_str())
        .collect();
    used.sort_unstable();
    used.dedup();
    assert_eq!(used, ["cuda:0", "cuda:1"]);
    // The index does not enter the key: on one GPU, everything is cached.
    let again = project.run(
        WIDE,
        &[],
        RunOpts {
            device: Some("cuda"),
            devices: &["cuda:1"],
            ..RunOpts::default()
        },
    );
    assert!(statuses(&again).iter().all(|s| s.ends_with("=cached")));
}

#[test]
fn the_plan_shows_how_devices_are_shared_out() {
    let project = Project::new();
    let pipeline = project.pipeline_on(WIDE, &[], Some("cuda"));
    let order = pipeline.order.clone();
    let pool = clarity_engine::run::DevicePool::new(&["cuda:0".into(), "cuda:1".into()]);
    let assigned = pool.assign(&pipeline, &order);
    let at = |name: &str| assigned[pipeline.index(name).unwrap()].clone();
    assert_eq!(at("d1").as_deref(), Some("cuda:0"));
    assert_eq!(at("d2").as_deref(), Some("cuda:1"));
    assert_eq!(at("d3").as_deref(), Some("cuda:0"));
    assert_eq!(at("w1"), None);
}

#[test]
fn stages_with_the_same_key_write_their_entry_once() {
    let project = Project::new();
    let text = "\
stage \"a\" wait ms=150
stage \"b\" wait ms=150
";
    let report = project.run(
        text,
        &[],
        RunOpts {
            jobs: 2,
            ..RunOpts::default()
        },
    );
    let mut got = statuses(&report);
    got.sort();
    assert!(
        got == ["a=cached", "b=ran"] || got == ["a=ran", "b=cached"],
        "{got:?}"
    );
    assert_eq!(project.log.max_running.load(Ordering::SeqCst), 1);
}
