use serde::{Deserialize, Serialize};

use clarity_models::Precision;

/// Whether a larger or a smaller value of a monitored metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Goal {
    /// Larger is better (F1, accuracy).
    Maximise,
    /// Smaller is better (loss).
    Minimise,
}

/// The validation metric that picks the best checkpoint and drives early stopping: `loss` or a
/// key of [`crate::evaluate::ClarityEvaluation::summary`] such as `evasion-macro-f1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Monitor {
    /// The metric's name.
    pub metric: String,
    /// Its direction.
    pub goal: Goal,
}

impl Monitor {
    /// The names accepted by [`Monitor::named`]: what validation can compute (the majority
    /// vote from the annotators' votes that token files keep in annotator order).
    pub const NAMES: [&'static str; 9] = [
        "evasion-macro-f1",
        "clarity-macro-f1",
        "evasion-accuracy",
        "clarity-accuracy",
        "evasion-multi-macro-f1",
        "evasion-majority-macro-f1",
        "evasion-multi-accuracy",
        "evasion-majority-accuracy",
        "loss",
    ];

    /// A monitor on `metric` (`loss` is minimised, everything else maximised); `None` for an
    /// unknown name.
    pub fn named(metric: &str) -> Option<Self> {
        Self::NAMES.contains(&metric).then(|| Self {
            metric: metric.to_string(),
            goal: if metric == "loss" {
                Goal::Minimise
            } else {
                Goal::Maximise
            },
        })
    }

    /// Whether `value` beats `best` by more than `min_delta`.
    pub fn improves(&self, value: f64, best: Option<f64>, min_delta: f64) -> bool {
        match best {
            None => value.is_finite(),
            Some(best) => match self.goal {
                Goal::Maximise => value > best + min_delta,
                Goal::Minimise => value < best - min_delta,
            },
        }
    }
}

/// Stop when the monitored metric has not improved for `patience` epochs in a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EarlyStopping {
    /// Epochs without improvement tolerated.
    pub patience: usize,
    /// The smallest change that counts as an improvement.
    pub min_delta: f64,
}

/// Everything that shapes a training run (the Python tool's config, plus a few knobs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Passes over the training data.
    pub epochs: usize,
    /// Records per micro-batch.
    pub batch_size: usize,
    /// Micro-batches per optimiser step (gradients averaged).
    pub grad_accum: usize,
    /// Records per forward pass in validation.
    pub eval_batch_size: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Decoupled weight decay (not on biases and layer norms).
    pub weight_decay: f64,
    /// Fraction of the optimiser steps spent warming up from 0 to `lr`.
    pub warmup_ratio: f64,
    /// Global gradient-norm clipping threshold; `None` disables clipping.
    pub max_grad_norm: Option<f64>,
    /// AdamW's epsilon.
    pub adam_eps: f64,
    /// Label smoothing of the cross-entropy.
    pub label_smoothing: f64,
    /// Weight classes by inverse frequency `total / (classes * count)`.
    pub class_weights: bool,
    /// Use the focal loss with this gamma instead of the cross-entropy.
    pub focal_gamma: Option<f64>,
    /// Multitask weight of the evasion loss (the clarity loss gets `1 - alpha`).
    pub alpha: f64,
    /// Multitask weight of the consistency term.
    pub beta: f64,
    /// Seed of the data order and dropout.
    pub seed: u64,
    /// The metric of the best checkpoint and early stopping.
    pub monitor: Monitor,
    /// Early stopping, if any.
    pub early_stopping: Option<EarlyStopping>,
    /// Batch records of similar length together (less padding; order still random).
    pub length_bucketing: bool,
    /// Pad each batch to a multiple of this length.
    pub pad_to_multiple_of: Option<usize>,
    /// Also write a resumable checkpoint every this many optimiser steps (always at epoch ends).
    pub checkpoint_every: Option<u64>,
    /// Write a log line every this many optimiser steps.
    pub log_every: u64,
    /// Compute precision of forward and backward passes; parameters and optimiser state stay
    /// f32 (master weights).
    pub precision: Precision,
}

impl TrainConfig {
    /// The focal loss's gamma where none is given (Lin et al., 2017).
    pub const FOCAL_GAMMA: f64 = 2.0;
}

impl Default for TrainConfig {
    /// The Python tool's DeBERTa-v3-base settings.
    fn default() -> Self {
        Self {
            epochs: 4,
            batch_size: 16,
            grad_accum: 1,
            eval_batch_size: 32,
            lr: 2e-5,
            weight_decay: 0.01,
            warmup_ratio: 0.06,
            max_grad_norm: Some(1.0),
            adam_eps: 1e-8,
            label_smoothing: 0.05,
            class_weights: false,
            focal_gamma: None,
            alpha: 0.7,
            beta: 0.1,
            seed: 42,
            monitor: Monitor {
                metric: "evasion-macro-f1".into(),
                goal: Goal::Maximise,
            },
            early_stopping: Some(EarlyStopping {
                patience: 3,
                min_delta: 0.0,
            }),
            length_bucketing: false,
            pad_to_multiple_of: None,
            checkpoint_every: None,
            log_every: 10,
            precision: Precision::F32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitors_know_their_direction() {
        let f1 = Monitor::named("evasion-macro-f1").unwrap();
        assert!(f1.improves(0.5, None, 0.0));
        assert!(f1.improves(0.51, Some(0.5), 0.0));
        assert!(!f1.improves(0.505, Some(0.5), 0.01));
        assert!(!f1.improves(f64::NAN, None, 0.0));
        let loss = Monitor::named("loss").unwrap();
        assert!(loss.improves(0.9, Some(1.0), 0.0));
        assert!(!loss.improves(1.1, Some(1.0), 0.0));
        assert!(Monitor::named("f1").is_none());
    }
}
