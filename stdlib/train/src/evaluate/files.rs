use std::collections::HashMap;
use std::path::Path;

use clarity_data::clarity::{ClarityLabel, EvasionLabel, LabelReader, SchemaError, example_ids};
use clarity_data::table::Table;
use clarity_data::tokenize::AnnotatorVotes;

use super::{
    AnnotatorLabels, ClarityEvaluation, ClassNames, EvaluateError, Reference, evaluate_clarity,
};
use crate::heads::{clarity_names, evasion_names};
use crate::metrics::ConfusionMatrix;
use crate::plot::confusion_svg;

/// The rows of a predictions CSV (`id,clarity_pred,evasion_pred`), as class indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictionRows {
    /// Example ids.
    pub ids: Vec<String>,
    /// Clarity class per row.
    pub clarity: Vec<usize>,
    /// Evasion class per row, when the file has evasion predictions.
    pub evasion: Option<Vec<usize>>,
}

/// Reads a predictions CSV; label names are normalised as the data's are.
pub fn read_predictions(path: &Path) -> Result<PredictionRows, EvaluateError> {
    let bad = |reason: String| EvaluateError::BadPredictions {
        path: path.to_path_buf(),
        reason,
    };
    let mut reader = csv::Reader::from_path(path).map_err(|e| bad(e.to_string()))?;
    let headers = reader.headers().map_err(|e| bad(e.to_string()))?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("no `{name}` column")))
    };
    let (id, clarity, evasion) = (
        column("id")?,
        column("clarity_pred")?,
        column("evasion_pred").ok(),
    );
    let mut rows = PredictionRows {
        ids: Vec::new(),
        clarity: Vec::new(),
        evasion: Some(Vec::new()),
    };
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        let cell = |c: usize| record.get(c).unwrap_or("").to_string();
        let unknown = |kind, value: String, expected: Vec<&str>| EvaluateError::UnknownLabel {
            path: path.to_path_buf(),
            row: i + 1,
            kind,
            value,
            expected: expected.join(", "),
        };
        rows.ids.push(cell(id));
        let c = cell(clarity);
        let label =
            ClarityLabel::parse(&c).ok_or_else(|| unknown("clarity", c, clarity_names()))?;
        rows.clarity.push(label.index());
        let e = evasion.map(cell).unwrap_or_default();
        match (e.trim().is_empty(), rows.evasion.as_mut()) {
            (true, _) => rows.evasion = None,
            (false, Some(list)) => {
                let label = EvasionLabel::parse(&e)
                    .ok_or_else(|| unknown("evasion", e, evasion_names()))?;
                list.push(label.index());
            }
            (false, None) => {}
        }
    }
    Ok(rows)
}

/// The example ids of a table ([`example_ids`], as the tokenize stage assigns them) and each
/// row's reference labels, the annotators' labels in annotator order.
pub fn references_from_table(table: &Table) -> Result<(Vec<String>, Vec<Reference>), SchemaError> {
    let ids = example_ids(table);
    let labels = LabelReader::new(table).read_all()?;
    let references = labels
        .iter()
        .enumerate()
        .map(|(row, l)| {
            let votes: Vec<usize> = AnnotatorVotes::of_row(table, row)?
                .labels()
                .map(EvasionLabel::index)
                .collect();
            Ok(Reference {
                clarity: l.clarity.map(ClarityLabel::index),
                evasion: l.evasion.map(EvasionLabel::index),
                annotators: if votes.is_empty() {
                    AnnotatorLabels::None
                } else {
                    AnnotatorLabels::Votes(votes)
                },
            })
        })
        .collect::<Result<_, SchemaError>>()?;
    Ok((ids, references))
}

/// Scores a predictions file against a reference table, matching rows by id.
pub fn evaluate_predictions(
    predictions: &PredictionRows,
    table: &Table,
) -> Result<ClarityEvaluation, EvaluateError> {
    let (ids, references) = references_from_table(table)?;
    check_unique(&predictions.ids, "predictions")?;
    check_unique(&ids, "references")?;
    let position: HashMap<&str, usize> = predictions
        .ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !position.contains_key(id.as_str()))
        .collect();
    if let Some(first) = missing.first() {
        return Err(EvaluateError::IdsDiffer {
            count: missing.len(),
            what: "references have no prediction",
            example: (*first).clone(),
        });
    }
    if predictions.ids.len() != ids.len() {
        let known: std::collections::HashSet<&str> = ids.iter().map(String::as_str).collect();
        let extra: Vec<&String> = predictions
            .ids
            .iter()
            .filter(|id| !known.contains(id.as_str()))
            .collect();
        return Err(EvaluateError::IdsDiffer {
            count: extra.len().max(1),
            what: "predictions have no reference",
            example: extra.first().map_or_else(String::new, |s| (*s).clone()),
        });
    }
    let order: Vec<usize> = ids.iter().map(|id| position[id.as_str()]).collect();
    let clarity: Vec<usize> = order.iter().map(|&i| predictions.clarity[i]).collect();
    let evasion: Option<Vec<usize>> = predictions
        .evasion
        .as_ref()
        .map(|e| order.iter().map(|&i| e[i]).collect());
    let (c_names, e_names) = (clarity_names(), evasion_names());
    Ok(evaluate_clarity(
        &references,
        &clarity,
        evasion.as_deref(),
        ClassNames {
            clarity: &c_names,
            evasion: &e_names,
        },
    )?)
}

/// [`EvaluateError::DuplicateId`] for the first id that appears twice in `ids`.
fn check_unique(ids: &[String], what: &'static str) -> Result<(), EvaluateError> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    let Some(id) = ids.iter().find(|id| !seen.insert(id.as_str())) else {
        return Ok(());
    };
    let rows: Vec<String> = (1..=ids.len())
        .filter(|&r| &ids[r - 1] == id)
        .map(|r| r.to_string())
        .collect();
    Err(EvaluateError::DuplicateId {
        what,
        id: id.clone(),
        count: rows.len(),
        rows: rows.join(", "),
    })
}

/// Writes `metrics.json` (the summary and every report), `report.txt`, and a confusion-matrix
/// SVG per single-label report (`confusion_clarity.svg`, `confusion_evasion.svg`,
/// `confusion_evasion_majority.svg`).
pub fn write_evaluation(evaluation: &ClarityEvaluation, dir: &Path) -> Result<(), EvaluateError> {
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| EvaluateError::Write { path, source })
    };
    let baselines: std::collections::BTreeMap<&str, super::Baseline> =
        evaluation.baselines().into_iter().collect();
    let json = serde_json::json!({
        "summary": evaluation.summary(),
        "majority_baseline": baselines,
        "warnings": evaluation.collapse_warnings(),
        "evaluation": evaluation,
    });
    write(
        "metrics.json",
        serde_json::to_string_pretty(&json).expect("plain data serialises"),
    )?;
    let (c_names, e_names) = (clarity_names(), evasion_names());
    let names = ClassNames {
        clarity: &c_names,
        evasion: &e_names,
    };
    write("report.txt", evaluation.to_text(names))?;
    let figures = [
        (
            "confusion_clarity.svg",
            "Task 1: clarity",
            &evaluation.clarity,
            &c_names,
        ),
        (
            "confusion_evasion.svg",
            "Task 2: evasion",
            &evaluation.evasion,
            &e_names,
        ),
        (
            "confusion_evasion_majority.svg",
            "Task 2: evasion vs the annotators' majority",
            &evaluation.evasion_majority_vote,
            &e_names,
        ),
    ];
    for (file, title, report, class_names) in figures {
        if let Some(report) = report {
            let matrix: ConfusionMatrix = super::matrix_of(&report.confusion);
            write(file, confusion_svg(&matrix, class_names, title)?)?;
        }
    }
    Ok(())
}
