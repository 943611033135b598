//! Inference over tokenized data, window aggregation, ensembles, predictions and their files.

mod error;
mod infer;
mod logits;
mod predictions;

pub use error::PredictError;
pub use infer::{ExampleLogits, InferOptions, Inference, RecordLogits, aggregate, infer};
pub use logits::{LogitMatrix, argmax, softmax};
pub use predictions::{Predictions, ensemble};
