//! Losses over logits `[batch, classes]`: cross-entropy with label smoothing and class weights
//! (PyTorch semantics), focal loss, and the multitask objective with its consistency term.

mod class_loss;
mod class_weights;
mod cross_entropy;
mod focal;
mod multitask;

pub use class_loss::ClassLoss;
pub use class_weights::{class_counts, inverse_frequency_weights};
pub use cross_entropy::CrossEntropyLoss;
pub use focal::FocalLoss;
pub use multitask::{MultitaskLoss, MultitaskLossParts, consistency_kl, mapping_matrix};

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

/// `log_probs[i, targets[i]]` of `[batch, classes]` log-probabilities: `[batch]`.
fn at_targets<B: Backend>(log_probs: Tensor<B, 2>, targets: Tensor<B, 1, Int>) -> Tensor<B, 1> {
    let [batch, _] = log_probs.dims();
    log_probs
        .gather(1, targets.reshape([batch, 1]))
        .reshape([batch])
}

/// Per-class weights as a `[classes]` tensor on `device`.
fn weight_tensor<B: Backend>(weights: &[f32], device: &B::Device) -> Tensor<B, 1> {
    Tensor::from_data(TensorData::new(weights.to_vec(), [weights.len()]), device)
}
