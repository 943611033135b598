//! Where a ready stage runs: the scheduler hands it to an [`Executor`] on a thread of its
//! own and waits for its [`Outcome`]. In-process is the default; [`ProcessExecutor`] runs
//! each stage as `clarity worker` in a child process (a crash or an out-of-memory kill
//! fails that stage, not the run); [`SlurmExecutor`] submits that same command as a Slurm
//! job. Another cluster (Kubernetes Jobs, Ray) is one more implementation of [`Executor`].

use super::execute::{Dispatch, ExecEnv, execute};
use super::{Failure, Outcome};

pub use super::process::ProcessExecutor;
pub use super::slurm::SlurmExecutor;

/// Runs one stage to completion (blocking; called on the stage's own thread).
pub trait Executor: Sync {
    /// Runs stage `i` into its cache entry, as [`Dispatch`] resolved it.
    fn run(&self, env: &ExecEnv<'_>, i: usize, dispatch: Dispatch) -> Result<Outcome, Failure>;

    /// Whether stages run on this machine's devices, so device-bound stages wait for a
    /// free one (a cluster executor's jobs get their devices from the cluster).
    fn shares_devices(&self) -> bool {
        true
    }
}

/// Runs stages in this process (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct InProcess;

impl Executor for InProcess {
    fn run(&self, env: &ExecEnv<'_>, i: usize, dispatch: Dispatch) -> Result<Outcome, Failure> {
        execute(env, i, dispatch)
    }
}
