//! Running a validated pipeline: fingerprints and cache status (`plan`), one stage in a
//! temporary directory (`execute`), the concurrent walk over the graph (`scheduler`)
//! and the run manifest (`manifest`).

mod error;
mod execute;
mod manifest;
mod plan;
mod scheduler;

pub use error::RunError;
pub use execute::{Failure, Outcome};
pub use manifest::{Manifest, RunStatus, StageRecord, StageStatus, run_id};
pub use plan::{CacheStatus, Plan, StagePlan, make_plan};
pub use scheduler::{RunEnv, RunObserver, RunOptions, RunReport, SilentObserver, run_pipeline};
