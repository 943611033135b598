//! Heads, losses, optimisation, the training loop, metrics and prediction for clarity.
#![warn(missing_docs)]

pub mod batch_tensors;
pub mod build;
pub mod evaluate;
pub mod fault;
pub mod heads;
pub mod jobs;
pub mod loss;
pub mod metrics;
pub mod optim;
pub mod plot;
pub mod predict;
pub mod tensor_file;
pub mod tensorboard;
pub mod train;

#[cfg(test)]
mod test_util;
