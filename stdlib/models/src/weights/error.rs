use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

/// A weight file that cannot be loaded into (or saved from) a model.
#[derive(Debug, Error, Diagnostic)]
pub enum WeightsError {
    /// The model directory has no weight file this crate reads.
    #[error("no model weights in {dir}")]
    #[diagnostic(
        code(clarity::models::weights::not_found),
        help(
            "expected model.safetensors, pytorch_model.bin, or a sharded checkpoint's model.safetensors.index.json or pytorch_model.bin.index.json with its shards; found: {found}"
        )
    )]
    NotFound {
        /// The directory searched.
        dir: PathBuf,
        /// The files that are there.
        found: String,
    },

    /// The file is unreadable, truncated or not in the format its name says.
    #[error("cannot read weights {path}: {message}")]
    #[diagnostic(
        code(clarity::models::weights::unreadable),
        help(
            "the file may be truncated or corrupt; download it again (`--force` re-runs a fetch stage)"
        )
    )]
    Unreadable {
        /// The weight file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// Encoder weights the model needs are not in the file.
    #[error("{path} lacks {count} weight(s) the model needs, first `{first}`")]
    #[diagnostic(
        code(clarity::models::weights::missing),
        help(
            "missing: {list}. Check that the checkpoint matches config.json (model_type, num_hidden_layers)"
        )
    )]
    MissingKeys {
        /// The weight file.
        path: PathBuf,
        /// How many are missing.
        count: usize,
        /// The first missing key (HF name).
        first: String,
        /// The missing keys (HF names), abbreviated.
        list: String,
    },

    /// A tensor's shape in the file differs from what the config builds.
    #[error(
        "weights do not fit the config: `{key}` is {found:?} in {path}, the model expects {expected:?}"
    )]
    #[diagnostic(
        code(clarity::models::weights::shape_mismatch),
        help("{others}config.json and the weights must come from the same checkpoint")
    )]
    ShapeMismatch {
        /// The weight file.
        path: PathBuf,
        /// The tensor (HF name).
        key: String,
        /// Shape the model expects (HF layout).
        expected: Box<[usize]>,
        /// Shape in the file.
        found: Box<[usize]>,
        /// The other mismatches, if any.
        others: String,
    },

    /// A tensor holds a type that cannot become model weights.
    #[error("`{key}` in {path} has dtype {dtype}, not a float type")]
    #[diagnostic(code(clarity::models::weights::dtype))]
    UnsupportedDType {
        /// The weight file.
        path: PathBuf,
        /// The tensor (HF name).
        key: String,
        /// Its dtype.
        dtype: String,
    },

    /// Writing a checkpoint failed.
    #[error("cannot write weights {path}: {message}")]
    #[diagnostic(code(clarity::models::weights::write))]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}
