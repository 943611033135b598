//! A deterministic synthetic CLARITY-like dataset for the offline demo and tests: learnable (each
//! evasion label has its own kind of answer), with QEvasion's columns, label proportions and a long
//! tail of answer lengths (about 3 in 10 examples run past 512 tokens).

mod generator;
mod phrases;
mod rng;

pub use generator::{COLUMNS, SyntheticConfig, SyntheticDataset, generate};
pub use rng::SplitMix64;
