//! The stdlib stage kinds, one file a kind, and [`registry`] which registers them all.

mod build_model;
mod evaluate;
mod exec;
mod fetch_dataset;
mod fetch_model;
mod hub_source;
mod placement;
mod predict;
mod split;
mod synthetic_dataset;
mod tokenize;
mod train;

pub use build_model::BuildModel;
pub use evaluate::Evaluate;
pub use exec::Exec;
pub use fetch_dataset::FetchDataset;
pub use fetch_model::FetchModel;
pub use predict::Predict;
pub use split::Split;
pub use synthetic_dataset::SyntheticDataset;
pub use tokenize::Tokenize;
pub use train::Train;

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
    registry.register(BuildModel::new());
    registry.register(Train::new());
    registry.register(Predict::new());
    registry.register(Evaluate::new());
    clarity_policy::install(&mut registry, crate::devices::policy_placer());
    registry
}
