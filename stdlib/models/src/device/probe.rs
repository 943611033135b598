//! What the GPU backends see on this machine, without panicking when a driver is absent.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

/// Number of CUDA devices (0 without the `cuda` feature or without a driver).
pub fn cuda_device_count() -> usize {
    #[cfg(feature = "cuda")]
    {
        use burn::tensor::backend::Backend;
        quietly(|| <burn::backend::Cuda as Backend>::device_count(0)).unwrap_or(0)
    }
    #[cfg(not(feature = "cuda"))]
    {
        0
    }
}

/// Runs `f`, catching a panic without printing it. The GPU runtimes panic (on their own
/// threads too) when no driver or adapter is present; for a probe that is an answer, not a
/// crash, and a CPU-only machine must not print panic messages and backtraces for it.
#[cfg_attr(not(any(feature = "cuda", feature = "wgpu")), allow(dead_code))]
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: Mutex<()> = Mutex::new(());
    let _one_at_a_time = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_probe_is_an_answer_and_the_hook_is_restored() {
        assert_eq!(quietly(|| 3), Some(3));
        assert_eq!(quietly(|| -> u8 { panic!("no driver") }), None);
        // The usual hook is back: a panic elsewhere is still caught and reported by callers.
        assert!(catch_unwind(|| panic!("later")).is_err());
    }
}
