use serde::{Deserialize, Serialize};

use super::class_counts::ClassScores;
use super::confusion::ConfusionMatrix;
use super::error::MetricsError;
use super::multi_annotator::MultiAnnotatorCounts;

/// Precision, recall, F1 and support of one named class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedClassScores {
    /// The class name.
    pub class: String,
    /// Its scores.
    #[serde(flatten)]
    pub scores: ClassScores,
}

/// Single-label scores of a classifier: accuracy, macro-F1, per-class scores and the confusion
/// matrix (rows = reference, columns = prediction, in class-index order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    /// Fraction of correct predictions.
    pub accuracy: f64,
    /// Mean F1 over all classes.
    pub macro_f1: f64,
    /// Scores per class, in class-index order.
    pub per_class: Vec<NamedClassScores>,
    /// Confusion counts.
    pub confusion: Vec<Vec<u64>>,
}

/// Scores under the multi-annotator semantics (see [`MultiAnnotatorCounts`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiAnnotatorReport {
    /// Fraction of predictions inside the annotators' label set.
    pub accuracy: f64,
    /// Mean F1 over all classes.
    pub macro_f1: f64,
    /// Scores per class, in class-index order.
    pub per_class: Vec<NamedClassScores>,
}

fn named(names: &[&str], scores: Vec<ClassScores>) -> Vec<NamedClassScores> {
    names
        .iter()
        .zip(scores)
        .map(|(name, scores)| NamedClassScores {
            class: (*name).to_string(),
            scores,
        })
        .collect()
}

impl ClassificationReport {
    /// The report of a confusion matrix with one name per class.
    pub fn from_confusion(matrix: &ConfusionMatrix, names: &[&str]) -> Result<Self, MetricsError> {
        matrix.check_names(names)?;
        Ok(Self {
            accuracy: matrix.accuracy(),
            macro_f1: matrix.macro_f1(),
            per_class: named(names, matrix.class_scores()),
            confusion: matrix.rows(),
        })
    }
}

impl MultiAnnotatorReport {
    /// The report of multi-annotator counts with one name per class.
    pub fn from_counts(
        counts: &MultiAnnotatorCounts,
        names: &[&str],
    ) -> Result<Self, MetricsError> {
        let classes = counts.class_counts().len();
        if names.len() != classes {
            return Err(MetricsError::NamesMismatch {
                names: names.len(),
                classes,
            });
        }
        Ok(Self {
            accuracy: counts.accuracy(),
            macro_f1: counts.macro_f1(),
            per_class: named(names, counts.class_scores()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_named_scores_flat() {
        // refs 0 1, preds 0 0: acc 1/2; c0 tp1 fp1 -> P 1/2 R 1 F1 2/3; c1 all 0.
        let m = ConfusionMatrix::from_pairs(2, &[0, 1], &[0, 0]).unwrap();
        let report = ClassificationReport::from_confusion(&m, &["a", "b"]).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["accuracy"], 0.5);
        assert_eq!(json["per_class"][0]["class"], "a");
        assert_eq!(json["per_class"][0]["precision"], 0.5);
        assert_eq!(json["per_class"][0]["recall"], 1.0);
        assert_eq!(json["per_class"][1]["support"], 1);
        assert_eq!(json["confusion"], serde_json::json!([[1, 0], [1, 0]]));
        assert!((report.macro_f1 - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn multi_annotator_report_needs_a_name_per_class() {
        let counts = MultiAnnotatorCounts::from_sets(2, &[[0]], &[0]).unwrap();
        assert!(MultiAnnotatorReport::from_counts(&counts, &["a"]).is_err());
        let report = MultiAnnotatorReport::from_counts(&counts, &["a", "b"]).unwrap();
        // c0 tp1 -> F1 1; c1 absent -> 0; macro 1/2.
        assert_eq!(report.macro_f1, 0.5);
    }
}
