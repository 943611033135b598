//! Heads, losses, optimisation, the training loop, metrics and prediction for clarity.
#![warn(missing_docs)]

pub mod loss;
pub mod metrics;
pub mod optim;
pub mod plot;

#[cfg(test)]
mod test_util;
