use std::path::PathBuf;

use burn::tensor::backend::AutodiffBackend;
use clarity_data::tokenize::TokenizedDataset;
use clarity_models::config::ModelConfig;
use clarity_models::device::BackendTask;
use clarity_models::{Attention, ModelOptions, Precision};

use super::{JobError, check_tokens};
use crate::heads::{HeadConfig, load_checkpoint};
use crate::predict::{ExampleLogits, InferOptions, aggregate, ensemble, infer};

/// Runs one checkpoint, or several whose logits are averaged (an ensemble), over tokenized
/// data; sliding windows of an example are averaged first.
pub struct PredictJob<'a> {
    /// Checkpoint directories.
    pub checkpoints: &'a [PathBuf],
    /// The records.
    pub data: &'a TokenizedDataset,
    /// Records per forward pass.
    pub batch_size: usize,
    /// Attention path.
    pub attention: Attention,
    /// Compute precision.
    pub precision: Precision,
    /// Polled between batches.
    pub cancelled: &'a dyn Fn() -> bool,
    /// Called with (checkpoint index, records done) after each batch.
    pub progress: &'a mut dyn FnMut(usize, usize),
}

/// Averaged per-example logits and the heads they come from.
#[derive(Debug, Clone)]
pub struct PredictOutcome {
    /// Per-example logits (the mean over checkpoints).
    pub logits: ExampleLogits,
    /// The heads of the first checkpoint (all must agree).
    pub head: HeadConfig,
}

impl BackendTask for PredictJob<'_> {
    type Output = Result<PredictOutcome, JobError>;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let options = ModelOptions {
            attention: self.attention,
            precision: self.precision,
        };
        let mut members = Vec::with_capacity(self.checkpoints.len());
        let mut head: Option<HeadConfig> = None;
        for dir in self.checkpoints {
            let config = ModelConfig::from_dir(dir).map_err(clarity_models::ModelError::from)?;
            check_tokens(&config, self.data, "records to predict")?;
        }
        for (index, dir) in self.checkpoints.iter().enumerate() {
            let checkpoint = load_checkpoint::<B::InnerBackend>(dir, &options, &device)?;
            if let Some(first) = &head
                && first != &checkpoint.head
            {
                return Err(JobError::Mismatch(format!(
                    "checkpoint {} has {} heads, the first has {}; an ensemble needs the same heads",
                    dir.display(),
                    checkpoint.head.head,
                    first.head
                )));
            }
            let progress = &mut *self.progress;
            let inference = infer(
                &checkpoint.model,
                self.data,
                InferOptions {
                    batch_size: self.batch_size,
                    pad_to_multiple_of: None,
                    objective: None,
                    cancelled: self.cancelled,
                    on_batch: &mut |done| {
                        crate::fault::point("predict.batch");
                        progress(index, done)
                    },
                },
                &device,
            )?;
            let logits = aggregate(&inference.records, self.data)?;
            logits.check_finite(&dir.display().to_string())?;
            members.push(logits);
            head.get_or_insert(checkpoint.head);
        }
        let head = head.ok_or_else(|| JobError::Mismatch("no checkpoint given".into()))?;
        Ok(PredictOutcome {
            logits: ensemble(&members)?,
            head,
        })
    }
}
