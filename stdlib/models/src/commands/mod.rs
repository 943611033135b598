//! The logic of the `clarity forward`, `bench`, `parity` and `devices` commands (the CLI
//! wrappers live in clarity-stdlib).

mod adamw;
mod bench;
mod devices;
mod error;
mod forward;
pub mod parity;

pub use bench::{
    BUILTIN_CONFIGS, BenchArgs, BenchMode, BenchReport, bench, bench_config, peak_rss_mib,
};
pub use devices::{BackendStatus, DevicesReport, devices};
pub use error::CommandError;
pub use forward::{ForwardArgs, ForwardOutput, ForwardRun, forward};
pub use parity::{ParityArgs, ParityReport, parity};
