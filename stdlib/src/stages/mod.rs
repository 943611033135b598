//! The stdlib stage kinds, one file a kind, and [`registry`] which registers them all.

mod exec;

pub use exec::Exec;

use clarity_engine::Registry;

/// A registry holding every stdlib stage kind.
pub fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(Exec::new());
    registry
}
