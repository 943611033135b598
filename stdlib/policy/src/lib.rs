//! Device policies for clarity: which device, precision and attention path each stage runs
//! with, decided by rules written in KDL over facts about the stage, its model and the
//! machine.
//!
//! - devices (names, backends, a machine's inventory and its `auto` choice, precisions,
//!   attention paths) come from `clarity-device`, the vocabulary the models share.
//! - [`lang`]: the policy language (`policy "NAME" { when { .. } ACTION .. }`) and its
//!   diagnostics.
//! - [`facts`]: what a `when` can test, and where each fact comes from.
//! - [`library`]: the stdlib's policies and the ordered [`PolicySet`] a pipeline sees.
//! - [`eval`]: running the policies over one stage.
//! - [`PolicyPlacer`]: all of it as the engine's [`clarity_engine::Placer`].
//!
//! This crate does not depend on Burn: clarity-models probes the real machine and hands the
//! result over as a `clarity_device::Inventory`.
#![warn(missing_docs)]

pub mod eval;
pub mod facts;
pub mod lang;
pub mod library;
mod placer;
#[doc(hidden)]
pub mod testing;

pub use library::{PolicySet, STD_LIBRARY, stdlib_library_text, stdlib_policies};
pub use placer::PolicyPlacer;

/// Installs the policy layer into `registry`: `placer` as its placement hook, and the
/// stdlib's policies as the library `std/policies` (which pipelines may `use`; they load
/// without it too).
pub fn install(registry: &mut clarity_engine::Registry, placer: PolicyPlacer) {
    registry.add_library(STD_LIBRARY, stdlib_library_text());
    registry.set_placer(placer);
}
