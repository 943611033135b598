//! What can be known before any stage runs: Slurm's tools are there, the controller answers,
//! and every partition the stages ask for exists.

use std::collections::BTreeSet;
use std::process::Command;

use miette::Diagnostic;
use thiserror::Error;

/// The cluster cannot take the pipeline's jobs.
#[derive(Debug, Error, Diagnostic)]
pub enum SlurmError {
    /// `sbatch` is not on `PATH`.
    #[error("`--executor slurm` needs `sbatch`, which is not on PATH")]
    #[diagnostic(
        code(clarity::executor::no_sbatch),
        help(
            "run on a machine with Slurm's client tools (sbatch, squeue, scontrol, scancel), e.g. a login node, or use `--executor local`"
        )
    )]
    NoSbatch,
    /// `sinfo` failed: no controller to talk to.
    #[error("cannot reach the Slurm controller: {message}")]
    #[diagnostic(
        code(clarity::executor::no_controller),
        help("check that slurmctld is up (`sinfo`) and that this machine's slurm.conf names it")
    )]
    NoController {
        /// What `sinfo` said.
        message: String,
    },
    /// A partition the cluster does not have.
    #[error("Slurm has no partition `{partition}` (asked for by {by})")]
    #[diagnostic(code(clarity::executor::partition))]
    UnknownPartition {
        /// The partition.
        partition: String,
        /// Which stage or block asked for it.
        by: String,
        /// The partitions there are.
        #[help]
        help: String,
    },
    /// `shared-filesystem #false` without a remote cache.
    #[error("Slurm nodes without the project's filesystem need a remote cache")]
    #[diagnostic(
        code(clarity::executor::no_remote),
        help(
            "their jobs get their inputs from and give their results to one: set it with `--remote URL`, `CLARITY_REMOTE` or `cache {{ remote \"s3://bucket/prefix\" }}` — an address every node reaches"
        )
    )]
    NoRemote,
    /// A file of the pipeline outside the project directory, which a job cannot carry.
    #[error("`{path}` is outside the project directory")]
    #[diagnostic(
        code(clarity::executor::outside),
        help(
            "a job on a node without the project's filesystem carries the pipeline's files by their place under the project directory (where `clarity run` starts): move it there"
        )
    )]
    Outside {
        /// The file.
        path: String,
    },
}

/// Checks the cluster for jobs asking for these partitions (`(partition, who asks)`).
pub fn check_cluster(partitions: &[(String, String)]) -> Result<(), SlurmError> {
    if !on_path("sbatch") {
        return Err(SlurmError::NoSbatch);
    }
    let out = Command::new("sinfo")
        .args(["-h", "-o", "%P"])
        .output()
        .map_err(|e| SlurmError::NoController {
            message: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(SlurmError::NoController {
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    // The default partition is printed with a `*`.
    let known: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().trim_end_matches('*').to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    for (partition, by) in partitions {
        if !known.contains(partition) {
            let list: Vec<&str> = known.iter().map(String::as_str).collect();
            let help = crate::suggest::did_you_mean(partition, list.iter().copied(), || {
                format!("the cluster's partitions: {}", list.join(", "))
            });
            return Err(SlurmError::UnknownPartition {
                partition: partition.clone(),
                by: by.clone(),
                help,
            });
        }
    }
    Ok(())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(program);
            candidate.is_file()
        })
    })
}
