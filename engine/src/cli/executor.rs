//! Which executor a run uses: `--executor`, else the pipeline's `executor` block, else
//! in-process; a cluster executor's cluster is checked before any stage runs.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::Pipeline;
use crate::run::slurm::check_cluster;
use crate::run::{Executor, InProcess, ProcessExecutor, SlurmExecutor};

use super::{CliError, ExecutorKind, PipelineArgs, RunArgs};

/// The executor kind: `--executor`, else the pipeline's block, else `local`.
pub fn kind(args: &RunArgs, pipeline: &Pipeline) -> ExecutorKind {
    args.executor.unwrap_or_else(
        || match pipeline.executor.as_ref().map(|e| e.kind.as_str()) {
            Some("slurm") => ExecutorKind::Slurm,
            Some("process") => ExecutorKind::Process,
            _ => ExecutorKind::Local,
        },
    )
}

/// The run's executor, its cluster checked for the `selected` stages.
pub fn executor(
    args: &RunArgs,
    pipeline: &Pipeline,
    selected: &BTreeSet<usize>,
) -> Result<Box<dyn Executor>, miette::Report> {
    Ok(match kind(args, pipeline) {
        ExecutorKind::Local => Box::new(InProcess),
        ExecutorKind::Process => Box::new(ProcessExecutor {
            exe: std::env::current_exe().map_err(CliError::CurrentExe)?,
            args: worker_args(&args.pipeline),
        }),
        ExecutorKind::Slurm => {
            let defaults = pipeline
                .executor
                .as_ref()
                .map(|e| e.defaults.clone())
                .unwrap_or_default();
            let mut partitions: Vec<(String, String)> = defaults
                .partition
                .iter()
                .map(|p| (p.clone(), "the `executor` block".to_owned()))
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
    out
}
