use serde::{Deserialize, Serialize};

/// Linear warmup from 0 to the peak rate, then linear decay to 0: HF transformers'
/// `get_linear_schedule_with_warmup` on a `LambdaLR`. The optimiser step with index `step`
/// (0-based) uses `peak * factor(step)`:
///
/// - `step < warmup`: `step / max(1, warmup)` (so the very first step uses a rate of 0 when
///   there is any warmup);
/// - otherwise `max(0, (total - step) / max(1, total - warmup))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearWarmupDecay {
    /// The rate reached at the end of warmup.
    pub peak_lr: f64,
    /// Number of warmup steps.
    pub warmup_steps: u64,
    /// Number of optimiser steps in the whole run.
    pub total_steps: u64,
}

impl LinearWarmupDecay {
    /// A schedule whose warmup is `ceil(warmup_ratio * total_steps)` steps, as HF's
    /// `TrainingArguments.get_warmup_steps` computes it.
    pub fn from_ratio(peak_lr: f64, warmup_ratio: f64, total_steps: u64) -> Self {
        Self {
            peak_lr,
            warmup_steps: warmup_steps(warmup_ratio, total_steps),
            total_steps,
        }
    }

    /// The multiplier of the peak rate at optimiser step `step` (0-based).
    pub fn factor(&self, step: u64) -> f64 {
        if step < self.warmup_steps {
            return step as f64 / self.warmup_steps.max(1) as f64;
        }
        let remaining = self.total_steps.saturating_sub(step) as f64;
        let span = self.total_steps.saturating_sub(self.warmup_steps).max(1) as f64;
        (remaining / span).max(0.0)
    }

    /// The learning rate of optimiser step `step` (0-based).
    pub fn lr(&self, step: u64) -> f64 {
        self.peak_lr * self.factor(step)
    }
}

/// `ceil(ratio * total_steps)`.
pub fn warmup_steps(ratio: f64, total_steps: u64) -> u64 {
    (ratio * total_steps as f64).ceil() as u64
}

/// The learning-rate schedule of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LrSchedule {
    /// The same rate at every step.
    Constant {
        /// The rate.
        lr: f64,
    },
    /// See [`LinearWarmupDecay`].
    LinearWarmupDecay(LinearWarmupDecay),
}

impl LrSchedule {
    /// The learning rate of optimiser step `step` (0-based).
    pub fn lr(&self, step: u64) -> f64 {
        match self {
            Self::Constant { lr } => *lr,
            Self::LinearWarmupDecay(schedule) => schedule.lr(step),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// transformers' lr_lambda, written out as in `optimization.py`.
    fn hf_lambda(current_step: u64, num_warmup_steps: u64, num_training_steps: u64) -> f64 {
        if current_step < num_warmup_steps {
            return current_step as f64 / (1.max(num_warmup_steps)) as f64;
        }
        f64::max(
            0.0,
            (num_training_steps as f64 - current_step as f64)
                / (1.max(num_training_steps - num_warmup_steps)) as f64,
        )
    }

    #[test]
    fn matches_transformers_formula() {
        // 100 steps, ratio 0.06 -> 6 warmup steps.
        let s = LinearWarmupDecay::from_ratio(2e-5, 0.06, 100);
        assert_eq!(s.warmup_steps, 6);
        for step in [0, 1, 3, 5, 6, 7, 50, 99, 100, 120] {
            assert_eq!(s.factor(step), hf_lambda(step, 6, 100), "step {step}");
        }
        // Hand values: step 0 -> 0; 3 -> 3/6; 6 -> 94/94 = 1; 53 -> 47/94 = 1/2; 100 -> 0.
        assert_eq!(s.lr(0), 0.0);
        assert_eq!(s.factor(3), 0.5);
        assert_eq!(s.factor(6), 1.0);
        assert_eq!(s.factor(53), 0.5);
        assert_eq!(s.lr(100), 0.0);
        assert_eq!(s.lr(130), 0.0);
    }

    #[test]
    fn warmup_rounds_up() {
        // 0.06 * 733 = 43.98 -> 44; 0.06 * 50 = 3 exactly.
        assert_eq!(warmup_steps(0.06, 733), 44);
        assert_eq!(warmup_steps(0.06, 50), 3);
        assert_eq!(warmup_steps(0.0, 50), 0);
    }

    #[test]
    fn no_warmup_starts_at_peak() {
        let s = LinearWarmupDecay::from_ratio(1.0, 0.0, 4);
        let lrs: Vec<f64> = (0..5).map(|t| s.lr(t)).collect();
        assert_eq!(lrs, vec![1.0, 0.75, 0.5, 0.25, 0.0]);
    }

    #[test]
    fn constant_is_constant() {
        let s = LrSchedule::Constant { lr: 1e-3 };
        assert_eq!(s.lr(0), 1e-3);
        assert_eq!(s.lr(1000), 1e-3);
    }
}
