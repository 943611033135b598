//! `exec`: runs an external command, for steps written in other languages.

use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};

use clarity_engine::{
    ArtifactKind, FingerprintExtra, OutputSpec, ParamProblem, ParamSpec, ParamType, Params,
    PublishContext, Stage, StageContext, StageSchema, Value,
};
use miette::IntoDiagnostic;

use super::predict::PREDICTIONS_FILE;

mod env;
mod error;
mod outputs;
mod process;

use env::*;
pub use error::ExecError;
use outputs::*;
use process::*;

/// The `exec` stage kind.
///
/// The command runs in the project directory with these environment variables:
/// `CLARITY_OUT_<NAME>` (the directory for each declared output, name upper-cased with `-`
/// as `_`), `CLARITY_IN_<N>` (the directory of the N-th input, from 0) and
/// `CLARITY_IN_<STAGE>_<OUTPUT>` (the same, by reference), `CLARITY_STAGE`, the safe set of
/// clarity's own variables (`is_safe_var`), plus `env` items; nothing else of clarity's
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
        for name in [
            "PATH",
            "HOME",
            "LC_ALL",
            "VK_ICD_FILENAMES",
            "SLURM_JOB_ID",
            "CLARITY_X",
        ] {
            assert!(is_safe_var(name), "{name}");
        }
        for name in [
            "HF_TOKEN",
            "MY_SECRET",
            "PATHS",
            "AWS_SECRET_ACCESS_KEY",
            "LD_PRELOAD",
        ] {
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
