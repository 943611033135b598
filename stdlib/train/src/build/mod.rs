//! Model directories built rather than downloaded: a word-level tokenizer trained on tables and
//! a randomly initialised encoder (the offline demo's tiny model).

mod error;
mod model_dir;
mod word_tokenizer;

pub use error::BuildError;
pub use model_dir::{RandomEncoderTask, TINY_ROBERTA, with_vocab_size};
pub use word_tokenizer::{SPECIAL_TOKENS, save_tokenizer, word_tokenizer};
