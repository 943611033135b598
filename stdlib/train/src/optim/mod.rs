//! Optimisation with PyTorch semantics: AdamW with parameter groups, the linear
//! warmup/decay schedule, averaged gradient accumulation and global-norm clipping.

mod adamw;
mod decay;
mod error;
mod gradients;
mod schedule;
mod state_file;

pub use adamw::{AdamW, AdamWConfig, AdamWParamState};
pub use decay::DecayPolicy;
pub use error::OptimError;
pub use gradients::{GradientAccumulator, Gradients, clip_grad_norm};
pub use schedule::{LinearWarmupDecay, LrSchedule, warmup_steps};
pub use state_file::{load_adamw, save_adamw};
