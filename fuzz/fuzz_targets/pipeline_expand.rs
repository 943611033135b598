//! A pipeline spread over several files: `include` (relative, `..`, cycles), `let` and
//! `${var}` expansion, `foreach` ensembles, `--set` overrides and `use`d policy files,
//! analysed with the real policy layer. Must never panic, hang or exhaust memory; and
//! `fs::normalize` must agree with a model of it on every quoted string of the input.
//!
//! Input (lossy UTF-8):
//! - optional header lines first: `--set A B ..` (the `--set` arguments, space-separated),
//!   `--stdin` (the main file has no path: includes resolve against the project directory),
//!   `--device NAME` (`--device`; else the pipeline's own `device`, else `auto`);
//! - then up to four files separated by a line `---`, at
//!   `/p/a/b/main.kdl` (analysed), `/p/a/b/inc.kdl`, `/p/a/common.kdl` and `/p/common.kdl`.
//!
//! Fixed files around them: `/p/a/b/self.kdl` (includes itself), `/p/a/b/ping.kdl` and
//! `/p/a/b/pong.kdl` (include each other), `/p/a/b/pol.kdl` (a policy file),
//! `/common.kdl` (outside the project), `/p/a/b/data.txt`. The project directory is `/p/a/b`.
#![no_main]

use std::path::{Component, Path};
use std::sync::OnceLock;

use clarity_engine::fs::{MemFs, normalize};
use clarity_engine::graph::{to_dot, to_mermaid};
use clarity_engine::lang::Source;
use clarity_engine::{
    ArtifactKind, Options, OutputSpec, ParamSpec, ParamType, PolicySource, Registry, StageSchema,
    Style,
};
use clarity_policy::facts::MemoryHost;
use clarity_device::{Backend, Inventory};
use clarity_policy::PolicyPlacer;
use libfuzzer_sys::fuzz_target;

mod common;
use common::Fake;

const PROJECT: &str = "/p/a/b";
const FILES: [&str; 4] = [
    "/p/a/b/main.kdl",
    "/p/a/b/inc.kdl",
    "/p/a/common.kdl",
    "/p/common.kdl",
];
/// A few stdlib-like policies (the stdlib's own KDL is slow to parse under ASan).
const BASE_POLICIES: &str = include_str!("common/base_policies.kdl");
const MODEL_CONFIG: &str = r#"{"model_type": "deberta-v2", "hidden_size": 1024, "num_hidden_layers": 24, "vocab_size": 128100}"#;

/// The fake kinds of [`common::registry`], plus `fetch-model` and `train` (which the
/// stdlib's policies look at), with the real policy layer on a CPU-only Linux machine.
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = common::registry();
        registry.register(Fake(StageSchema {
            kind: "fetch-model",
            version: 1,
            summary: "fake",
            params: vec![
                ParamSpec::optional("repo", ParamType::String, "repo"),
                ParamSpec::optional("path", ParamType::String, "path"),
                ParamSpec::optional("revision", ParamType::String, "revision"),
            ],
            outputs: vec![OutputSpec::new("model", ArtifactKind::MODEL, "model")],
            rules: Vec::new(),
            uses_device: false,
        }));
        registry.register(Fake(StageSchema {
            kind: "train",
            version: 1,
            summary: "fake",
            params: vec![
                ParamSpec::required("model", ParamType::input(ArtifactKind::MODEL), "model"),
                ParamSpec::optional("data", ParamType::input(ArtifactKind::FILES), "data"),
                ParamSpec::optional("precision", ParamType::String, "precision"),
                ParamSpec::optional("attention", ParamType::String, "attention"),
                ParamSpec::optional("seed", ParamType::INT, "seed"),
            ],
            outputs: vec![
                OutputSpec::new("best", ArtifactKind::MODEL, "best"),
                OutputSpec::new("metrics", ArtifactKind::METRICS, "metrics"),
            ],
            rules: Vec::new(),
            uses_device: true,
        }));
        let cpu = [Backend::Flex, Backend::Candle];
        let host = MemoryHost::new()
            .var("HF_HOME", "/home/user/hf")
            .file(format!("{PROJECT}/models/m/config.json"), MODEL_CONFIG);
        // A few policies in place of the stdlib's, whose KDL would take the parser ~100 ms
        // per run under ASan, most of a run without (the `policy` target fuzzes those).
        let base = PolicySource {
            name: "std/policies/base.kdl".to_owned(),
            text: BASE_POLICIES.to_owned(),
        };
        let placer = PolicyPlacer::new(cpu, move || Inventory::new([], cpu, "linux"))
            .with_host(host)
            .with_base_policies(vec![base]);
        clarity_policy::install(&mut registry, placer);
        registry
    })
}

/// With `CLARITY_FUZZ_PRINT` set (replaying an input), what the target saw is printed.
fn print(what: &str, text: impl FnOnce() -> String) {
    static ON: OnceLock<bool> = OnceLock::new();
    let text = text();
    if *ON.get_or_init(|| std::env::var_os("CLARITY_FUZZ_PRINT").is_some()) {
        eprintln!("--- {what}\n{text}");
    }
}

/// `normalize` (which resolves every `include` and `use`) against a model of it: `.`
/// dropped, `..` cancels the name before it, stays at the root, and is kept at the start of
/// a relative path (`../../a` is not `a`); and idempotent.
fn check_normalize(path: &Path) {
    let mut model: Vec<Component<'_>> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match model.last() {
                Some(Component::Normal(_)) => {
                    model.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => model.push(part),
            },
            other => model.push(other),
        }
    }
    let once = normalize(path);
    assert_eq!(
        once.components().collect::<Vec<_>>(),
        model,
        "normalize({path:?})"
    );
    assert_eq!(
        normalize(&once),
        once,
        "normalize is not idempotent on {path:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut body: &str = &text;
    let mut sets: Vec<String> = Vec::new();
    let mut stdin = false;
    let mut device: Option<&str> = None;
    while let Some((line, rest)) = body.split_once('\n') {
        if let Some(args) = line.strip_prefix("--set ") {
            sets.extend(args.split(' ').map(str::to_owned));
        } else if line == "--stdin" {
            stdin = true;
        } else if let Some(name) = line.strip_prefix("--device ") {
            device = Some(name);
        } else {
            break;
        }
        body = rest;
    }

    // Every quoted string, as a path on its own and below the project.
    for quoted in body.split('"').skip(1).step_by(2).take(32) {
        check_normalize(Path::new(quoted));
        check_normalize(&Path::new(PROJECT).join(quoted));
    }

    let mut fs = MemFs::new()
        .with("/p/a/b/self.kdl", "include \"self.kdl\"\n")
        .with("/p/a/b/ping.kdl", "let ping=1\ninclude \"pong.kdl\"\n")
        .with("/p/a/b/pong.kdl", "include \"./ping.kdl\"\n")
        .with(
            "/p/a/b/pol.kdl",
            "policy \"fuzz-cpu\" {\n    when {\n        stage \"train\"\n    }\n    device \"cpu\"\n    env \"FUZZ\" \"{stage-name}\"\n}\n",
        )
        .with("/common.kdl", "stage \"outside\" produce text=\"outside\"\n")
        .with("/p/a/b/data.txt", "x");
    let mut main = "";
    for (i, part) in body.splitn(FILES.len(), "\n---\n").enumerate() {
        if i == 0 {
            main = part;
        }
        fs = fs.with(FILES[i], part);
    }

    let registry = registry();
    let path = (!stdin).then(|| FILES[0].into());
    let source = Source::new("main.kdl", path, main);
    let options = Options {
        registry,
        fs: &fs,
        project_dir: Path::new(PROJECT),
        sets: &sets,
        device,
        assumed_devices: None,
    };
    match clarity_engine::analyse(&source, &options) {
        Ok(pipeline) => {
            print("pipeline", || {
                let stages = pipeline
                    .stages
                    .iter()
                    .map(|s| format!("{} {} {:?} {:?}", s.name, s.kind, s.params, s.placement));
                let policies = pipeline.policies.iter().map(|p| p.name.clone());
                let stages: Vec<String> = stages.chain(policies).collect();
                format!(
                    "{} on {}:\n{}",
                    pipeline.name,
                    pipeline.device,
                    stages.join("\n")
                )
            });
            let _ = to_dot(&pipeline);
            let _ = to_mermaid(&pipeline);
            let _ = pipeline.select(&["a".to_owned()]);
        }
        Err(diags) => {
            print("diagnostics", || diags.render(Style::Plain));
        }
    }
});
