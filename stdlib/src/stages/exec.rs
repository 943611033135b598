//! `exec`: runs an external command, for steps written in other languages.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread::sleep;
use std::time::{Duration, Instant};

use clarity_engine::{
    ArtifactKind, FingerprintExtra, OutputSpec, ParamProblem, ParamSpec, ParamType, Params,
    PublishContext, Stage, StageContext, StageSchema, Value,
};
use miette::{Diagnostic, IntoDiagnostic};
use thiserror::Error;

use super::predict::PREDICTIONS_FILE;

/// Failures of the `exec` stage.
#[derive(Debug, Error, Diagnostic)]
pub enum ExecError {
    /// The program could not be started.
    #[error("could not start `{program}`")]
    #[diagnostic(
        code(clarity::exec::spawn),
        help("check that the program is installed and on PATH")
    )]
    Spawn {
        /// Program name.
        program: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The command exited unsuccessfully.
    #[error("`{program}` failed ({status})")]
    #[diagnostic(
        code(clarity::exec::failed),
        help("its stderr ended with:\n{stderr_tail}")
    )]
    Failed {
        /// Program name.
        program: String,
        /// Exit status.
        status: ExitStatus,
        /// The last lines of its stderr.
        stderr_tail: String,
    },
    /// The run was cancelled (Ctrl-C); the command was killed.
    #[error("cancelled; `{program}` was stopped")]
    #[diagnostic(code(clarity::exec::cancelled))]
    Cancelled {
        /// Program name.
        program: String,
    },
    /// The command ran longer than its `timeout`; it was killed.
    #[error("`{program}` ran longer than its timeout of {seconds}s and was stopped")]
    #[diagnostic(
        code(clarity::exec::timeout),
        help("raise `timeout` if the command needs longer, or make it faster")
    )]
    Timeout {
        /// Program name.
        program: String,
        /// The timeout, in seconds.
        seconds: f64,
    },
    /// A declared output is missing or does not hold what its kind requires.
    #[error("output `{output}` ({kind}) {problem}")]
    #[diagnostic(
        code(clarity::exec::output),
        help("the command must write it under $CLARITY_OUT_{env}: {expected}")
    )]
    Output {
        /// Output name.
        output: String,
        /// Its declared kind.
        kind: String,
        /// What is wrong.
        problem: String,
        /// The variable naming its directory (after `CLARITY_OUT_`).
        env: String,
        /// What the kind requires.
        expected: &'static str,
    },
    /// An `env` item is not `NAME=VALUE` or `NAME` (only possible when `check` was skipped).
    #[error("env item `{item}` is not NAME=VALUE or NAME")]
    #[diagnostic(code(clarity::exec::env))]
    Env {
        /// The item.
        item: String,
    },
    /// The declared outputs could not be copied to `out`.
    #[error("cannot publish the outputs of `{stage}` to {target}")]
    #[diagnostic(
        code(clarity::exec::publish),
        help("`out` names a path relative to the directory clarity runs in")
    )]
    Publish {
        /// Stage name.
        stage: String,
        /// Where.
        target: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
}

/// The output kinds `exec` can declare with `kind=`, and what each must hold.
const OUTPUT_KINDS: [(&str, ArtifactKind, &str); 4] = [
    (
        "files",
        ArtifactKind::FILES,
        "any files (nothing is checked)",
    ),
    (
        "predictions",
        ArtifactKind::PREDICTIONS,
        "predictions.csv with columns id,clarity_pred[,evasion_pred]",
    ),
    (
        "table",
        ArtifactKind::TABLE,
        "data.jsonl or data.parquet (with table.json), as stages that write tables do",
    ),
    ("metrics", ArtifactKind::METRICS, "metrics.json, a JSON object"),
];

/// Variables passed from clarity's environment to every command: exactly these names, or
/// names starting with one of the prefixes (`LC_*`, ...). Everything else is withheld unless
/// declared with `env "NAME"`.
const SAFE_VARS: [&str; 7] = [
    "PATH",
    "HOME",
    "LANG",
    "TMPDIR",
    "VIRTUAL_ENV",
    "XDG_RUNTIME_DIR",
    "CUDA_VISIBLE_DEVICES",
];
const SAFE_PREFIXES: [&str; 4] = ["LC_", "VK_", "SLURM_", "CLARITY_"];

/// Whether clarity passes `name` to every command without it being declared.
pub fn is_safe_var(name: &str) -> bool {
    SAFE_VARS.contains(&name) || SAFE_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// What `env` items hold in `stage.json` and the run manifest instead of their values.
const HIDDEN: &str = "<hidden>";

/// The `exec` stage kind.
///
/// The command runs in the project directory with these environment variables:
/// `CLARITY_OUT_<NAME>` (the directory for each declared output, name upper-cased with `-`
/// as `_`), `CLARITY_IN_<N>` (the directory of the N-th input, from 0) and
/// `CLARITY_IN_<STAGE>_<OUTPUT>` (the same, by reference), `CLARITY_STAGE`, the safe set of
/// clarity's own variables ([`is_safe_var`]), plus `env` items; nothing else of clarity's
/// environment. Its stdout and stderr are shown live, prefixed with the stage name, and kept
/// in the cache entry's `stage.log`.
#[derive(Debug, Default)]
pub struct Exec;

fn schema() -> StageSchema {
    StageSchema {
        kind: "exec",
        version: 2,
        summary: "Run an external command with declared inputs, outputs and environment",
        params: vec![
            ParamSpec::required(
                "command",
                ParamType::list(ParamType::String),
                "program and arguments, e.g. `command \"python3\" \"prep.py\"`; the script it runs (the first argument naming an existing file, or a program run as `./script`) enters the fingerprint by content",
            ),
            ParamSpec::optional(
                "inputs",
                ParamType::list(ParamType::input(ArtifactKind::FILES)),
                "upstream outputs the command reads (CLARITY_IN_<N>)",
            ),
            ParamSpec::with_default(
                "outputs",
                ParamType::list(ParamType::String),
                Value::List(vec![Value::from("out")]),
                "names of the output directories it writes (CLARITY_OUT_<NAME>); `kind=` after a name types it: `outputs \"preds\" kind=\"predictions\"`",
            ),
            ParamSpec::optional(
                "outputs.kind",
                ParamType::list(ParamType::String),
                "the kind of each output, written `kind=` after its name: files (default), predictions, table or metrics; checked after the command ends",
            ),
            ParamSpec::optional(
                "deps",
                ParamType::list(ParamType::Path),
                "files and directories the command reads; their content enters the fingerprint",
            ),
            ParamSpec::optional(
                "env",
                ParamType::list(ParamType::String),
                "environment variables: NAME=VALUE sets one, a bare NAME passes clarity's own through; only a hash of each enters the fingerprint",
            ),
            ParamSpec::optional(
                "timeout",
                ParamType::POSITIVE,
                "seconds the command may run before it is stopped (the stage fails)",
            ),
            ParamSpec::optional(
                "out",
                ParamType::String,
                "also copy the first output here (relative to the directory clarity runs in): a predictions output's predictions.csv as a file, any other output as a directory",
            ),
        ],
        outputs: vec![OutputSpec::new(
            "out",
            ArtifactKind::FILES,
            "files the command wrote",
        )],
        rules: Vec::new(),
        uses_device: false,
    }
}

/// The declared outputs with their `kind=` names (`files` when none).
fn declared_outputs(params: &Params) -> Vec<(String, String)> {
    let names = list_strs(params, "outputs").unwrap_or_else(|| vec!["out".to_owned()]);
    let kinds = list_strs(params, "outputs.kind").unwrap_or_default();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let kind = kinds
                .get(i)
                .filter(|k| !k.is_empty())
                .cloned()
                .unwrap_or_else(|| "files".to_owned());
            (name, kind)
        })
        .collect()
}

/// A list param's strings (a single value counts as a one-item list).
fn list_strs(params: &Params, name: &str) -> Option<Vec<String>> {
    match params.get(name)? {
        Value::List(items) => Some(
            items
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
        ),
        Value::String(s) => Some(vec![s.clone()]),
        _ => None,
    }
}

fn output_kind(kind: &str) -> Option<(ArtifactKind, &'static str)> {
    OUTPUT_KINDS
        .iter()
        .find(|(name, _, _)| *name == kind)
        .map(|(_, kind, expected)| (*kind, *expected))
}

/// One `env` item: `NAME=VALUE` (set) or `NAME` (passed through).
enum EnvItem<'a> {
    Set(&'a str, &'a str),
    Pass(&'a str),
}

fn env_item(text: &str) -> EnvItem<'_> {
    match text.split_once('=') {
        Some((name, value)) => EnvItem::Set(name, value),
        None => EnvItem::Pass(text),
    }
}

impl EnvItem<'_> {
    fn name(&self) -> &str {
        match self {
            Self::Set(name, _) | Self::Pass(name) => name,
        }
    }
}

impl Stage for Exec {
    fn schema(&self) -> StageSchema {
        schema()
    }

    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        declared_outputs(params)
            .into_iter()
            .map(|(name, kind)| {
                let kind = output_kind(&kind).map_or(ArtifactKind::FILES, |(k, _)| k);
                OutputSpec::new(name, kind, "what the command wrote")
            })
            .collect()
    }

    fn check(&self, params: &Params) -> Vec<ParamProblem> {
        let mut problems = Vec::new();
        if params
            .get_str_list("command")
            .is_ok_and(|argv| argv.is_empty())
        {
            problems.push(ParamProblem::new(
                "command",
                None,
                "the command is empty",
                "name the program and its arguments: `command \"python3\" \"prep.py\"`",
            ));
        }
        for (i, item) in params.opt_list("env").unwrap_or(&[]).iter().enumerate() {
            let text = item.as_str().unwrap_or_default();
            let name = env_item(text).name().to_owned();
            if !is_env_name(&name) {
                problems.push(ParamProblem::new(
                    "env",
                    Some(i),
                    format!("`{name}` is not a valid environment variable name"),
                    "a name is letters, digits and `_`, not starting with a digit: write NAME=VALUE, or NAME to pass clarity's own value through",
                ));
            }
        }
        let kinds = list_strs(params, "outputs.kind").unwrap_or_default();
        for (i, kind) in kinds.iter().enumerate() {
            if !kind.is_empty() && output_kind(kind).is_none() {
                let names: Vec<&str> = OUTPUT_KINDS.iter().map(|(n, _, _)| *n).collect();
                problems.push(ParamProblem::new(
                    "outputs.kind",
                    Some(i),
                    format!("`{kind}` is not an output kind exec can check"),
                    format!("write one of: {}", names.join(", ")),
                ));
            }
        }
        problems
    }

    fn fingerprint_extra(&self, params: &Params, project_dir: &Path) -> FingerprintExtra {
        let mut extra = FingerprintExtra::default();
        // The script a command runs: the first argument naming an existing file, or the
        // program itself when it is a relative path such as `./run.sh` (not an installed
        // program such as `/usr/bin/python3`).
        let argv = params.get_str_list("command").unwrap_or_default();
        let program = argv
            .first()
            .filter(|p| p.contains('/') && Path::new(p).is_relative());
        let script = program
            .into_iter()
            .chain(argv.iter().skip(1))
            .find(|a| project_dir.join(a).is_file());
        if let Some(file) = script {
            extra.file("command", *file);
        }
        for item in params.opt_list("env").unwrap_or(&[]) {
            let text = item.as_str().unwrap_or_default();
            match env_item(text) {
                EnvItem::Set(name, value) => extra.secret(format!("env {name}"), value),
                EnvItem::Pass(name) => {
                    let value = std::env::var_os(name).map_or_else(
                        || "\0unset".to_owned(),
                        |v| v.to_string_lossy().into_owned(),
                    );
                    extra.secret(format!("env {name}"), value);
                }
            }
        }
        extra
    }

    fn recorded_params(&self, params: &Params) -> Params {
        params
            .iter()
            .map(|(name, value)| {
                let value = match (name, value) {
                    ("env", Value::List(items)) => {
                        Value::List(items.iter().map(hide_env_value).collect())
                    }
                    ("env", one) => hide_env_value(one),
                    _ => value.clone(),
                };
                (name.to_owned(), value)
            })
            .collect()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let argv = ctx.params().get_str_list("command")?;
        let Some((program, args)) = argv.split_first() else {
            return Err(ExecError::Env {
                item: "command is empty".into(),
            }
            .into());
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(ctx.project_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // Its own process group, so a timeout or Ctrl-C stops what it started too.
            command.process_group(0);
        }
        set_env(&mut command, ctx)?;
        let timeout = ctx.params().opt_f64("timeout");
        let log = File::create(ctx.log_path()).into_diagnostic()?;
        let child = command.spawn().map_err(|source| ExecError::Spawn {
            program: program.to_string(),
            source,
        })?;
        let (status, stderr_tail) = stream_and_wait(child, ctx, program, timeout, log)?;
        if !status.success() {
            return Err(ExecError::Failed {
                program: program.to_string(),
                status,
                stderr_tail,
            }
            .into());
        }
        for (name, kind) in declared_outputs(ctx.params()) {
            check_output(&name, &kind, ctx.output_dir(&name)?)?;
        }
        Ok(())
    }

    fn publish(&self, ctx: &PublishContext<'_>) -> miette::Result<()> {
        let Some(out) = ctx.params.opt_str("out") else {
            return Ok(());
        };
        let Some((name, kind)) = declared_outputs(ctx.params).into_iter().next() else {
            return Ok(());
        };
        let target = ctx.project_dir.join(out);
        let dir = ctx.output_dir(&name)?;
        let failed = |source| ExecError::Publish {
            stage: ctx.stage_name.to_owned(),
            target: target.display().to_string(),
            source,
        };
        if kind == "predictions" {
            let csv = std::fs::read(dir.join(PREDICTIONS_FILE)).map_err(failed)?;
            if ctx.cached && std::fs::read(&target).is_ok_and(|copy| copy == csv) {
                return Ok(());
            }
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(failed)?;
            }
            std::fs::write(&target, &csv).map_err(failed)?;
        } else if copy_dir(dir, &target).map_err(failed)? == 0 {
            return Ok(());
        }
        ctx.info(&if ctx.cached {
            format!("restored {out} from the cache")
        } else {
            format!("wrote {out}")
        });
        Ok(())
    }
}

fn hide_env_value(item: &Value) -> Value {
    match item.as_str().map(env_item) {
        Some(EnvItem::Set(name, _)) => Value::from(format!("{name}={HIDDEN}")),
        _ => item.clone(),
    }
}

/// Copies the files under `from` into `to` (created; a file there that differs is
/// overwritten, others are left alone). Returns how many files it wrote.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(to)?;
    let mut written = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            written += copy_dir(&entry.path(), &target)?;
        } else {
            let content = std::fs::read(entry.path())?;
            if std::fs::read(&target).is_ok_and(|copy| copy == content) {
                continue;
            }
            std::fs::write(&target, content)?;
            written += 1;
        }
    }
    Ok(written)
}

/// Checks that output `name` holds what its `kind` requires.
fn check_output(name: &str, kind: &str, dir: &Path) -> Result<(), ExecError> {
    let Some((_, expected)) = output_kind(kind) else {
        return Ok(());
    };
    let problem = match kind {
        "predictions" => {
            let csv = dir.join(PREDICTIONS_FILE);
            if csv.is_file() {
                clarity_train::evaluate::read_predictions(&csv)
                    .err()
                    .map(|e| format!("is malformed: {e}"))
            } else {
                Some(format!("is missing: no {PREDICTIONS_FILE} was written"))
            }
        }
        "table" => match clarity_data::table::read_table_artifact(dir) {
            Ok(_) => None,
            Err(e) if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) => {
                Some(format!("is missing: nothing was written ({e})"))
            }
            Err(e) => Some(format!("is malformed: {e}")),
        },
        "metrics" => {
            let path = dir.join("metrics.json");
            match std::fs::read(&path) {
                Err(_) => Some("is missing: no metrics.json was written".to_owned()),
                Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Ok(v) if v.is_object() => None,
                    Ok(_) => Some("is malformed: metrics.json is not a JSON object".to_owned()),
                    Err(e) => Some(format!("is malformed: metrics.json: {e}")),
                },
            }
        }
        _ => None,
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(ExecError::Output {
            output: name.to_owned(),
            kind: kind.to_owned(),
            problem,
            env: env_name(name),
            expected,
        }),
    }
}

fn set_env(command: &mut Command, ctx: &StageContext<'_>) -> miette::Result<()> {
    command.env_clear();
    for (name, value) in std::env::vars_os() {
        if name.to_str().is_some_and(is_safe_var) {
            command.env(name, value);
        }
    }
    command.env("CLARITY_STAGE", ctx.stage_name());
    for name in ctx.output_names() {
        command.env(
            format!("CLARITY_OUT_{}", env_name(name)),
            ctx.output_dir(name)?,
        );
    }
    for (i, input) in ctx.inputs("inputs").iter().enumerate() {
        command.env(format!("CLARITY_IN_{i}"), &input.dir);
        command.env(
            format!("CLARITY_IN_{}", env_name(&input.reference)),
            &input.dir,
        );
    }
    for item in ctx.params().opt_list("env").unwrap_or(&[]) {
        let text = item.as_str().unwrap_or_default();
        match env_item(text) {
            EnvItem::Set(name, value) if is_env_name(name) => {
                command.env(name, value);
            }
            EnvItem::Pass(name) if is_env_name(name) => {
                if let Some(value) = std::env::var_os(name) {
                    command.env(name, value);
                }
            }
            _ => {
                return Err(ExecError::Env {
                    item: text.to_owned(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// `[A-Za-z_][A-Za-z0-9_]*`, what POSIX shells accept.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn env_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The lines of stderr kept for the failure message.
const TAIL_LINES: usize = 10;

/// Streams the child's stdout and stderr, line by line, to the reporter (prefixed with the
/// stage name) and to `log`, and waits for it, stopping it on Ctrl-C or `timeout`. Returns
/// its exit status and the last lines of its stderr.
fn stream_and_wait(
    mut child: Child,
    ctx: &StageContext<'_>,
    program: &str,
    timeout: Option<f64>,
    log: File,
) -> miette::Result<(ExitStatus, String)> {
    let log = Mutex::new(log);
    let tail = Mutex::new(VecDeque::new());
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let started = Instant::now();
    std::thread::scope(|scope| {
        if let Some(out) = stdout {
            let log = &log;
            scope.spawn(move || pump(out, ctx, log, None));
        }
        if let Some(err) = stderr {
            let (log, tail) = (&log, &tail);
            scope.spawn(move || pump(err, ctx, log, Some(tail)));
        }
        let stopped = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(e) => {
                    stop(&mut child);
                    break Err(miette::miette!("waiting for `{program}`: {e}"));
                }
            }
            if ctx.cancelled() {
                stop(&mut child);
                break Err(ExecError::Cancelled {
                    program: program.to_owned(),
                }
                .into());
            }
            if let Some(seconds) = timeout.filter(|s| started.elapsed().as_secs_f64() > *s) {
                stop(&mut child);
                break Err(ExecError::Timeout {
                    program: program.to_owned(),
                    seconds,
                }
                .into());
            }
            sleep(Duration::from_millis(10));
        };
        if stopped.is_ok() {
            // The command is done; anything it left running in its group holds the pipes
            // open, so stop that too rather than wait for it.
            kill_group(&child);
        }
        stopped
    })
    .map(|status| {
        let tail = tail.into_inner().unwrap_or_default();
        let lines: Vec<String> = tail.into_iter().collect();
        (status, lines.join("\n"))
    })
}

/// Copies lines from `from` to the reporter and the log; keeps the last ones in `tail`.
fn pump(
    from: impl Read,
    ctx: &StageContext<'_>,
    log: &Mutex<File>,
    tail: Option<&Mutex<VecDeque<String>>>,
) {
    let mut reader = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if let Ok(mut log) = log.lock() {
            let _ = log.write_all(&line);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']);
        ctx.info(text);
        if let Some(tail) = tail
            && let Ok(mut tail) = tail.lock()
        {
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(text.to_owned());
        }
    }
}

/// Stops the child and everything in its process group.
fn stop(child: &mut Child) {
    kill_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
fn kill_group(child: &Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(not(unix))]
fn kill_group(_: &Child) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(items: &[(&str, Value)]) -> Params {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn the_safe_set_is_exact_names_and_prefixes() {
        for name in ["PATH", "HOME", "LC_ALL", "VK_ICD_FILENAMES", "SLURM_JOB_ID", "CLARITY_X"] {
            assert!(is_safe_var(name), "{name}");
        }
        for name in ["HF_TOKEN", "MY_SECRET", "PATHS", "AWS_SECRET_ACCESS_KEY", "LD_PRELOAD"] {
            assert!(!is_safe_var(name), "{name}");
        }
    }

    #[test]
    fn recorded_params_hide_env_values_only() {
        let p = params(&[
            ("env", list(&["TOKEN=abc", "HF_TOKEN"])),
            ("command", list(&["echo", "TOKEN=abc"])),
        ]);
        let recorded = Exec.recorded_params(&p);
        assert_eq!(
            recorded.get("env"),
            Some(&list(&["TOKEN=<hidden>", "HF_TOKEN"]))
        );
        assert_eq!(recorded.get("command"), p.get("command"));
    }

    #[test]
    fn output_kinds_align_with_names() {
        let p = params(&[
            ("outputs", list(&["plots", "preds"])),
            ("outputs.kind", list(&["", "predictions"])),
        ]);
        let outputs = Exec.outputs(&p);
        let kinds: Vec<(&str, ArtifactKind)> =
            outputs.iter().map(|o| (o.name.as_str(), o.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("plots", ArtifactKind::FILES),
                ("preds", ArtifactKind::PREDICTIONS)
            ]
        );
    }

    #[test]
    fn env_values_enter_the_fingerprint_only_as_secrets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("run.py"), "print(1)").unwrap();
        let p = params(&[
            ("command", list(&["python3", "run.py", "run.py"])),
            ("env", list(&["A=1", "CLARITY_TEST_SURELY_UNSET"])),
        ]);
        let extra = Exec.fingerprint_extra(&p, dir.path());
        assert_eq!(extra.files, [("command".to_owned(), "run.py".to_owned())]);
        assert_eq!(extra.secrets.get("env A").map(String::as_str), Some("1"));
        assert!(extra.secrets.contains_key("env CLARITY_TEST_SURELY_UNSET"));
    }
}
