//! Optimisation with PyTorch semantics: AdamW with parameter groups, the linear
//! warmup/decay schedule, averaged gradient accumulation, global-norm clipping and dynamic
//! loss scaling for f16.

mod adamw;
mod decay;
mod gradients;
mod layout;
mod loss_scale;
mod schedule;
mod state_file;

pub use adamw::{AdamW, AdamWConfig, AdamWParamState};
pub use decay::DecayPolicy;
pub use gradients::{GradientAccumulator, Gradients, clip_grad_norm};
pub use layout::{canonical_layout, compute_copy};
pub use loss_scale::LossScaler;
pub use schedule::{LinearWarmupDecay, LrSchedule, warmup_steps};
pub use state_file::{load_adamw, save_adamw};
