use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::metrics::{
    ClassificationReport, ConfusionMatrix, MetricsError, MultiAnnotatorCounts,
    MultiAnnotatorReport, check_lengths, majority_vote,
};

/// The annotators' evasion labels of one example.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AnnotatorLabels {
    /// No annotations.
    #[default]
    None,
    /// The set of labels given, without order or multiplicity (enough for multi-annotator
    /// scoring, not for a majority vote).
    Set(Vec<usize>),
    /// Each annotator's label in annotator order (blanks left out).
    Votes(Vec<usize>),
}

impl AnnotatorLabels {
    fn set(&self) -> Option<&[usize]> {
        match self {
            Self::None => None,
            Self::Set(labels) | Self::Votes(labels) => (!labels.is_empty()).then_some(labels),
        }
    }

    fn majority(&self) -> Option<usize> {
        match self {
            Self::Votes(votes) => majority_vote(votes),
            _ => None,
        }
    }
}

/// The reference labels of one example (class indices).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reference {
    /// Task 1 label.
    pub clarity: Option<usize>,
    /// Task 2 label.
    pub evasion: Option<usize>,
    /// The annotators' Task 2 labels.
    pub annotators: AnnotatorLabels,
}

/// Every CLARITY score that the references allow. Each report covers the examples that have
/// the labels it needs (e.g. the multi-annotator report only annotated examples).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClarityEvaluation {
    /// Number of examples scored.
    pub examples: usize,
    /// Task 1: clarity, 3 classes.
    pub clarity: Option<ClassificationReport>,
    /// Task 2 strict: the prediction against the single evasion label.
    pub evasion: Option<ClassificationReport>,
    /// Task 2 multi-annotator: correct when the prediction is among the annotators' labels.
    pub evasion_multi_annotator: Option<MultiAnnotatorReport>,
    /// Task 2 against the annotators' majority vote (ties: the earliest annotator).
    pub evasion_majority_vote: Option<ClassificationReport>,
}

/// Class names for the reports.
#[derive(Debug, Clone, Copy)]
pub struct ClassNames<'a> {
    /// Clarity names in class-index order.
    pub clarity: &'a [&'a str],
    /// Evasion names in class-index order.
    pub evasion: &'a [&'a str],
}

/// Scores predictions (clarity for every example; evasion when the model predicts it) against
/// references.
pub fn evaluate_clarity(
    references: &[Reference],
    clarity_pred: &[usize],
    evasion_pred: Option<&[usize]>,
    names: ClassNames<'_>,
) -> Result<ClarityEvaluation, MetricsError> {
    check_lengths(clarity_pred.len(), references.len())?;
    if let Some(ev) = evasion_pred {
        check_lengths(ev.len(), references.len())?;
    }
    let single = |refs: Vec<(usize, usize)>,
                  names: &[&str]|
     -> Result<Option<ClassificationReport>, MetricsError> {
        if refs.is_empty() {
            return Ok(None);
        }
        let (gold, pred): (Vec<usize>, Vec<usize>) = refs.into_iter().unzip();
        let matrix = ConfusionMatrix::from_pairs(names.len(), &gold, &pred)?;
        ClassificationReport::from_confusion(&matrix, names).map(Some)
    };
    let clarity = single(pair(references, clarity_pred, |r| r.clarity), names.clarity)?;
    let (mut evasion, mut multi, mut majority) = (None, None, None);
    if let Some(ev) = evasion_pred {
        evasion = single(pair(references, ev, |r| r.evasion), names.evasion)?;
        majority = single(
            pair(references, ev, |r| r.annotators.majority()),
            names.evasion,
        )?;
        let (sets, preds): (Vec<&[usize]>, Vec<usize>) = references
            .iter()
            .zip(ev)
            .filter_map(|(r, &p)| r.annotators.set().map(|s| (s, p)))
            .unzip();
        if !sets.is_empty() {
            let counts = MultiAnnotatorCounts::from_sets(names.evasion.len(), &sets, &preds)?;
            multi = Some(MultiAnnotatorReport::from_counts(&counts, names.evasion)?);
        }
    }
    Ok(ClarityEvaluation {
        examples: references.len(),
        clarity,
        evasion,
        evasion_multi_annotator: multi,
        evasion_majority_vote: majority,
    })
}

fn pair(
    references: &[Reference],
    predictions: &[usize],
    gold: impl Fn(&Reference) -> Option<usize>,
) -> Vec<(usize, usize)> {
    references
        .iter()
        .zip(predictions)
        .filter_map(|(r, &p)| gold(r).map(|g| (g, p)))
        .collect()
}

impl ClarityEvaluation {
    /// The headline numbers, flat: `clarity-macro-f1`, `clarity-accuracy`, `evasion-macro-f1`,
    /// `evasion-accuracy`, `evasion-multi-macro-f1`, `evasion-multi-accuracy`,
    /// `evasion-majority-macro-f1`, `evasion-majority-accuracy` (those available).
    pub fn summary(&self) -> BTreeMap<String, f64> {
        let mut out = BTreeMap::new();
        let mut put = |name: &str, report: Option<(f64, f64)>| {
            if let Some((f1, acc)) = report {
                out.insert(format!("{name}-macro-f1"), f1);
                out.insert(format!("{name}-accuracy"), acc);
            }
        };
        let single =
            |r: &Option<ClassificationReport>| r.as_ref().map(|r| (r.macro_f1, r.accuracy));
        put("clarity", single(&self.clarity));
        put("evasion", single(&self.evasion));
        put(
            "evasion-multi",
            self.evasion_multi_annotator
                .as_ref()
                .map(|r| (r.macro_f1, r.accuracy)),
        );
        put("evasion-majority", single(&self.evasion_majority_vote));
        out
    }

    /// A readable report: headline numbers, then per-class scores and confusion matrices.
    pub fn to_text(&self, names: ClassNames<'_>) -> String {
        let mut out = format!("{} examples\n", self.examples);
        for warning in self.collapse_warnings() {
            out.push_str(&format!("warning: {warning}\n"));
        }
        out.push_str(&format!(
            "{:<28} {:>6}  majority-class baseline\n",
            "metric", "score"
        ));
        let baselines = self.baselines();
        for (metric, value) in self.summary() {
            let beside = baselines.iter().find_map(|(task, b)| {
                let kind = metric.strip_prefix(task)?;
                let (score, what) = match kind {
                    "-macro-f1" => (b.macro_f1, "macro-F1"),
                    "-accuracy" => (b.accuracy, "accuracy"),
                    _ => return None,
                };
                Some(format!("  {score:.4} ({what} of always `{}`)", b.class))
            });
            let beside = beside.unwrap_or_default();
            out.push_str(&format!("{metric:<28} {value:.4}{beside}\n"));
        }
        let sections = [
            ("Task 1 (clarity)", &self.clarity, names.clarity),
            ("Task 2 (evasion, strict)", &self.evasion, names.evasion),
            (
                "Task 2 (evasion, majority vote)",
                &self.evasion_majority_vote,
                names.evasion,
            ),
        ];
        for (title, report, class_names) in sections {
            let Some(report) = report else { continue };
            out.push_str(&format!("\n{title}\n"));
            out.push_str(&per_class_table(&report.per_class));
            let matrix = matrix_of(&report.confusion);
            if let Ok(text) = matrix.to_text(class_names) {
                out.push('\n');
                out.push_str(&text);
            }
        }
        if let Some(report) = &self.evasion_multi_annotator {
            out.push_str("\nTask 2 (evasion, multi-annotator)\n");
            out.push_str(&per_class_table(&report.per_class));
        }
        out
    }
}

/// A confusion matrix from its rows.
pub fn matrix_of(rows: &[Vec<u64>]) -> ConfusionMatrix {
    let n = rows.len();
    let mut matrix = ConfusionMatrix::new(n);
    for (r, row) in rows.iter().enumerate() {
        for (c, &count) in row.iter().enumerate() {
            for _ in 0..count {
                matrix
                    .add(r, c)
                    .expect("indices come from a square matrix of the same size");
            }
        }
    }
    matrix
}

fn per_class_table(rows: &[crate::metrics::NamedClassScores]) -> String {
    let width = rows.iter().map(|r| r.class.len()).max().unwrap_or(5).max(5);
    let mut out = format!(
        "{:<width$}  {:>9}  {:>6}  {:>6}  {:>7}\n",
        "class", "precision", "recall", "f1", "support"
    );
    for r in rows {
        let s = &r.scores;
        out.push_str(&format!(
            "{:<width$}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}\n",
            r.class, s.precision, s.recall, s.f1, s.support
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLARITY: [&str; 2] = ["C0", "C1"];
    const EVASION: [&str; 3] = ["E0", "E1", "E2"];

    fn names() -> ClassNames<'static> {
        ClassNames {
            clarity: &CLARITY,
            evasion: &EVASION,
        }
    }

    #[test]
    fn scores_every_task_the_references_allow() {
        // 3 examples:
        //  0: clarity 0, evasion 0, votes [0, 0, 1]; pred clarity 0, evasion 0
        //  1: clarity 1, evasion 1, votes [2, 1, 0]; pred clarity 1, evasion 2
        //  2: clarity 1, no evasion, no votes;       pred clarity 0, evasion 1
        // Task 1: gold 0 1 1, pred 0 1 0 -> c0 tp1 fp1 (F1 2/3), c1 tp1 fn1 (F1 2/3); macro 2/3
        // strict (examples 0, 1): gold 0 1, pred 0 2 -> E0 F1 1, E1 0, E2 0; macro 1/3
        // majority: ex 0 -> 0; ex 1 -> 2 (three-way tie, first annotator): gold 0 2, pred 0 2
        //   -> E0 1, E2 1, E1 0 (absent); macro 2/3
        // multi: {0,1} pred 0 -> TP E0; {2,1,0} pred 2 -> TP E2; macro (1 + 0 + 1)/3 = 2/3
        let refs = vec![
            Reference {
                clarity: Some(0),
                evasion: Some(0),
                annotators: AnnotatorLabels::Votes(vec![0, 0, 1]),
            },
            Reference {
                clarity: Some(1),
                evasion: Some(1),
                annotators: AnnotatorLabels::Votes(vec![2, 1, 0]),
            },
            Reference {
                clarity: Some(1),
                ..Reference::default()
            },
        ];
        let eval = evaluate_clarity(&refs, &[0, 1, 0], Some(&[0, 2, 1]), names()).unwrap();
        let s = eval.summary();
        assert!((s["clarity-macro-f1"] - 2.0 / 3.0).abs() < 1e-12);
        assert!((s["evasion-macro-f1"] - 1.0 / 3.0).abs() < 1e-12);
        assert!((s["evasion-majority-macro-f1"] - 2.0 / 3.0).abs() < 1e-12);
        assert!((s["evasion-multi-macro-f1"] - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s["evasion-multi-accuracy"], 1.0);
        assert_eq!(
            eval.evasion
                .as_ref()
                .unwrap()
                .confusion
                .iter()
                .flatten()
                .sum::<u64>(),
            2
        );
        let text = eval.to_text(names());
        assert!(text.contains("Task 2 (evasion, majority vote)"));
        assert!(text.starts_with("3 examples\n"));
    }

    #[test]
    fn sets_allow_multi_annotator_but_not_majority() {
        let refs = vec![Reference {
            annotators: AnnotatorLabels::Set(vec![1, 2]),
            ..Reference::default()
        }];
        let eval = evaluate_clarity(&refs, &[0], Some(&[2]), names()).unwrap();
        assert!(eval.evasion_majority_vote.is_none());
        assert!(eval.clarity.is_none());
        assert_eq!(eval.evasion_multi_annotator.unwrap().accuracy, 1.0);
    }

    #[test]
    fn without_evasion_predictions_only_clarity_is_scored() {
        let refs = vec![Reference {
            clarity: Some(1),
            evasion: Some(2),
            annotators: AnnotatorLabels::Votes(vec![2]),
        }];
        let eval = evaluate_clarity(&refs, &[1], None, names()).unwrap();
        assert_eq!(eval.clarity.unwrap().accuracy, 1.0);
        assert!(eval.evasion.is_none() && eval.evasion_multi_annotator.is_none());
        assert!(evaluate_clarity(&refs, &[1, 0], None, names()).is_err());
    }

    #[test]
    fn rebuilds_a_matrix_from_rows() {
        let m = matrix_of(&[vec![2, 0], vec![1, 3]]);
        assert_eq!(m.rows(), vec![vec![2, 0], vec![1, 3]]);
    }
}
