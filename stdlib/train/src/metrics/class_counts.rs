use serde::{Deserialize, Serialize};

/// True positives, false positives and false negatives of one class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    /// Predicted this class, and it was right.
    pub tp: u64,
    /// Predicted this class, and it was wrong.
    pub fp: u64,
    /// Should have predicted this class, and did not.
    #[serde(rename = "fn")]
    pub fn_: u64,
}

/// Precision, recall and F1 of one class; each is 0 when its denominator is 0
/// (scikit-learn's `zero_division=0`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// `tp / (tp + fp)`.
    pub precision: f64,
    /// `tp / (tp + fn)`.
    pub recall: f64,
    /// `2 tp / (2 tp + fp + fn)`, the harmonic mean of precision and recall.
    pub f1: f64,
    /// `tp + fn`: how many references hold this class.
    pub support: u64,
}

impl ClassCounts {
    /// The scores of these counts.
    pub fn scores(&self) -> ClassScores {
        let ratio = |num: u64, den: u64| {
            if den == 0 {
                0.0
            } else {
                num as f64 / den as f64
            }
        };
        ClassScores {
            precision: ratio(self.tp, self.tp + self.fp),
            recall: ratio(self.tp, self.tp + self.fn_),
            f1: ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_),
            support: self.tp + self.fn_,
        }
    }
}

/// The unweighted mean F1 over every class, including classes that never occur (they score 0).
/// An empty slice scores 0.
pub fn macro_f1(counts: &[ClassCounts]) -> f64 {
    if counts.is_empty() {
        return 0.0;
    }
    counts.iter().map(|c| c.scores().f1).sum::<f64>() / counts.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_the_definitions() {
        // tp 3, fp 1, fn 2: P = 3/4, R = 3/5, F1 = 6/(6+1+2) = 2/3.
        let s = ClassCounts {
            tp: 3,
            fp: 1,
            fn_: 2,
        }
        .scores();
        assert_eq!(s.precision, 0.75);
        assert_eq!(s.recall, 0.6);
        assert!((s.f1 - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(s.support, 5);
    }

    #[test]
    fn empty_denominators_score_zero() {
        // Never predicted, never present: every ratio is 0/0 -> 0.
        let s = ClassCounts::default().scores();
        assert_eq!((s.precision, s.recall, s.f1, s.support), (0.0, 0.0, 0.0, 0));
        // Only false positives: P = 0/2, R = 0/0 -> 0.
        let s = ClassCounts {
            tp: 0,
            fp: 2,
            fn_: 0,
        }
        .scores();
        assert_eq!((s.precision, s.recall, s.f1), (0.0, 0.0, 0.0));
    }

    #[test]
    fn macro_averages_every_class() {
        // F1s: 1 (tp 2), 0 (absent), 0.5 (tp 1, fp 1, fn 1 -> 2/4); mean = 1.5/3 = 0.5.
        let counts = [
            ClassCounts {
                tp: 2,
                fp: 0,
                fn_: 0,
            },
            ClassCounts::default(),
            ClassCounts {
                tp: 1,
                fp: 1,
                fn_: 1,
            },
        ];
        assert!((macro_f1(&counts) - 0.5).abs() < 1e-15);
        assert_eq!(macro_f1(&[]), 0.0);
    }
}
