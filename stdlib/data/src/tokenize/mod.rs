//! Tokenizers (tokenizer.json; DeBERTa-v3's spm.model and RoBERTa's vocab.json + merges.txt built
//! in Rust), pair encoding with truncation and sliding windows, the compact token file format, and
//! batching with dynamic padding.

mod annotator_votes;
mod batch;
mod dataset;
mod deberta_spm;
mod encoder;
mod error;
mod roberta_bpe;
mod table_tokens;
mod template;
mod text_tokenizer;
mod tokenizer_config;

pub use annotator_votes::AnnotatorVotes;
pub use batch::{Batch, BatchOrder};
pub use dataset::{
    FORMAT_VERSION, MAGIC, META_FILE, Record, TOKENS_FILE, TokenizedDataset, TokenizedExample,
    TokensMeta,
};
pub use deberta_spm::deberta_v2_from_spm;
pub use encoder::{EncodeOptions, EncodedExample, EncodedWindow, PairEncoder, Truncation};
pub use error::TokenizeError;
pub use roberta_bpe::roberta_from_vocab_merges;
pub use table_tokens::{TextInputs, tokenize_table};
pub use template::TextTemplate;
pub use text_tokenizer::{TextTokenizer, TokenizerSource};
pub use tokenizer_config::TokenizerConfig;

/// Whether the tokenizers library may encode batches on several threads (what the
/// `TOKENIZERS_PARALLELISM` variable sets; process-wide).
pub fn set_parallelism(parallel: bool) {
    tokenizers::utils::parallelism::set_parallelism(parallel);
}
