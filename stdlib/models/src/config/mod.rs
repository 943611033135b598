//! Model configs read straight from HuggingFace `config.json` files.

mod block;
mod deberta_v2;
mod error;
mod hidden_act;
mod labels;
mod limits;
mod model_config;
mod pos_att_type;
mod roberta;
mod source_text;

pub use block::BlockConfig;
pub use deberta_v2::DebertaV2Config;
pub use error::ConfigError;
pub use hidden_act::HiddenAct;
pub use labels::LabelConfig;
pub use limits::{
    Estimate, MAX_ATTENTION_BYTES, MAX_PARAMETERS, SIZE_LIMITS, SizeLimit, check_batch_size,
};
pub use model_config::{ArchConfig, MAX_CONFIG_BYTES, ModelConfig};
pub use pos_att_type::{PosAttType, deserialize_pos_att_type};
pub use roberta::RobertaConfig;
pub(crate) use source_text::SourceText;
