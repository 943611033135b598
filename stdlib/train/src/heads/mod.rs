//! The CLARITY heads on a pre-trained encoder (direct, hierarchical, multitask), the
//! evasion -> clarity mapping, and checkpoint directories.

mod checkpoint;
mod classifier;
mod head_kind;
mod mapping;

pub use checkpoint::{
    Checkpoint, CheckpointError, ENCODER_WEIGHTS, HEAD_FILE, HEADS_WEIGHTS, HeadConfig,
    TOKENIZER_FILES, load_checkpoint, read_head_config, save_checkpoint,
};
pub use classifier::{ClarityClassifier, HeadLogits, HeadSpec};
pub use head_kind::HeadKind;
pub use mapping::{clarity_names, evasion_names, evasion_to_clarity};
