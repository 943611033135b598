//! Running a validated pipeline: fingerprints and cache status (`plan`), one stage in a
//! temporary directory (`execute`), the concurrent walk over the graph (`scheduler`)
//! and the run manifest (`manifest`).

mod devices;
mod error;
mod execute;
mod history;
mod manifest;
mod plan;
mod scheduler;

pub use devices::DevicePool;
pub use error::RunError;
pub use execute::{Failure, Outcome};
pub use manifest::{Manifest, RunStatus, StageRecord, StageStatus};
pub use plan::{CacheStatus, Plan, Planner, StagePlan, make_plan};
pub use scheduler::{RunEnv, RunObserver, RunOptions, RunReport, SilentObserver, run_pipeline};
