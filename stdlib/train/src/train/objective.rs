use burn::tensor::Tensor;
use burn::tensor::backend::Backend;
use clarity_data::tokenize::Batch;

use crate::batch_tensors::{clarity_targets, evasion_targets};
use crate::heads::{HeadKind, HeadLogits};
use crate::loss::{ClassLoss, MultitaskLoss};

/// The training loss of a head kind: the evasion loss (hierarchical), the clarity loss
/// (direct), or the multitask loss.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// Which heads are trained.
    pub kind: HeadKind,
    /// Loss of the evasion head.
    pub evasion: ClassLoss,
    /// Loss of the clarity head.
    pub clarity: ClassLoss,
    /// Multitask weight of the evasion loss.
    pub alpha: f64,
    /// Multitask weight of the consistency term.
    pub beta: f64,
    /// Evasion -> clarity mapping (for the consistency term).
    pub mapping: Vec<usize>,
    /// Number of clarity classes.
    pub clarity_classes: usize,
}

impl Objective {
    /// The mean loss of a batch, or `None` when a label the objective needs is missing or the
    /// model lacks a head it needs.
    pub fn loss<B: Backend>(
        &self,
        logits: HeadLogits<B>,
        batch: &Batch,
        device: &B::Device,
    ) -> Option<Tensor<B, 1>> {
        match self.kind {
            HeadKind::Direct => Some(
                self.clarity
                    .forward(logits.clarity?, clarity_targets(batch, device)?),
            ),
            HeadKind::Hierarchical => Some(
                self.evasion
                    .forward(logits.evasion?, evasion_targets(batch, device)?),
            ),
            HeadKind::Multitask => {
                let loss = MultitaskLoss {
                    alpha: self.alpha,
                    beta: self.beta,
                    evasion: self.evasion.clone(),
                    clarity: self.clarity.clone(),
                    mapping: self.mapping.clone(),
                    clarity_classes: self.clarity_classes,
                };
                let parts = loss.forward(
                    logits.evasion?,
                    logits.clarity?,
                    evasion_targets(batch, device)?,
                    clarity_targets(batch, device)?,
                );
                Some(parts.total)
            }
        }
    }
}
