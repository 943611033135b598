//! The device a pipeline asks for: `--device`, else its `device` item, else `auto`; and what
//! the placement hook sees of it.

mod common;

use std::sync::Arc;

use clarity_engine::fs::MemFs;
use clarity_engine::lang::Source;
use clarity_engine::{
    Diagnostics, Options, Pipeline, Placement, PlacementRequest, PlacementSetup, Placer, Style,
};
use common::{Log, Meaning, assert_expected, meanings_of, registry};

fn analyse(
    text: &str,
    flag: Option<&str>,
    assume: Option<&[String]>,
) -> Result<Pipeline, Diagnostics> {
    let log = Arc::new(Log::default());
    let registry = registry(&log);
    analyse_in(&registry, text, flag, assume)
}

fn analyse_in(
    registry: &clarity_engine::Registry,
    text: &str,
    flag: Option<&str>,
    assume: Option<&[String]>,
) -> Result<Pipeline, Diagnostics> {
    let source = Source::new("pipeline.kdl", Some("pipeline.kdl".into()), text);
    let options = Options {
        registry,
        fs: &MemFs::new(),
        project_dir: std::path::Path::new(""),
        sets: &[],
        device: flag,
        assumed_devices: assume,
    };
    clarity_engine::analyse(&source, &options)
}

fn devices(pipeline: &Pipeline) -> Vec<&str> {
    pipeline
        .stages
        .iter()
        .map(|s| s.placement.device.as_str())
        .collect()
}

const ON_METAL: &str = r#"
pipeline "p" {
    device "metal"
    stage "a" produce text="x"
    stage "b" device-wait after="a.out"
}
"#;

#[test]
fn the_pipelines_device_is_asked_for_unless_the_flag_names_one() {
    let pipeline = analyse(ON_METAL, None, None).unwrap();
    assert_eq!(pipeline.device, "metal");
    assert_eq!(devices(&pipeline), ["metal", "metal"]);
    let pipeline = analyse(ON_METAL, Some("cpu"), None).unwrap();
    assert_eq!(
        (pipeline.device.as_str(), devices(&pipeline)),
        ("cpu", vec!["cpu", "cpu"])
    );
    let pipeline = analyse(ON_METAL, Some("auto"), None).unwrap();
    assert_eq!(
        pipeline.device, "auto",
        "an explicit --device auto overrides too"
    );
    let pipeline = analyse("stage \"a\" produce text=\"x\"", None, None).unwrap();
    assert_eq!(pipeline.device, "auto");
}

#[test]
fn a_second_device_is_an_error() {
    let text = "pipeline \"p\" {\n    device \"metal\"\n    device \"cpu\"\n    stage \"a\" produce text=\"x\"\n}\n";
    let Err(diags) = analyse(text, None, None) else {
        panic!("accepted two devices")
    };
    assert_expected("device_duplicate", &diags.render(Style::Plain));
    assert_eq!(
        meanings_of(&diags),
        [Meaning::new(
            "clarity::device::duplicate",
            &[(45, 5, "given again here")],
            Some("the first names `metal`; keep one `device`"),
        )]
    );
}

/// Records what the engine hands the placement hook.
#[derive(Default)]
struct Recorder {
    seen: std::sync::Mutex<Vec<String>>,
}

impl Placer for Recorder {
    fn place(&self, request: &PlacementRequest<'_>) -> miette::Result<Placement> {
        let upstream: Vec<String> = request
            .upstream
            .iter()
            .map(|u| format!("{}.{}->{}({})", u.consumer, u.param, u.stage, u.kind))
            .collect();
        let assumed = request
            .assumed_devices
            .map(|a| a.join(","))
            .unwrap_or_default();
        let line = format!(
            "{} {} [{}] assume={assumed}",
            request.stage,
            request.device,
            upstream.join(" ")
        );
        self.seen.lock().unwrap().push(line);
        Ok(Placement::on(request.device))
    }

    fn check(&self, setup: &PlacementSetup<'_>) -> Vec<miette::Report> {
        self.seen.lock().unwrap().push(format!(
            "check {} policies={}",
            setup.device,
            setup.policies.len()
        ));
        Vec::new()
    }
}

#[test]
fn the_hook_is_checked_once_then_sees_each_stage_with_everything_upstream() {
    let log = Arc::new(Log::default());
    let mut registry = registry(&log);
    let recorder = Arc::new(Recorder::default());
    registry.set_placer(Shared(Arc::clone(&recorder)));
    let text = r#"
        device "metal"
        stage "a" produce text="x"
        stage "b" device-wait after="a.out"
        stage "c" device-wait after="b"
    "#;
    let assumed = vec!["metal".to_owned(), "cpu".to_owned()];
    analyse_in(&registry, text, None, Some(&assumed)).unwrap();
    assert_eq!(
        *recorder.seen.lock().unwrap(),
        [
            "check metal policies=0",
            "a metal [] assume=metal,cpu",
            "b metal [b.after->a(produce)] assume=metal,cpu",
            "c metal [c.after->b(device-wait) b.after->a(produce)] assume=metal,cpu",
        ]
    );
}

struct Shared(Arc<Recorder>);

impl Placer for Shared {
    fn place(&self, request: &PlacementRequest<'_>) -> miette::Result<Placement> {
        self.0.place(request)
    }

    fn check(&self, setup: &PlacementSetup<'_>) -> Vec<miette::Report> {
        self.0.check(setup)
    }
}

/// Refuses everything at check time.
struct Refuser;

impl Placer for Refuser {
    fn place(&self, _: &PlacementRequest<'_>) -> miette::Result<Placement> {
        panic!("no stage is placed when the check finds problems");
    }

    fn check(&self, _: &PlacementSetup<'_>) -> Vec<miette::Report> {
        vec![
            miette::miette!(code = "test::one", "first problem"),
            miette::miette!(code = "test::two", "second problem"),
        ]
    }
}

#[test]
fn problems_found_by_the_check_are_reported_and_nothing_is_placed() {
    let log = Arc::new(Log::default());
    let mut registry = registry(&log);
    registry.set_placer(Refuser);
    let Err(diags) = analyse_in(&registry, "stage \"a\" produce text=\"x\"", None, None) else {
        panic!("accepted")
    };
    assert_eq!(diags.codes(), ["test::one", "test::two"]);
}
