//! RoBERTa and DeBERTa-v2/v3 encoders in Burn, built from HuggingFace `config.json` files
//! and loaded from HuggingFace weights.
//!
//! - [`config::ModelConfig`]: `config.json`, dispatched on `model_type`.
//! - [`SequenceClassifier`]: HF's `*ForSequenceClassification` (load, save, forward).
//! - [`Encoder`]: the bare encoder for other heads.
//! - [`weights`]: safetensors / PyTorch `.bin` loading with key checks, checkpoint writing.
#![warn(missing_docs)]

mod classifier;
pub mod commands;
pub mod config;
pub mod deberta_v2;
pub mod device;
mod encoder;
mod error;
pub mod kernels;
pub mod nn;
mod options;
mod precision;
pub mod roberta;
pub mod weights;

pub use clarity_device::Attention;
pub use clarity_device::Precision;
pub use classifier::{ClassifierOutput, SequenceClassifier};
pub use encoder::Encoder;
pub use error::ModelError;
pub use options::ModelOptions;
pub use precision::ToDType;

/// Key segments of checkpoint tensors dropped without a report: buffers HF does not load
/// (`position_ids`) and DeBERTa's `_keys_to_ignore_on_load_unexpected`.
pub(crate) const IGNORED_SEGMENTS: &[&str] = &["position_ids", "position_embeddings"];
