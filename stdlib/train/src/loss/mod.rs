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
