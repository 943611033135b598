use super::class_counts::{ClassCounts, ClassScores, macro_f1};
use super::error::{MetricsError, check_class, check_lengths};

/// Per-class counts under the CLARITY multi-annotator semantics.
///
/// Each example has a non-empty set `G` of acceptable labels (the annotators' labels) and one
/// prediction `p`:
/// - `p` in `G`: a true positive for `p`;
/// - `p` not in `G`: a false positive for `p`, and a false negative for every class in `G`.
///
/// The macro-F1 averages over all classes; a class that is never in any `G` and never
/// predicted scores 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiAnnotatorCounts {
    counts: Vec<ClassCounts>,
    examples: u64,
    correct: u64,
}

impl MultiAnnotatorCounts {
    /// Counts `predictions` against the label sets `references` (duplicates in a set count once).
    pub fn from_sets<S: AsRef<[usize]>>(
        classes: usize,
        references: &[S],
        predictions: &[usize],
    ) -> Result<Self, MetricsError> {
        check_lengths(predictions.len(), references.len())?;
        let mut counts = vec![ClassCounts::default(); classes];
        let mut correct = 0;
        for (example, (set, &prediction)) in references.iter().zip(predictions).enumerate() {
            let set = label_set(set.as_ref(), classes, example)?;
            check_class(prediction, classes)?;
            if set.contains(&prediction) {
                counts[prediction].tp += 1;
                correct += 1;
            } else {
                counts[prediction].fp += 1;
                for &class in &set {
                    counts[class].fn_ += 1;
                }
            }
        }
        Ok(Self {
            counts,
            examples: predictions.len() as u64,
            correct,
        })
    }

    /// The per-class counts.
    pub fn class_counts(&self) -> &[ClassCounts] {
        &self.counts
    }

    /// Per-class precision, recall and F1.
    pub fn class_scores(&self) -> Vec<ClassScores> {
        self.counts.iter().map(ClassCounts::scores).collect()
    }

    /// Mean F1 over all classes.
    pub fn macro_f1(&self) -> f64 {
        macro_f1(&self.counts)
    }

    /// Fraction of predictions inside their label set; 0 with no examples.
    pub fn accuracy(&self) -> f64 {
        match self.examples {
            0 => 0.0,
            n => self.correct as f64 / n as f64,
        }
    }
}

fn label_set(raw: &[usize], classes: usize, example: usize) -> Result<Vec<usize>, MetricsError> {
    if raw.is_empty() {
        return Err(MetricsError::EmptyLabelSet { example });
    }
    let mut set = Vec::with_capacity(raw.len());
    for &class in raw {
        check_class(class, classes)?;
        if !set.contains(&class) {
            set.push(class);
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_official_semantics() {
        // 4 classes. Examples (G, p):
        //   ({0, 1}, 1)  -> TP[1]
        //   ({0},    2)  -> FP[2], FN[0]
        //   ({1, 2}, 0)  -> FP[0], FN[1], FN[2]
        //   ({2, 2}, 2)  -> TP[2]   (duplicate annotator labels count once)
        // counts: c0 tp0 fp1 fn1 -> F1 0
        //         c1 tp1 fp0 fn1 -> F1 2/(2+0+1) = 2/3
        //         c2 tp1 fp1 fn1 -> F1 2/(2+1+1) = 1/2
        //         c3 never seen  -> F1 0
        // macro = (0 + 2/3 + 1/2 + 0) / 4 = 7/24; accuracy = 2/4
        let sets = [vec![0, 1], vec![0], vec![1, 2], vec![2, 2]];
        let m = MultiAnnotatorCounts::from_sets(4, &sets, &[1, 2, 0, 2]).unwrap();
        let c = m.class_counts();
        assert_eq!(
            c[0],
            ClassCounts {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(
            c[1],
            ClassCounts {
                tp: 1,
                fp: 0,
                fn_: 1
            }
        );
        assert_eq!(
            c[2],
            ClassCounts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(c[3], ClassCounts::default());
        assert!((m.macro_f1() - 7.0 / 24.0).abs() < 1e-15);
        assert_eq!(m.accuracy(), 0.5);
        assert_eq!(m.class_scores()[3].f1, 0.0);
    }

    #[test]
    fn singleton_sets_reduce_to_strict_scoring() {
        // With one label per example the semantics are ordinary single-label counting:
        // refs 0 1 1, preds 0 0 1 -> c0 tp1 fp1 fn0 (2/3), c1 tp1 fp0 fn1 (2/3); macro 2/3.
        let sets = [[0], [1], [1]];
        let m = MultiAnnotatorCounts::from_sets(2, &sets, &[0, 0, 1]).unwrap();
        assert!((m.macro_f1() - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn rejects_empty_sets_and_bad_indices() {
        let sets: [&[usize]; 2] = [&[0], &[]];
        assert_eq!(
            MultiAnnotatorCounts::from_sets(2, &sets, &[0, 1]),
            Err(MetricsError::EmptyLabelSet { example: 1 })
        );
        assert_eq!(
            MultiAnnotatorCounts::from_sets(2, &[[5]], &[0]),
            Err(MetricsError::ClassOutOfRange {
                index: 5,
                classes: 2
            })
        );
        assert!(MultiAnnotatorCounts::from_sets(2, &[[0]], &[0, 1]).is_err());
    }
}
