//! DeBERTa-v2 / DeBERTa-v3 (`transformers/models/deberta_v2/modeling_deberta_v2.py`).

mod classification;
mod disentangled_attention;
mod embeddings;
mod encoder;
mod layer;
mod model;
mod pooler;
pub mod relative_position;

pub use classification::DebertaV2ForSequenceClassification;
pub use disentangled_attention::{DisentangledSelfAttention, RelativeContext};
pub use embeddings::DebertaV2Embeddings;
pub use encoder::DebertaV2Encoder;
pub use layer::{
    DebertaV2Attention, DebertaV2Intermediate, DebertaV2Layer, DebertaV2Output, DebertaV2SelfOutput,
};
pub use model::DebertaV2Model;
pub use pooler::ContextPooler;
