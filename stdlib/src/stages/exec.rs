//! `exec`: runs an external command, for steps written in other languages.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::Duration;

use clarity_engine::{
    ArtifactKind, OutputSpec, ParamProblem, ParamSpec, ParamType, Params, Stage, StageContext,
    StageSchema, Value,
};
use miette::{Diagnostic, IntoDiagnostic};
use thiserror::Error;

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
    /// An `env` item is not `KEY=VALUE`.
    #[error("env item `{item}` is not KEY=VALUE")]
    #[diagnostic(code(clarity::exec::env))]
    Env {
        /// The item.
        item: String,
    },
}

/// The `exec` stage kind.
///
/// The command runs in the project directory with these environment variables:
/// `CLARITY_OUT_<NAME>` (the directory for each declared output, name upper-cased with `-`
/// as `_`), `CLARITY_IN_<N>` (the directory of the N-th input, from 0) and
/// `CLARITY_IN_<STAGE>_<OUTPUT>` (the same, by reference), `CLARITY_STAGE`, plus `env` items.
#[derive(Debug, Default)]
pub struct Exec;

fn schema() -> StageSchema {
    StageSchema {
        kind: "exec",
        version: 1,
        summary: "Run an external command with declared inputs, outputs and environment",
        params: vec![
            ParamSpec::required(
                "command",
                ParamType::list(ParamType::String),
                "program and arguments, e.g. `command \"python3\" \"prep.py\"`",
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
                "names of the output directories it writes (CLARITY_OUT_<NAME>)",
            ),
            ParamSpec::optional(
                "env",
                ParamType::list(ParamType::String),
                "extra environment variables, KEY=VALUE",
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

impl Stage for Exec {
    fn schema(&self) -> StageSchema {
        schema()
    }

    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        let names = params
            .get_str_list("outputs")
            .unwrap_or_else(|_| vec!["out"]);
        names
            .into_iter()
            .map(|name| OutputSpec::new(name, ArtifactKind::FILES, "files the command wrote"))
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
            let problem = match text.split_once('=') {
                None => (
                    format!("`{text}` has no value"),
                    "write NAME=VALUE (passing a variable through from clarity's environment is not supported yet)",
                ),
                Some((name, _)) if !is_env_name(name) => (
                    format!("`{name}` is not a valid environment variable name"),
                    "a name is letters, digits and `_`, not starting with a digit",
                ),
                Some(_) => continue,
            };
            problems.push(ParamProblem::new("env", Some(i), problem.0, problem.1));
        }
        problems
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
            .stdin(Stdio::null());
        set_env(&mut command, ctx)?;
        let logs = ctx.scratch_dir().join("stderr.log");
        command
            .stdout(Stdio::from(
                File::create(ctx.scratch_dir().join("stdout.log")).into_diagnostic()?,
            ))
            .stderr(Stdio::from(File::create(&logs).into_diagnostic()?));
        let child = command.spawn().map_err(|source| ExecError::Spawn {
            program: program.to_string(),
            source,
        })?;
        let status = wait(child, ctx, program)?;
        if status.success() {
            return Ok(());
        }
        let stderr_tail = tail(&logs, 10);
        Err(ExecError::Failed {
            program: program.to_string(),
            status,
            stderr_tail,
        }
        .into())
    }
}

fn set_env(command: &mut Command, ctx: &StageContext<'_>) -> miette::Result<()> {
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
        let (key, value) = text.split_once('=').ok_or_else(|| ExecError::Env {
            item: text.to_owned(),
        })?;
        command.env(key, value);
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

fn wait(mut child: Child, ctx: &StageContext<'_>, program: &str) -> miette::Result<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().into_diagnostic()? {
            return Ok(status);
        }
        if ctx.cancelled() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(ExecError::Cancelled {
                program: program.to_owned(),
            }
            .into());
        }
        sleep(Duration::from_millis(10));
    }
}

/// The last `lines` lines of the log at `path`, reading at most its last 64 KiB (a command
/// may print gigabytes).
fn tail(path: &Path, lines: usize) -> String {
    use std::io::{Read, Seek, SeekFrom};
    const WINDOW: u64 = 64 << 10;
    let Ok(mut file) = File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(WINDOW)));
    let mut bytes = Vec::new();
    let _ = file.take(WINDOW).read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
