//! Named crash points for fault-injection tests.
//!
//! The trainer and prediction call `point` where a crash would matter (after an optimiser
//! step, before a checkpoint's rename, after each prediction batch). This crate does not
//! depend on the pipeline engine: the stages install the engine's crash-point function with
//! [`install`]. Without one installed, a point does nothing.

use std::sync::OnceLock;

static HOOK: OnceLock<fn(&str)> = OnceLock::new();

/// Installs the function every crash point calls with its name (the first install wins).
pub fn install(hook: fn(&str)) {
    let _ = HOOK.set(hook);
}

/// A crash point named `name`.
pub(crate) fn point(name: &str) {
    if let Some(hook) = HOOK.get() {
        hook(name);
    }
}
