//! The stdlib stage kinds, one file a kind, and [`registry`] which registers them all.

mod exec;
mod fetch_dataset;
mod fetch_model;
mod split;
mod synthetic_dataset;
mod tokenize;

pub use exec::Exec;
pub use fetch_dataset::FetchDataset;
pub use fetch_model::FetchModel;
pub use split::Split;
pub use synthetic_dataset::SyntheticDataset;
pub use tokenize::Tokenize;

use clarity_engine::Registry;

/// A registry holding every stdlib stage kind.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(Exec::new());
    registry.register(FetchModel::new());
    registry.register(FetchDataset::new());
    registry.register(Split::new());
    registry.register(Tokenize::new());
    registry.register(SyntheticDataset::new());
    clarity_policy::install(&mut registry, crate::devices::policy_placer());
    registry
}
