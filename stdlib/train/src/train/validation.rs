use std::collections::BTreeMap;

use burn::tensor::backend::Backend;
use clarity_data::tokenize::TokenizedDataset;

use super::{Objective, TrainError};
use crate::evaluate::{
    AnnotatorLabels, ClarityEvaluation, ClassNames, Reference, evaluate_clarity,
};
use crate::heads::{ClarityClassifier, HeadConfig};
use crate::predict::{InferOptions, Predictions, aggregate, infer};

/// Validation loss and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationResult {
    /// The objective averaged over records.
    pub loss: Option<f64>,
    /// The full evaluation.
    pub evaluation: ClarityEvaluation,
}

impl ValidationResult {
    /// `loss` and the evaluation summary in one map.
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let mut out = self.evaluation.summary();
        if let Some(loss) = self.loss {
            out.insert("loss".into(), loss);
        }
        out
    }
}

/// The reference labels of each example of a tokens artifact (from its first record): the
/// annotators' votes in annotator order, as `evaluate` reads them from the table, so the
/// majority vote is the same; a record with an annotator set but no votes (assembled in
/// memory without them) gives the set, enough for multi-annotator scores only.
pub fn references(data: &TokenizedDataset) -> Vec<Reference> {
    let mut refs: Vec<Option<Reference>> = vec![None; data.meta().example_ids.len()];
    for record in data.iter() {
        let slot = &mut refs[record.example];
        if slot.is_none() {
            let votes: Vec<usize> = record.votes.labels().map(|l| l.index()).collect();
            let set: Vec<usize> = record.labels.annotators.iter().map(|l| l.index()).collect();
            *slot = Some(Reference {
                clarity: record.labels.clarity.map(|l| l.index()),
                evasion: record.labels.evasion.map(|l| l.index()),
                annotators: if !votes.is_empty() {
                    AnnotatorLabels::Votes(votes)
                } else if !set.is_empty() {
                    AnnotatorLabels::Set(set)
                } else {
                    AnnotatorLabels::None
                },
            });
        }
    }
    refs.into_iter().map(Option::unwrap_or_default).collect()
}

/// Runs the model over the validation data and scores it.
pub fn validate<B: Backend>(
    model: &ClarityClassifier<B>,
    data: &TokenizedDataset,
    head: &HeadConfig,
    objective: &Objective,
    batch_size: usize,
    cancelled: &dyn Fn() -> bool,
    device: &B::Device,
) -> Result<ValidationResult, TrainError> {
    let inference = infer(
        model,
        data,
        InferOptions {
            batch_size,
            pad_to_multiple_of: None,
            objective: Some(objective),
            cancelled,
            on_batch: &mut |_| {},
        },
        device,
    )?;
    let logits = aggregate(&inference.records, data)?;
    let predictions = Predictions::from_logits(&logits, head);
    let clarity_names: Vec<&str> = head.clarity_classes.iter().map(String::as_str).collect();
    let evasion_names: Vec<&str> = head.evasion_classes.iter().map(String::as_str).collect();
    let evaluation = evaluate_clarity(
        &references(data),
        &predictions.clarity,
        predictions.evasion.as_deref(),
        ClassNames {
            clarity: &clarity_names,
            evasion: &evasion_names,
        },
    )?;
    Ok(ValidationResult {
        loss: inference.loss,
        evaluation,
    })
}
