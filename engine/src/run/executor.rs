//! Where a ready stage runs: the scheduler hands it to an [`Executor`] on a thread of its
//! own and waits for its [`Outcome`]. In-process is the default; [`ProcessExecutor`] runs
//! each stage as `clarity worker` in a child process (a crash or an out-of-memory kill
//! fails that stage, not the run) — the job a cluster executor submits is the same
//! command.

use super::execute::{Dispatch, ExecEnv, execute};
use super::{Failure, Outcome};

pub use super::process::ProcessExecutor;

/// Runs one stage to completion (blocking; called on the stage's own thread).
pub trait Executor: Sync {
    /// Runs stage `i` into its cache entry, as [`Dispatch`] resolved it.
    fn run(&self, env: &ExecEnv<'_>, i: usize, dispatch: Dispatch) -> Result<Outcome, Failure>;
}

/// Runs stages in this process (the default).
#[derive(Clone, Copy, Debug, Default)]
pub struct InProcess;

impl Executor for InProcess {
    fn run(&self, env: &ExecEnv<'_>, i: usize, dispatch: Dispatch) -> Result<Outcome, Failure> {
        execute(env, i, dispatch)
    }
}
