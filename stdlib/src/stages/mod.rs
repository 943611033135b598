//! The stdlib stage kinds, one file a kind, and [`registry`] which registers them all.
//!
//! A new kind is a file here and one line in the `stage_kinds!` list below.

mod hub_source;
mod placement;
mod table_header;
mod tokenize_checks;
mod train_params;
mod train_progress;

/// Declares each kind's module, re-exports its type and registers it, from one list.
macro_rules! stage_kinds {
    ($($module:ident::$kind:ident),* $(,)?) => {
        $(mod $module;)*
        $(pub use $module::$kind;)*

        /// Registers every stdlib stage kind into `registry`.
        fn register_kinds(registry: &mut Registry) {
            $(registry.register($kind::default());)*
        }
    };
}

stage_kinds! {
    exec::Exec,
    fetch_model::FetchModel,
    fetch_dataset::FetchDataset,
    split::Split,
    tokenize::Tokenize,
    synthetic_dataset::SyntheticDataset,
    build_model::BuildModel,
    train::Train,
    predict::Predict,
    evaluate::Evaluate,
}

use clarity_engine::Registry;

/// A registry holding every stdlib stage kind.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    register_kinds(&mut registry);
    clarity_policy::install(&mut registry, crate::devices::policy_placer());
    registry
}
