use std::path::PathBuf;

use clarity_models::ModelError;
use clarity_models::weights::WeightsError;
use miette::Diagnostic;
use thiserror::Error;

/// A checkpoint directory could not be written or read.
#[derive(Debug, Error, Diagnostic)]
pub enum CheckpointError {
    /// The model could not be saved or loaded.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Model(#[from] ModelError),
    /// A file of the checkpoint could not be read or written.
    #[error("cannot {action} {path}")]
    #[diagnostic(code(clarity::train::checkpoint_io))]
    Io {
        /// "read", "write", "copy", "list" or "remove".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The directory has no `head.json`: it is not a clarity checkpoint.
    #[error("{dir} is not a clarity checkpoint: it has no {file}")]
    #[diagnostic(
        code(clarity::checkpoint::not_a_checkpoint),
        help(
            "give a directory the train stage wrote (train.best, train.last) or one `clarity export` wrote"
        )
    )]
    NotACheckpoint {
        /// The directory.
        dir: PathBuf,
        /// The missing file.
        file: &'static str,
    },
    /// A checkpoint written before the single-head models carried HF's classification head.
    #[error(
        "{path} describes a checkpoint of layout {found}; this clarity reads layout {expected}"
    )]
    #[diagnostic(
        code(clarity::checkpoint::old_layout),
        help(
            "checkpoints of layout 1 (heads.safetensors beside an encoder-only model.safetensors) were written by an older clarity whose single heads were one linear layer; re-train the model (`clarity run` re-runs the train stage, whose version changed)"
        )
    )]
    OldLayout {
        /// `head.json`.
        path: PathBuf,
        /// Its layout.
        found: u32,
        /// The layout this build reads and writes.
        expected: u32,
    },
    /// `clarity export` was asked to write a checkpoint onto itself.
    #[error("cannot export {dir} onto itself")]
    #[diagnostic(code(clarity::export::onto_itself), help("give --out a new directory"))]
    ExportOntoItself {
        /// The directory.
        dir: PathBuf,
    },
    /// `head.json` is not valid.
    #[error("{path} is not a valid head description: {reason}")]
    #[diagnostic(
        code(clarity::train::bad_head_file),
        help(
            "a checkpoint directory holds head.json, config.json and model.safetensors as the train stage writes them"
        )
    )]
    BadHeadFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl From<WeightsError> for CheckpointError {
    fn from(error: WeightsError) -> Self {
        Self::Model(error.into())
    }
}

/// An I/O failure on `path`.
pub(crate) fn io(
    action: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> CheckpointError {
    let path = path.to_path_buf();
    move |source| CheckpointError::Io {
        action,
        path,
        source,
    }
}
