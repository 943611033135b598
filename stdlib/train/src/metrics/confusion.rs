use serde::{Deserialize, Serialize};

use super::class_counts::{ClassCounts, ClassScores, macro_f1};
use super::error::{MetricsError, check_class, check_lengths};

/// Counts of (reference, prediction) pairs: row = reference class, column = predicted class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    classes: usize,
    /// Row-major `classes x classes` counts.
    counts: Vec<u64>,
}

impl ConfusionMatrix {
    /// An all-zero matrix over `classes` classes.
    pub fn new(classes: usize) -> Self {
        Self {
            classes,
            counts: vec![0; classes * classes],
        }
    }

    /// The matrix of paired references and predictions (class indices).
    pub fn from_pairs(
        classes: usize,
        references: &[usize],
        predictions: &[usize],
    ) -> Result<Self, MetricsError> {
        check_lengths(predictions.len(), references.len())?;
        let mut matrix = Self::new(classes);
        for (&reference, &prediction) in references.iter().zip(predictions) {
            matrix.add(reference, prediction)?;
        }
        Ok(matrix)
    }

    /// Counts one more example.
    pub fn add(&mut self, reference: usize, prediction: usize) -> Result<(), MetricsError> {
        check_class(reference, self.classes)?;
        check_class(prediction, self.classes)?;
        self.counts[reference * self.classes + prediction] += 1;
        Ok(())
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// How many examples of class `reference` were predicted as `prediction`.
    pub fn count(&self, reference: usize, prediction: usize) -> u64 {
        self.counts[reference * self.classes + prediction]
    }

    /// The counts as rows (one per reference class).
    pub fn rows(&self) -> Vec<Vec<u64>> {
        if self.classes == 0 {
            return Vec::new();
        }
        self.counts
            .chunks(self.classes)
            .map(<[u64]>::to_vec)
            .collect()
    }

    /// Number of examples.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Number of examples on the diagonal.
    pub fn correct(&self) -> u64 {
        (0..self.classes).map(|c| self.count(c, c)).sum()
    }

    /// Fraction of examples predicted correctly; 0 when there are none.
    pub fn accuracy(&self) -> f64 {
        match self.total() {
            0 => 0.0,
            total => self.correct() as f64 / total as f64,
        }
    }

    /// Per-class true/false positives and false negatives.
    pub fn class_counts(&self) -> Vec<ClassCounts> {
        (0..self.classes)
            .map(|c| {
                let tp = self.count(c, c);
                let predicted: u64 = (0..self.classes).map(|r| self.count(r, c)).sum();
                let actual: u64 = (0..self.classes).map(|p| self.count(c, p)).sum();
                ClassCounts {
                    tp,
                    fp: predicted - tp,
                    fn_: actual - tp,
                }
            })
            .collect()
    }

    /// Per-class precision, recall, F1 and support.
    pub fn class_scores(&self) -> Vec<ClassScores> {
        self.class_counts()
            .iter()
            .map(ClassCounts::scores)
            .collect()
    }

    /// Mean F1 over all classes (absent classes score 0).
    pub fn macro_f1(&self) -> f64 {
        macro_f1(&self.class_counts())
    }

    /// A fixed-width table: one row per reference class, one column per predicted class.
    pub fn to_text(&self, names: &[&str]) -> Result<String, MetricsError> {
        self.check_names(names)?;
        let corner = "reference \\ predicted";
        let label_width = names
            .iter()
            .map(|n| n.chars().count())
            .chain([corner.chars().count()])
            .max()
            .unwrap_or(0);
        let widths: Vec<usize> = (0..self.classes)
            .map(|c| {
                let widest_count = (0..self.classes)
                    .map(|r| self.count(r, c).to_string().len())
                    .max()
                    .unwrap_or(1);
                widest_count.max(names[c].chars().count())
            })
            .collect();
        let mut out = format!("{corner:<label_width$}");
        for (name, width) in names.iter().zip(&widths) {
            out.push_str(&format!("  {name:>width$}"));
        }
        out.push('\n');
        for (r, name) in names.iter().enumerate() {
            out.push_str(&format!("{name:<label_width$}"));
            for (c, width) in widths.iter().enumerate() {
                out.push_str(&format!("  {:>width$}", self.count(r, c)));
            }
            out.push('\n');
        }
        Ok(out)
    }

    pub(crate) fn check_names(&self, names: &[&str]) -> Result<(), MetricsError> {
        if names.len() == self.classes {
            Ok(())
        } else {
            Err(MetricsError::NamesMismatch {
                names: names.len(),
                classes: self.classes,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// references: 0 0 0 1 1 2 2 2 2
    /// predictions: 0 0 1 1 2 2 2 0 2
    /// matrix (row = reference):
    ///   [2 1 0]
    ///   [0 1 1]
    ///   [1 0 3]
    fn example() -> ConfusionMatrix {
        ConfusionMatrix::from_pairs(
            3,
            &[0, 0, 0, 1, 1, 2, 2, 2, 2],
            &[0, 0, 1, 1, 2, 2, 2, 0, 2],
        )
        .unwrap()
    }

    #[test]
    fn counts_pairs_by_row_and_column() {
        let m = example();
        assert_eq!(m.rows(), vec![vec![2, 1, 0], vec![0, 1, 1], vec![1, 0, 3]]);
        assert_eq!(m.total(), 9);
        assert_eq!(m.correct(), 6);
        assert!((m.accuracy() - 6.0 / 9.0).abs() < 1e-15);
    }

    #[test]
    fn per_class_and_macro_scores() {
        // class 0: tp 2, fp 1 (row 2), fn 1 -> P 2/3, R 2/3, F1 2/3
        // class 1: tp 1, fp 1 (row 0), fn 1 -> P 1/2, R 1/2, F1 1/2
        // class 2: tp 3, fp 1 (row 1), fn 1 -> P 3/4, R 3/4, F1 3/4
        // macro = (2/3 + 1/2 + 3/4) / 3 = (8 + 6 + 9) / 36 = 23/36
        let m = example();
        let counts = m.class_counts();
        assert_eq!(
            counts[0],
            ClassCounts {
                tp: 2,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(
            counts[1],
            ClassCounts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(
            counts[2],
            ClassCounts {
                tp: 3,
                fp: 1,
                fn_: 1
            }
        );
        let scores = m.class_scores();
        assert!((scores[2].precision - 0.75).abs() < 1e-15);
        assert_eq!(scores[2].support, 4);
        assert!((m.macro_f1() - 23.0 / 36.0).abs() < 1e-15);
    }

    #[test]
    fn a_class_without_support_scores_zero_and_still_counts() {
        // 3 classes, class 2 never occurs and is never predicted.
        // class 0: tp 1, fp 1, fn 0 -> F1 2/3; class 1: tp 0, fp 0, fn 1 -> 0; class 2: 0.
        // macro = (2/3) / 3 = 2/9
        let m = ConfusionMatrix::from_pairs(3, &[0, 1], &[0, 0]).unwrap();
        assert!((m.macro_f1() - 2.0 / 9.0).abs() < 1e-15);
        assert_eq!(m.class_scores()[2].f1, 0.0);
        assert_eq!(m.class_scores()[2].support, 0);
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(
            ConfusionMatrix::from_pairs(3, &[0, 1], &[0]),
            Err(MetricsError::LengthMismatch {
                predictions: 1,
                references: 2
            })
        );
        assert_eq!(
            ConfusionMatrix::from_pairs(3, &[0], &[3]),
            Err(MetricsError::ClassOutOfRange {
                index: 3,
                classes: 3
            })
        );
        assert!(example().to_text(&["a", "b"]).is_err());
    }

    #[test]
    fn empty_matrix_has_zero_accuracy() {
        let m = ConfusionMatrix::new(3);
        assert_eq!(m.accuracy(), 0.0);
        assert_eq!(m.macro_f1(), 0.0);
    }

    #[test]
    fn renders_an_aligned_table() {
        let text = example().to_text(&["Clear", "Amb", "Non"]).unwrap();
        let expected = "\
reference \\ predicted  Clear  Amb  Non
Clear                      2    1    0
Amb                        0    1    1
Non                        1    0    3
";
        assert_eq!(text, expected);
    }
}
