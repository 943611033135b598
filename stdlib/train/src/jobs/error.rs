use miette::Diagnostic;
use thiserror::Error;

use crate::heads::CheckpointError;
use crate::predict::PredictError;
use crate::train::TrainError;

/// A training or prediction job failed.
#[derive(Debug, Error, Diagnostic)]
pub enum JobError {
    /// The model directory is unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Model(#[from] clarity_models::ModelError),
    /// The model's weights are unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Weights(#[from] clarity_models::weights::WeightsError),
    /// Training failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Train(#[from] TrainError),
    /// A checkpoint is unusable.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Inference failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Predict(#[from] PredictError),
    /// The records are longer than the model's position table.
    #[error(
        "the {what} were tokenized with max-length {max_length}, but the model accepts at most {limit} tokens"
    )]
    #[diagnostic(
        code(clarity::jobs::input_too_long),
        help(
            "lower the tokenize stage's `max-length` to {limit} or less; to keep the rest of long texts, also set its `stride` (sliding windows, each at most `max-length` tokens)"
        )
    )]
    InputTooLong {
        /// Which records, e.g. "training records".
        what: String,
        /// The records' `max_length` (special tokens included).
        max_length: usize,
        /// The longest input the model accepts.
        limit: usize,
    },
    /// A token id is outside the model's vocabulary.
    #[error(
        "the {what} hold token id {max_id} ({example}), but the model's vocabulary has {vocab_size} ids"
    )]
    #[diagnostic(
        code(clarity::jobs::token_out_of_vocabulary),
        help(
            "the records were tokenized with a tokenizer ({tokenizer}) whose vocabulary does not fit this model: tokenize with the model's own tokenizer (the tokenize stage's `tokenizer` naming this model's stage); if they were, the token file is damaged: re-run the tokenize stage with `clarity run --force`"
        )
    )]
    TokenOutOfVocabulary {
        /// Which records, e.g. "training records".
        what: String,
        /// The largest id found.
        max_id: u32,
        /// Where it was found: "example `ID`" or "its padding id".
        example: String,
        /// The model's vocabulary size.
        vocab_size: usize,
        /// The tokenizer file the records were made with.
        tokenizer: String,
    },
    /// A record of a token file contradicts the file's metadata.
    #[error("the {what} are damaged: record {record} (example `{example}`) {problem}")]
    #[diagnostic(
        code(clarity::jobs::damaged_tokens),
        help("re-run the tokenize stage that made them, e.g. with `clarity run --force`")
    )]
    DamagedTokens {
        /// Which records.
        what: String,
        /// 0-based record index.
        record: usize,
        /// Its example id.
        example: String,
        /// What is wrong.
        problem: String,
    },
    /// The checkpoints do not fit the data or each other.
    #[error("{0}")]
    #[diagnostic(code(clarity::jobs::mismatch))]
    Mismatch(String),
}
