//! Running a validated pipeline: fingerprints and cache status (`plan`, with earlier runs'
//! keys from `history`), one stage in a temporary directory (`execute`), the concurrent walk
//! over the graph (`scheduler`) with its device slots (`devices`), what a run is given and
//! returns (`options`) and the run manifest (`manifest`).

mod devices;
mod error;
mod execute;
mod executor;
mod history;
mod job;
mod manifest;
mod options;
mod plan;
mod process;
mod remote;
mod scheduler;
pub mod slurm;

pub use devices::DevicePool;
pub use error::RunError;
pub use execute::{Dispatch, ExecEnv, Failure, Outcome, execute};
pub use executor::{Executor, InProcess, ProcessExecutor, SlurmExecutor};
pub use history::{RecordedRun, RecordedStage, latest_fingerprints, read_runs};
pub use job::{JobFiles, JobResult, StageJob, read_json, write_json};
pub use manifest::{Manifest, RunStatus, StageRecord, StageStatus, run_id};
pub use options::{RunEnv, RunObserver, RunOptions, RunReport, SilentObserver};
pub use plan::{CacheStatus, Plan, Planner, StagePlan, make_plan};
pub use remote::{RemoteOrRun, mark_remote};
pub use scheduler::run_pipeline;
