//! Which executor a run uses — `--executor`, else the pipeline's `executor` block, else the
//! user's config file, else in-process — and the resource defaults it starts from; a
//! cluster executor's cluster is checked before any stage runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::Pipeline;
use crate::analyse::user_executor;
use crate::cache::remote::Remote;
use crate::diag::Style;
use crate::lang::Source;
use crate::resources::ExecutorConfig;
use crate::run::slurm::{Carried, Queue, SlurmError, check_cluster};
use crate::run::{Executor, InProcess, ProcessExecutor, SlurmExecutor};

use super::{CliError, ExecutorKind, PipelineArgs, RemoteArg, RunArgs};

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
            shared_filesystem: own.shared_filesystem.or(user.shared_filesystem),
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
    /// The executor, its cluster checked for the `selected` stages (and, for nodes without
    /// the project's filesystem, that a remote cache carries the stages' entries).
    pub fn build(
        &self,
        args: &RunArgs,
        pipeline: &Pipeline,
        selected: &BTreeSet<usize>,
        away: &Away<'_>,
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
                let (args, carried) = match self.config.shared_filesystem {
                    Some(false) => {
                        let (args, carried) = away.carried(&args.pipeline)?;
                        (args, Some(carried))
                    }
                    _ => (worker_args(&args.pipeline), None),
                };
                check_cluster(&partitions)?;
                Box::new(SlurmExecutor {
                    exe: std::env::current_exe().map_err(CliError::CurrentExe)?,
                    args,
                    defaults,
                    queue: Arc::new(Queue::new(Duration::from_millis(500))),
                    carried,
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

/// What a run knows that a job on a node without the project's filesystem needs.
pub struct Away<'a> {
    /// The run's remote cache.
    pub remote: Option<&'a Remote>,
    /// The files the pipeline was read from.
    pub sources: &'a BTreeMap<PathBuf, String>,
    /// The project directory.
    pub project_dir: &'a Path,
}

impl<'a> Away<'a> {
    /// What a run with this remote cache, read from these files, in this project, knows.
    pub fn new(
        remote: Option<&'a Remote>,
        sources: &'a BTreeMap<PathBuf, String>,
        project_dir: &'a Path,
    ) -> Self {
        Self {
            remote,
            sources,
            project_dir,
        }
    }

    /// The worker's arguments — the pipeline file by its path under the job's scratch
    /// directory, the remote cache by its full address — and the files the job carries.
    fn carried(&self, args: &PipelineArgs) -> Result<(Vec<String>, Carried), SlurmError> {
        let remote = self.remote.ok_or(SlurmError::NoRemote)?;
        let relative = |path: &Path| {
            std::path::absolute(path)
                .ok()
                .and_then(|p| p.strip_prefix(self.project_dir).ok().map(Path::to_path_buf))
                .filter(|p| p.components().all(|c| matches!(c, Component::Normal(_))))
                .ok_or_else(|| SlurmError::Outside {
                    path: path.display().to_string(),
                })
        };
        let mut files = Vec::new();
        for (path, text) in self.sources {
            files.push((relative(path)?.display().to_string(), text.clone()));
        }
        let file = args.file.as_deref().map(relative).transpose()?;
        let local = PipelineArgs {
            remote: RemoteArg {
                url: Some(remote.shown().to_owned()),
            },
            ..args.clone()
        };
        Ok((worker_words(file.as_deref(), &local), Carried { files }))
    }
}

/// The arguments with which a worker loads the same pipeline (the file made absolute, so a
/// cluster job finds it from any directory).
fn worker_args(args: &PipelineArgs) -> Vec<String> {
    let file = args
        .file
        .as_deref()
        .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.to_path_buf()));
    worker_words(file.as_deref(), args)
}

/// `file`, then the options of `args` a worker needs.
fn worker_words(file: Option<&Path>, args: &PipelineArgs) -> Vec<String> {
    let mut out: Vec<String> = file.iter().map(|f| f.display().to_string()).collect();
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
    if let Some(remote) = &args.remote.url {
        out.extend(["--remote".to_owned(), remote.clone()]);
    }
    out
}
