//! The majority-class baseline of a task (always predicting the most frequent reference
//! class) and the collapse check against it: a model whose predictions all fall in one
//! class, or whose macro-F1 does not beat that baseline, has learnt nothing useful.

use serde::{Deserialize, Serialize};

use super::{ClarityEvaluation, matrix_of};
use crate::metrics::ClassificationReport;

/// The scores of always predicting a task's most frequent reference class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// The most frequent reference class (ties: the earliest).
    pub class: String,
    /// Its macro-F1.
    pub macro_f1: f64,
    /// Its accuracy (the class's share of the references).
    pub accuracy: f64,
}

impl Baseline {
    /// The baseline of the references a report scored; `None` when it scored nothing.
    pub fn of(report: &ClassificationReport) -> Option<Self> {
        let support: Vec<u64> = report.confusion.iter().map(|r| r.iter().sum()).collect();
        let majority = (0..support.len()).rev().max_by_key(|&c| support[c])?;
        if support[majority] == 0 {
            return None;
        }
        let rows: Vec<Vec<u64>> = support
            .iter()
            .map(|&n| {
                let mut row = vec![0; support.len()];
                row[majority] = n;
                row
            })
            .collect();
        let matrix = matrix_of(&rows);
        Some(Self {
            class: report.per_class.get(majority)?.class.clone(),
            macro_f1: matrix.macro_f1(),
            accuracy: matrix.accuracy(),
        })
    }
}

/// Why `report` (of `task`, e.g. `evasion`) looks like a collapsed model: every prediction
/// in one class, or a macro-F1 at or below the majority-class baseline. `None` when the
/// references hold fewer than two classes (no baseline to beat) or it looks fine.
pub fn collapse(task: &str, report: &ClassificationReport) -> Option<String> {
    let baseline = Baseline::of(report)?;
    let classes = |counts: Vec<u64>| counts.iter().filter(|&&n| n > 0).count();
    let support: Vec<u64> = report.confusion.iter().map(|r| r.iter().sum()).collect();
    if classes(support) < 2 {
        return None;
    }
    let n = report.confusion.len();
    let predicted: Vec<u64> = (0..n)
        .map(|c| report.confusion.iter().map(|r| r[c]).sum())
        .collect();
    let scores = format!(
        "macro-F1 {:.4}; the majority-class baseline, always `{}`, scores {:.4}",
        report.macro_f1, baseline.class, baseline.macro_f1
    );
    if classes(predicted.clone()) == 1 {
        let only = predicted.iter().position(|&p| p > 0)?;
        let class = &report.per_class.get(only)?.class;
        Some(format!(
            "every {task} prediction is `{class}`: the model collapsed to one class ({scores})"
        ))
    } else if report.macro_f1 <= baseline.macro_f1 + 1e-12 {
        Some(format!(
            "{task} macro-F1 is at or below the majority-class baseline: the model may have collapsed ({scores})"
        ))
    } else {
        None
    }
}

impl ClarityEvaluation {
    /// The majority-class baseline of Task 1 (`clarity`) and Task 2 strict (`evasion`), where
    /// scored.
    pub fn baselines(&self) -> Vec<(&'static str, Baseline)> {
        self.single_tasks()
            .into_iter()
            .filter_map(|(task, r)| Some((task, Baseline::of(r)?)))
            .collect()
    }

    /// The collapse warnings of Task 1 and Task 2 strict (see [`collapse`]).
    pub fn collapse_warnings(&self) -> Vec<String> {
        self.single_tasks()
            .into_iter()
            .filter_map(|(task, r)| collapse(task, r))
            .collect()
    }

    fn single_tasks(&self) -> Vec<(&'static str, &ClassificationReport)> {
        [("clarity", &self.clarity), ("evasion", &self.evasion)]
            .into_iter()
            .filter_map(|(task, r)| Some((task, r.as_ref()?)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::ConfusionMatrix;

    fn report(gold: &[usize], pred: &[usize]) -> ClassificationReport {
        let matrix = ConfusionMatrix::from_pairs(3, gold, pred).unwrap();
        ClassificationReport::from_confusion(&matrix, &["A", "B", "C"]).unwrap()
    }

    #[test]
    fn the_baseline_always_predicts_the_most_frequent_class() {
        // Gold A A A B: always A -> A: P 3/4 R 1 F1 6/7; B, C: 0 -> macro 2/7.
        let b = Baseline::of(&report(&[0, 0, 0, 1], &[1, 1, 1, 1])).unwrap();
        assert_eq!(b.class, "A");
        assert!((b.macro_f1 - 2.0 / 7.0).abs() < 1e-12);
        assert_eq!(b.accuracy, 0.75);
    }

    #[test]
    fn one_predicted_class_is_a_collapse() {
        let text = collapse("evasion", &report(&[0, 0, 1, 2], &[1, 1, 1, 1])).unwrap();
        assert!(
            text.starts_with("every evasion prediction is `B`"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "(macro-F1 0.1333; the majority-class baseline, always `A`, scores 0.2222)"
            ),
            "{text}"
        );
    }

    #[test]
    fn scores_at_the_baseline_are_flagged_and_better_ones_are_not() {
        // Gold A A A B, predictions A A B A: A F1 2/3, B F1 0 -> macro 2/9 < 2/7.
        let low = collapse("clarity", &report(&[0, 0, 0, 1], &[0, 0, 1, 0])).unwrap();
        assert!(
            low.contains("at or below the majority-class baseline"),
            "{low}"
        );
        assert_eq!(
            collapse("clarity", &report(&[0, 0, 1, 2], &[0, 0, 1, 2])),
            None
        );
        // One reference class: nothing to beat, no warning.
        assert_eq!(collapse("clarity", &report(&[1, 1], &[1, 1])), None);
    }
}
