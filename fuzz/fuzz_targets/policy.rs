//! The policy language on arbitrary text, as a pipeline's `use`d files: loaded after a few
//! base policies (parse, replace, `disable`), every diagnostic rendered, and when there are
//! none, three stages placed with them. Must never panic or hang.
//!
//! Input (lossy UTF-8):
//! - an optional first line `#!DEVICE ASSUME`: the `--device` and `--assume-devices` asked
//!   (default `auto` on an assumed `cuda` machine);
//! - then up to three parts separated by a line `---`: the policy file the pipeline `use`s,
//!   the `config.json` of the model the stages work on, and a second policy file `use`d
//!   after the first (for replacing and `disable` across files).
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use clarity_engine::diag::render;
use clarity_engine::{PlacementRequest, PlacementSetup, Placer, PolicySource, Style};
use clarity_policy::facts::{FactValue, MemoryHost};
use clarity_policy::lang::Template;
use clarity_device::{Backend, Inventory};
use clarity_policy::PolicyPlacer;
use clarity_policy::testing::{StageSpec, stage, upstream};
use libfuzzer_sys::fuzz_target;

const PROJECT: &str = "/work/project";

/// The policies loaded before the input's, in place of the stdlib's (whose KDL takes the
/// parser ~100 ms per run under ASan, most of a run without; the seeds hold the stdlib's
/// files as inputs).
const BASE: &str = include_str!("common/base_policies.kdl");

fn base() -> Vec<PolicySource> {
    vec![PolicySource {
        name: "std/policies/base.kdl".to_owned(),
        text: BASE.to_owned(),
    }]
}

fn place_all(placer: &PolicyPlacer, device: &str, assume: Option<&str>, used: &[PolicySource]) {
    let assumed: Option<Vec<String>> = assume.map(|a| vec![a.to_owned()]);
    let setup = PlacementSetup {
        device,
        assumed_devices: assumed.as_deref(),
        policies: used,
    };
    // As the engine does: every file's every error, and no placement when there are any
    // (each placement would load the files again).
    let problems = placer.check(&setup);
    for problem in &problems {
        print("problem", || render(problem.as_ref(), Style::Plain));
    }
    if !problems.is_empty() {
        return;
    }
    let weights = stage("weights", "fetch-model", false, &[("path", "models/m")]);
    let tokens = stage("tokens", "tokenize", false, &[("tokenizer", "weights")]);
    let train = stage(
        "train",
        "train",
        true,
        &[
            ("model", "weights"),
            ("precision", "auto"),
            ("attention", "auto"),
        ],
    );
    let predict = stage(
        "predict",
        "predict",
        true,
        &[("model", "train.best"), ("precision", "bf16")],
    );
    let chain: [(&str, &str, &StageSpec); 4] = [
        ("predict", "model", &train),
        ("predict", "data", &tokens),
        ("train", "model", &weights),
        ("tokens", "tokenizer", &weights),
    ];
    let upstream = upstream(&chain);
    for target in [&weights, &train, &predict] {
        let request = PlacementRequest {
            stage: target.name,
            kind: target.kind,
            params: &target.params,
            uses_device: target.uses_device,
            device,
            policies: used,
            upstream: &upstream,
            project_dir: Path::new(PROJECT),
            assumed_devices: assumed.as_deref(),
        };
        match placer.place(&request) {
            Ok(placement) => {
                print(target.name, || format!("{placement:?}"));
            }
            Err(report) => {
                print(target.name, || render(report.as_ref(), Style::Plain));
            }
        }
    }
}

/// With `CLARITY_FUZZ_PRINT` set (replaying an input), what the target saw is printed.
fn print(what: &str, text: impl FnOnce() -> String) {
    static ON: OnceLock<bool> = OnceLock::new();
    let text = text();
    if *ON.get_or_init(|| std::env::var_os("CLARITY_FUZZ_PRINT").is_some()) {
        eprintln!("--- {what}\n{text}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (header, body) = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("#!") => (Some(&first[2..]), rest),
        _ => (None, &*text),
    };
    let (device, assume) = match header.map(|h| h.split_once(' ').unwrap_or((h, ""))) {
        Some((device, assume)) => (device, (!assume.is_empty()).then_some(assume)),
        None => ("auto", Some("cuda")),
    };
    let mut parts = body.splitn(3, "\n---\n");
    let policy = parts.next().unwrap_or("");
    let config = parts.next();
    let second = parts.next();

    // Templates (warn / env values) on raw text too: every placeholder found or refused.
    if let Ok(template) = Template::parse(policy) {
        let _ = template.render(&|name| Some(FactValue::text(name)));
        let _ = template.render(&|_| None);
    }

    // `use`d by the pipeline, in this order.
    let mut used = vec![PolicySource {
        name: "fuzz.kdl".to_owned(),
        text: policy.to_owned(),
    }];
    if let Some(second) = second {
        used.push(PolicySource {
            name: "second.kdl".to_owned(),
            text: second.to_owned(),
        });
    }

    // And applied: three stages on the machine the header asks for.
    let mut host = MemoryHost::new().var("HF_HOME", "/home/user/hf");
    if let Some(config) = config {
        host = host.file(format!("{PROJECT}/models/m/config.json"), config);
    }
    let cpu = [Backend::Flex, Backend::Candle];
    let placer = PolicyPlacer::new(cpu, move || Inventory::new([], cpu, "linux"))
        .with_host(host)
        .with_base_policies(base());
    place_all(&placer, device, assume, &used);
});
