//! Which executor a run uses — `--executor`, else the pipeline's `executor` block, else the
//! user's config file, else in-process — and the resource defaults it starts from; a
//! cluster executor's cluster is checked before any stage runs.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use crate::Pipeline;
use crate::analyse::user_executor;
use crate::diag::Style;
use crate::lang::Source;
use crate::resources::ExecutorConfig;
use crate::run::slurm::check_cluster;
use crate::run::{Executor, InProcess, ProcessExecutor, SlurmExecutor};

use super::{CliError, ExecutorKind, PipelineArgs, RunArgs};

/// The executor chosen for a run, with its resource defaults.
pub struct Choice {
    /// Where stages run.
    pub kind: ExecutorKind,
    /// The pipeline's `executor` block over the user's.
    pub config: ExecutorConfig,
}

/// The run's executor kind and defaults; `None` after printing a mistake in the user's
/// config file.
pub fn choose(args: &RunArgs, pipeline: &Pipeline, style: Style) -> Option<Choice> {
    let user = match read_user_config(style) {
        Ok(user) => user,
        Err(message) => {
            eprint!("{message}");
            return None;
        }
    };
    let merged = match (&pipeline.executor, user) {
        (Some(own), Some(user)) => ExecutorConfig {
            kind: own.kind.clone(),
            defaults: own.defaults.over(&user.defaults),
        },
        (Some(own), None) => own.clone(),
        (None, Some(user)) => user,
        (None, None) => ExecutorConfig {
            kind: "local".to_owned(),
            ..ExecutorConfig::default()
        },
    };
    let kind = args.executor.unwrap_or(match merged.kind.as_str() {
        "slurm" => ExecutorKind::Slurm,
        "process" => ExecutorKind::Process,
        _ => ExecutorKind::Local,
    });
    Some(Choice {
        kind,
        config: merged,
    })
}

impl Choice {
    /// The executor, its cluster checked for the `selected` stages.
    pub fn build(
        &self,
        args: &RunArgs,
        pipeline: &Pipeline,
        selected: &BTreeSet<usize>,
    ) -> Result<Box<dyn Executor>, miette::Report> {
        Ok(match self.kind {
            ExecutorKind::Local => Box::new(InProcess),
            ExecutorKind::Process => Box::new(ProcessExecutor {
                exe: std::env::current_exe().map_err(CliError::CurrentExe)?,
                args: worker_args(&args.pipeline),
            }),
            ExecutorKind::Slurm => {
                let defaults = self.config.defaults.clone();
                let mut partitions: Vec<(String, String)> = defaults
                    .partition
                    .iter()
                    .map(|p| (p.clone(), "the `executor` settings".to_owned()))
                    .collect();
                for &i in selected {
                    let stage = &pipeline.stages[i];
                    if let Some(p) = &stage.resources.partition {
                        partitions.push((p.clone(), format!("stage `{}`", stage.name)));
                    }
                }
                check_cluster(&partitions)?;
                Box::new(SlurmExecutor {
                    exe: std::env::current_exe().map_err(CliError::CurrentExe)?,
                    args: worker_args(&args.pipeline),
                    defaults,
                    poll: Duration::from_millis(500),
                })
            }
        })
    }
}

/// The user's config file: `$CLARITY_CONFIG`, else `$XDG_CONFIG_HOME/clarity/config.kdl`,
/// else `~/.config/clarity/config.kdl`.
pub fn user_config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CLARITY_CONFIG") {
        return Some(PathBuf::from(path));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("clarity/config.kdl"))
}

/// The user's `executor` block, if the file exists; its mistakes, rendered.
fn read_user_config(style: Style) -> Result<Option<ExecutorConfig>, String> {
    let Some(path) = user_config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        // No file, or a HOME that is not a directory: no user config.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None);
        }
        Err(e) => return Err(format!("error: cannot read {}: {e}\n", path.display())),
    };
    let source = Source::new(path.display().to_string(), Some(path), text);
    user_executor(&source).map_err(|diags| diags.render(style))
}

/// The arguments with which a worker loads the same pipeline (the file made absolute, so a
/// cluster job finds it from any directory).
fn worker_args(args: &PipelineArgs) -> Vec<String> {
    let mut out: Vec<String> = args
        .file
        .iter()
        .map(|f| {
            std::path::absolute(f)
                .unwrap_or_else(|_| f.clone())
                .display()
                .to_string()
        })
        .collect();
    for set in &args.set {
        out.extend(["--set".to_owned(), set.clone()]);
    }
    for sweep in &args.sweep {
        out.extend(["--sweep".to_owned(), sweep.clone()]);
    }
    if let Some(device) = &args.device {
        out.extend(["--device".to_owned(), device.clone()]);
    }
    if args.offline {
        out.push("--offline".to_owned());
    }
    if let Some(remote) = &args.remote {
        out.extend(["--remote".to_owned(), remote.clone()]);
    }
    out
}
