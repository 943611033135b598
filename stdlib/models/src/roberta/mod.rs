//! RoBERTa (`transformers/models/roberta/modeling_roberta.py`).

mod attention;
mod classification;
mod embeddings;
mod layer;
mod model;

pub use attention::{RobertaAttention, RobertaSelfAttention, RobertaSelfOutput};
pub use classification::{RobertaClassificationHead, RobertaForSequenceClassification};
pub use embeddings::RobertaEmbeddings;
pub use layer::{RobertaIntermediate, RobertaLayer, RobertaOutput};
pub use model::{RobertaEncoder, RobertaModel};
