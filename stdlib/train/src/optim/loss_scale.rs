//! Dynamic loss scaling for f16 training, with the semantics of PyTorch's `GradScaler`.
//!
//! f16's smallest normal number is ~6e-5, so small gradients underflow to zero. The loss is
//! multiplied by a large scale before the backward pass and the gradients divided by it after;
//! when a step's gradients overflow (inf or NaN) the step is skipped and the scale halved, and
//! after a run of good steps it is doubled again.

use serde::{Deserialize, Serialize};

/// The loss scale and its history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LossScaler {
    scale: f64,
    good_steps: u32,
}

impl LossScaler {
    /// The first scale (`GradScaler`'s `init_scale`).
    pub const INITIAL_SCALE: f64 = 65536.0;
    /// Good steps in a row after which the scale doubles (`growth_interval`).
    pub const GROWTH_INTERVAL: u32 = 2000;

    /// A scaler at [`Self::INITIAL_SCALE`].
    pub fn new() -> Self {
        Self {
            scale: Self::INITIAL_SCALE,
            good_steps: 0,
        }
    }

    /// What to multiply the loss by before the backward pass (and divide gradients by after).
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Records a step whose unscaled gradients were `finite` (or not) and returns whether to
    /// apply it: an overflowing step is skipped and halves the scale; every
    /// [`Self::GROWTH_INTERVAL`] good steps in a row double it.
    pub fn update(&mut self, finite: bool) -> bool {
        if !finite {
            self.scale = (self.scale * 0.5).max(f64::MIN_POSITIVE);
            self.good_steps = 0;
            return false;
        }
        self.good_steps += 1;
        if self.good_steps == Self::GROWTH_INTERVAL {
            self.scale *= 2.0;
            self.good_steps = 0;
        }
        true
    }
}

impl Default for LossScaler {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_halves_and_skips_a_run_of_good_steps_doubles() {
        let mut scaler = LossScaler::new();
        assert!(!scaler.update(false));
        assert_eq!(scaler.scale(), 32768.0);
        assert!(!scaler.update(false));
        assert_eq!(scaler.scale(), 16384.0);
        for _ in 0..LossScaler::GROWTH_INTERVAL - 1 {
            assert!(scaler.update(true));
        }
        assert_eq!(scaler.scale(), 16384.0);
        assert!(scaler.update(true));
        assert_eq!(scaler.scale(), 32768.0);
        // An overflow restarts the count.
        for _ in 0..10 {
            scaler.update(true);
        }
        scaler.update(false);
        for _ in 0..LossScaler::GROWTH_INTERVAL - 1 {
            scaler.update(true);
        }
        assert_eq!(scaler.scale(), 16384.0);
    }
}
