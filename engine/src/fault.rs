//! Deterministic crash points for fault-injection tests.
//!
//! Code that writes state a later run relies on calls [`point`] with a name at each place
//! where a crash would matter (before a rename, after a checkpoint, between steps). When the
//! environment variable `CLARITY_FAULT` is `NAME:N`, the `N`th call of `point("NAME")` in
//! this process aborts it at once, as a SIGKILL would: no destructors, no cleanup, no
//! manifest. `CLARITY_FAULT=NAME` means `NAME:1`. Unset (the normal case), a point costs one
//! relaxed atomic load.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};

/// The variable that arms a crash point.
pub const FAULT_VAR: &str = "CLARITY_FAULT";

const UNKNOWN: u8 = 0;
const DISARMED: u8 = 1;
const ARMED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
static TARGET: OnceLock<Option<(String, u64)>> = OnceLock::new();
static COUNTS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// A named crash point: aborts the process when `CLARITY_FAULT` names this point and this is
/// the call it counts to.
pub fn point(name: &str) {
    match STATE.load(Ordering::Relaxed) {
        DISARMED => return,
        UNKNOWN => {
            let armed = target().is_some();
            STATE.store(if armed { ARMED } else { DISARMED }, Ordering::Relaxed);
            if !armed {
                return;
            }
        }
        _ => {}
    }
    let Some((target, nth)) = target() else {
        return;
    };
    if target != name {
        return;
    }
    let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let count = counts.entry(name.to_owned()).or_default();
    *count += 1;
    if *count == *nth {
        eprintln!("clarity: {FAULT_VAR}: crashing at {name}:{nth}");
        std::process::abort();
    }
}

fn target() -> &'static Option<(String, u64)> {
    TARGET.get_or_init(|| parse(&std::env::var(FAULT_VAR).ok()?))
}

fn parse(spec: &str) -> Option<(String, u64)> {
    let spec = spec.trim();
    if spec.is_empty() {
        return None;
    }
    match spec.rsplit_once(':') {
        Some((name, n)) => Some((name.to_owned(), n.parse().ok()?)),
        None => Some((spec.to_owned(), 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn specs() {
        assert_eq!(parse("train.step:7"), Some(("train.step".into(), 7)));
        assert_eq!(parse("cache.commit"), Some(("cache.commit".into(), 1)));
        assert_eq!(parse(""), None);
        assert_eq!(parse("x:y"), None);
    }
}
