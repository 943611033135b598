//! The CLARITY heads on a pre-trained encoder (direct, hierarchical, multitask), the
//! evasion -> clarity mapping, and checkpoint directories.

mod checkpoint;
mod classifier;
mod error;
mod export;
mod head_config;
mod head_kind;
mod mapping;
mod template;

pub use checkpoint::{
    Checkpoint, CheckpointFiles, MODEL_WEIGHTS, TOKENIZER_FILES, copy_tokenizer_files,
    load_checkpoint, save_checkpoint,
};
pub use classifier::{ClarityClassifier, HeadLogits, HeadSpec, MultitaskClassifier};
pub use error::CheckpointError;
pub use export::{Exported, export_checkpoint};
pub use head_config::{CHECKPOINT_LAYOUT, HEAD_FILE, HeadConfig, hf_classes, read_head_config};
pub use head_kind::HeadKind;
pub use mapping::{clarity_names, evasion_names, evasion_to_clarity};
pub use template::{InputTemplate, TEMPLATE_FILE};
