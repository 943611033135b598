//! Fake stages and helpers shared by the engine's tests (no ML stdlib involved).
#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::Duration;

use clarity_engine::cache::Cache;
use clarity_engine::cache::remote::Remote;
use clarity_engine::fs::{FileSystem, MemFs, RealFs};
use clarity_engine::lang::Source;
use clarity_engine::run::{RunEnv, RunOptions, RunReport, SilentObserver, run_pipeline};
use clarity_engine::{
    ArtifactKind, Bound, Diagnostics, NullReporter, Options, OutputSpec, ParamRule, ParamSpec,
    ParamType, Params, Pipeline, Registry, Stage, StageContext, StageSchema, Style, Value,
};

/// Which stages ran, in order, and how many ran at once.
#[derive(Default)]
pub struct Log {
    pub ran: Mutex<Vec<String>>,
    pub running: AtomicUsize,
    pub max_running: AtomicUsize,
    pub device_running: AtomicUsize,
    pub max_device_running: AtomicUsize,
}

impl Log {
    pub fn ran(&self) -> Vec<String> {
        let mut ran = self.ran.lock().unwrap().clone();
        ran.sort();
        ran
    }

    fn enter(&self, device: bool) {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        if device {
            let now = self.device_running.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_device_running.fetch_max(now, Ordering::SeqCst);
        }
    }

    fn leave(&self, device: bool) {
        self.running.fetch_sub(1, Ordering::SeqCst);
        if device {
            self.device_running.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// `produce`: writes `text` (times `count`) into `out/value.txt`; `extra` is a table.
pub struct Produce(pub Arc<Log>, StageSchema);
/// `concat`: joins the `value.txt` of its `inputs` with `sep`.
pub struct Concat(pub Arc<Log>, StageSchema);
/// `use-table`: needs a `table` input.
pub struct UseTable(pub Arc<Log>, StageSchema);
/// `fail`: always fails (optionally after reading an input).
pub struct Fail(pub Arc<Log>, StageSchema);
/// `wait`: sleeps `ms` milliseconds (polling cancellation); `device` variant uses a device.
pub struct Wait(pub Arc<Log>, StageSchema);
/// `pick`: exactly one of `url` and `dir`, at most one of `fast` and `exact`; `share` in
/// (0, 1), `step` > 0.
pub struct Pick(pub Arc<Log>, StageSchema);

const CHOICES: &[&str] = &["fast", "slow"];

fn out(name: &str, kind: ArtifactKind) -> OutputSpec {
    OutputSpec::new(name, kind, "an output")
}

impl Produce {
    pub fn new(log: Arc<Log>) -> Self {
        Self(
            log,
            StageSchema {
                kind: "produce",
                version: 1,
                summary: "Write a text",
                params: vec![
                    ParamSpec::required("text", ParamType::String, "the text to write"),
                    ParamSpec::with_default(
                        "count",
                        ParamType::Int {
                            min: Some(1),
                            max: Some(10),
                        },
                        Value::Int(1),
                        "repetitions",
                    ),
                    ParamSpec::with_default(
                        "mode",
                        ParamType::Choice(CHOICES),
                        Value::from("fast"),
                        "speed",
                    ),
                    ParamSpec::with_default("flag", ParamType::Bool, Value::Bool(false), "a flag"),
                    ParamSpec::optional(
                        "rate",
                        ParamType::Float {
                            min: Some(Bound::Inclusive(0.0)),
                            max: Some(Bound::Inclusive(1.0)),
                        },
                        "a rate",
                    ),
                    ParamSpec::optional("data", ParamType::Path, "a local file"),
                    ParamSpec::optional("seed", ParamType::INT, "a seed"),
                    ParamSpec::optional("stop.patience", ParamType::INT, "a group member"),
                    ParamSpec::optional("stop.metric", ParamType::String, "a group member"),
                ],
                outputs: vec![
                    out("out", ArtifactKind::FILES),
                    out("extra", ArtifactKind::TABLE),
                ],
                rules: Vec::new(),
                uses_device: false,
            },
        )
    }
}

impl Stage for Produce {
    fn schema(&self) -> StageSchema {
        self.1.clone()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        self.0.ran.lock().unwrap().push(ctx.stage_name().to_owned());
        let text = ctx
            .params()
            .get_str("text")?
            .repeat(ctx.params().get_i64("count")? as usize);
        let data = match ctx.params().opt_path("data") {
            Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
            None => String::new(),
        };
        std::fs::write(
            ctx.output_dir("out")?.join("value.txt"),
            format!("{text}{data}"),
        )
        .unwrap();
        ctx.record_metric("length", text.len() as f64);
        Ok(())
    }
}

impl Concat {
    pub fn new(log: Arc<Log>) -> Self {
        Self(
            log,
            StageSchema {
                kind: "concat",
                version: 1,
                summary: "Join texts",
                params: vec![
                    ParamSpec::required(
                        "inputs",
                        ParamType::list(ParamType::input(ArtifactKind::FILES)),
                        "texts",
                    ),
                    ParamSpec::with_default(
                        "sep",
                        ParamType::String,
                        Value::from(","),
                        "separator",
                    ),
                ],
                outputs: vec![out("out", ArtifactKind::FILES)],
                rules: Vec::new(),
                uses_device: false,
            },
        )
    }
}

impl Stage for Concat {
    fn schema(&self) -> StageSchema {
        self.1.clone()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        self.0.ran.lock().unwrap().push(ctx.stage_name().to_owned());
        let parts: Vec<String> = ctx
            .inputs("inputs")
            .iter()
            .map(|i| std::fs::read_to_string(i.dir.join("value.txt")).unwrap_or_default())
            .collect();
        let joined = parts.join(ctx.params().get_str("sep")?);
        std::fs::write(ctx.output_dir("out")?.join("value.txt"), joined).unwrap();
        Ok(())
    }
}

impl UseTable {
    pub fn new(log: Arc<Log>) -> Self {
        let params = vec![ParamSpec::required(
            "table",
            ParamType::input(ArtifactKind::TABLE),
            "a table",
        )];
        Self(
            log,
            StageSchema {
                kind: "use-table",
                version: 1,
                summary: "Read a table",
                params,
                outputs: vec![out("out", ArtifactKind::FILES)],
                rules: Vec::new(),
                uses_device: false,
            },
        )
    }
}

impl Stage for UseTable {
    fn schema(&self) -> StageSchema {
        self.1.clone()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        self.0.ran.lock().unwrap().push(ctx.stage_name().to_owned());
        std::fs::write(ctx.output_dir("out")?.join("value.txt"), "table").unwrap();
        Ok(())
    }
}

impl Fail {
    pub fn new(log: Arc<Log>) -> Self {
        let params = vec![ParamSpec::optional(
            "after",
            ParamType::input(ArtifactKind::FILES),
            "runs after this",
        )];
        Self(
            log,
            StageSchema {
                kind: "fail",
                version: 1,
                summary: "Always fail",
                params,
                outputs: vec![out("out", ArtifactKind::FILES)],
                rules: Vec::new(),
                uses_device: false,
            },
        )
    }
}

impl Stage for Fail {
    fn schema(&self) -> StageSchema {
        self.1.clone()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        self.0.ran.lock().unwrap().push(ctx.stage_name().to_owned());
        std::fs::write(ctx.output_dir("out")?.join("half.txt"), "half").unwrap();
        Err(miette::miette!("the fake stage failed on purpose"))
    }
}

impl Wait {
    pub fn new(log: Arc<Log>, device: bool) -> Self {
        let params = vec![
            ParamSpec::with_default("ms", ParamType::INT, Value::Int(50), "milliseconds"),
            ParamSpec::optional(
                "after",
                ParamType::list(ParamType::input(ArtifactKind::FILES)),
                "runs after these",
            ),
        ];
        let kind = if device { "device-wait" } else { "wait" };
        Self(
            log,
            StageSchema {
                kind,
                version: 1,
                summary: "Sleep",
                params,
                outputs: vec![out("out", ArtifactKind::FILES)],
                rules: Vec::new(),
                uses_device: device,
            },
        )
    }
}

impl Stage for Wait {
    fn schema(&self) -> StageSchema {
        self.1.clone()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let device = self.1.uses_device;
        self.0.enter(device);
        self.0.ran.lock().unwrap().push(ctx.stage_name().to_owned());
        let ms = ctx.params().get_i64("ms")?;
        let mut slept = 0;
        while slept < ms && !ctx.cancelled() {
            sleep(Duration::from_millis(5));
            slept += 5;
        }
        std::fs::write(ctx.output_dir("out")?.join("partial.txt"), "x").unwrap();
        self.0.leave(device);
        if ctx.cancelled() {
            return Err(miette::miette!("cancelled"));
        }
        Ok(())
    }
}

impl Pick {
    pub fn new(log: Arc<Log>) -> Self {
        let open = |min: f64, max: Option<f64>| ParamType::Float {
            min: Some(Bound::Exclusive(min)),
            max: max.map(Bound::Exclusive),
        };
        Self(
            log,
            StageSchema {
                kind: "pick",
                version: 1,
                summary: "Pick a source",
                params: vec![
                    ParamSpec::optional("url", ParamType::String, "a remote source"),
                    ParamSpec::optional("dir", ParamType::String, "a local source"),
                    ParamSpec::optional("fast", ParamType::Bool, "go fast"),
                    ParamSpec::optional("exact", ParamType::Bool, "be exact"),
                    ParamSpec::optional("share", open(0.0, Some(1.0)), "a share"),
                    ParamSpec::with_default("step", open(0.0, None), Value::Float(0.5), "a step"),
                ],
                outputs: vec![out("out", ArtifactKind::FILES)],
                rules: vec![
                    ParamRule::ExactlyOne(&["url", "dir"]),
                    ParamRule::AtMostOne(&["fast", "exact"]),
                ],
                uses_device: false,
            },
        )
    }
}

impl Stage for Pick {
    fn schema(&self) -> StageSchema {
        self.1.clone()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        self.0.ran.lock().unwrap().push(ctx.stage_name().to_owned());
        std::fs::write(ctx.output_dir("out")?.join("value.txt"), "picked").unwrap();
        Ok(())
    }
}

/// A registry of the fake stages sharing `log`.
pub fn registry(log: &Arc<Log>) -> Registry {
    let mut registry = Registry::new();
    registry
        .register(Produce::new(Arc::clone(log)))
        .register(Concat::new(Arc::clone(log)))
        .register(UseTable::new(Arc::clone(log)))
        .register(Fail::new(Arc::clone(log)))
        .register(Wait::new(Arc::clone(log), false))
        .register(Wait::new(Arc::clone(log), true))
        .register(Pick::new(Arc::clone(log)));
    registry
}

/// Analyses `text` (named `pipeline.kdl`) with the fake stages, files in `fs`, `sets`.
pub fn analyse_with(
    text: &str,
    fs: &dyn FileSystem,
    sets: &[&str],
) -> Result<Pipeline, Diagnostics> {
    let log = Arc::new(Log::default());
    let registry = registry(&log);
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let source = Source::new("pipeline.kdl", Some("pipeline.kdl".into()), text);
    let options = Options {
        registry: &registry,
        fs,
        project_dir: Path::new(""),
        sets: &sets,
        device: None,
        assumed_devices: None,
    };
    clarity_engine::analyse(&source, &options)
}

/// Analyses `text` with no other files.
pub fn analyse(text: &str) -> Result<Pipeline, Diagnostics> {
    analyse_with(text, &MemFs::new(), &[])
}

/// The plain rendering of every error of `text`; panics if it is valid.
pub fn errors(text: &str) -> String {
    errors_with(text, &MemFs::new(), &[])
}

/// The plain rendering of every error of `text` with files and `--set`s.
pub fn errors_with(text: &str, fs: &dyn FileSystem, sets: &[&str]) -> String {
    match analyse_with(text, fs, sets) {
        Ok(_) => panic!("expected errors in:\n{text}"),
        Err(diags) => diags.render(Style::Plain),
    }
}

/// The diagnostic codes of `text`'s errors.
pub fn codes(text: &str) -> Vec<String> {
    match analyse(text) {
        Ok(_) => Vec::new(),
        Err(diags) => diags.codes(),
    }
}

/// A project directory on disk, with a fake-stage registry, for runs.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub log: Arc<Log>,
    pub registry: Registry,
}

impl Project {
    pub fn new() -> Self {
        let log = Arc::new(Log::default());
        let registry = registry(&log);
        Self {
            dir: tempfile::tempdir().unwrap(),
            log,
            registry,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    pub fn pipeline(&self, text: &str, sets: &[&str]) -> Pipeline {
        self.pipeline_on(text, sets, None)
    }

    /// The pipeline with `--device` set to `device`.
    pub fn pipeline_on(&self, text: &str, sets: &[&str], device: Option<&str>) -> Pipeline {
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let source = Source::new("pipeline.kdl", None, text);
        let options = Options {
            registry: &self.registry,
            fs: &RealFs,
            project_dir: self.path(),
            sets: &sets,
            device,
            assumed_devices: None,
        };
        match clarity_engine::analyse(&source, &options) {
            Ok(p) => p,
            Err(d) => panic!("{}", d.render(Style::Plain)),
        }
    }

    pub fn cache(&self) -> Cache {
        Cache::open(self.path().join(".clarity")).unwrap()
    }

    /// Runs `text` and returns the report; clears the log first.
    pub fn run(&self, text: &str, sets: &[&str], options: RunOpts) -> RunReport {
        self.run_cancellable(text, sets, options, &AtomicBool::new(false))
    }

    pub fn run_cancellable(
        &self,
        text: &str,
        sets: &[&str],
        options: RunOpts,
        cancel: &AtomicBool,
    ) -> RunReport {
        self.run_full(text, sets, options, cancel, None)
    }

    /// Runs `text` with a remote cache.
    pub fn run_remote(&self, text: &str, remote: &Remote) -> RunReport {
        let cancel = AtomicBool::new(false);
        self.run_full(text, &[], RunOpts::default(), &cancel, Some(remote))
    }

    fn run_full(
        &self,
        text: &str,
        sets: &[&str],
        options: RunOpts,
        cancel: &AtomicBool,
        remote: Option<&Remote>,
    ) -> RunReport {
        self.log.ran.lock().unwrap().clear();
        let pipeline = self.pipeline_on(text, sets, options.device);
        let only: Vec<String> = options.only.iter().map(|s| s.to_string()).collect();
        let selected = pipeline.select(&only).unwrap();
        let cache = self.cache();
        let named: Vec<String> = options.force_stages.iter().map(|s| s.to_string()).collect();
        let mut force = pipeline.forced(&named).unwrap();
        if options.force {
            force.extend(selected.iter().copied());
        }
        let run_options = RunOptions {
            jobs: options.jobs,
            force,
            offline: true,
            device: "auto".into(),
            selected,
            overrides: Default::default(),
            sweep: Default::default(),
            devices: options.devices.iter().map(|d| d.to_string()).collect(),
        };
        let env = RunEnv {
            cache: &cache,
            project_dir: self.path(),
            file: "pipeline.kdl",
            cancel,
            reporter: &NullReporter,
            observer: &SilentObserver,
            executor: &clarity_engine::run::InProcess,
            remote,
        };
        run_pipeline(&pipeline, &run_options, &env).unwrap()
    }

    /// The value.txt of `stage`'s output `out` after a run.
    pub fn value(&self, report: &RunReport, stage: &str) -> String {
        let record = report
            .manifest
            .stages
            .iter()
            .find(|r| r.name == stage)
            .unwrap();
        std::fs::read_to_string(record.outputs["out"].join("value.txt")).unwrap()
    }
}

/// Run options for tests.
#[derive(Clone, Copy)]
pub struct RunOpts {
    pub jobs: usize,
    pub force: bool,
    /// `--force=STAGE` for each.
    pub force_stages: &'static [&'static str],
    pub only: &'static [&'static str],
    pub device: Option<&'static str>,
    /// `--devices`.
    pub devices: &'static [&'static str],
}

impl Default for RunOpts {
    fn default() -> Self {
        Self {
            jobs: 2,
            force: false,
            force_stages: &[],
            only: &[],
            device: None,
            devices: &[],
        }
    }
}

/// The status of each stage of a report, `name=status`, in schedule order.
pub fn statuses(report: &RunReport) -> Vec<String> {
    let mut out: Vec<String> = report
        .manifest
        .stages
        .iter()
        .map(|r| format!("{}={}", r.name, r.status.name()))
        .collect();
    out.sort();
    out
}

pub fn params_of(pipeline: &Pipeline, stage: &str) -> Params {
    pipeline.stages[pipeline.index(stage).unwrap()]
        .params
        .clone()
}

/// Compares `actual` with `tests/expected/NAME.txt` (the reviewed rendering). With
/// `CLARITY_BLESS=1` in the environment it writes the file instead.
pub fn assert_expected(name: &str, actual: &str) {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/expected")
    .join(format!("{name}.txt"));
    if std::env::var_os("CLARITY_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {}; run with CLARITY_BLESS=1", path.display()));
    assert_eq!(actual, expected, "rendering of `{name}` changed");
}

/// What a diagnostic says, apart from how miette draws it: its code, each label's span
/// (offset, length) and text, and its help.
#[derive(Debug, PartialEq, Eq)]
pub struct Meaning {
    pub code: String,
    pub labels: Vec<(usize, usize, String)>,
    pub help: Option<String>,
}

impl Meaning {
    pub fn new(code: &str, labels: &[(usize, usize, &str)], help: Option<&str>) -> Self {
        Self {
            code: code.to_owned(),
            labels: labels
                .iter()
                .map(|&(offset, len, text)| (offset, len, text.to_owned()))
                .collect(),
            help: help.map(str::to_owned),
        }
    }
}

/// The meaning of each diagnostic, in order.
pub fn meanings_of(diags: &Diagnostics) -> Vec<Meaning> {
    diags
        .iter()
        .map(|d| Meaning {
            code: d.code().map(|c| c.to_string()).unwrap_or_default(),
            labels: d
                .labels()
                .into_iter()
                .flatten()
                .map(|l| {
                    (
                        l.offset(),
                        l.len(),
                        l.label().unwrap_or_default().to_owned(),
                    )
                })
                .collect(),
            help: d.help().map(|h| h.to_string()),
        })
        .collect()
}

/// The meaning of every error of `text` with files and `--set`s; panics if it is valid.
pub fn meanings_with(text: &str, fs: &dyn FileSystem, sets: &[&str]) -> Vec<Meaning> {
    match analyse_with(text, fs, sets) {
        Ok(_) => panic!("expected errors in:\n{text}"),
        Err(diags) => meanings_of(&diags),
    }
}

/// The meaning of every error of `text`; panics if it is valid.
pub fn meanings(text: &str) -> Vec<Meaning> {
    meanings_with(text, &MemFs::new(), &[])
}
