//! `clarity export`: a checkpoint as a Hugging Face model directory.

use std::path::{Path, PathBuf};

use clarity_models::ModelError;
use clarity_models::config::ModelConfig;
use clarity_models::weights::find_weights;

use super::checkpoint::check_labels;
use super::error::io;
use super::{
    CheckpointError, HEAD_FILE, HeadConfig, MODEL_WEIGHTS, TEMPLATE_FILE, TOKENIZER_FILES,
    copy_tokenizer_files, read_head_config,
};

/// What [`export_checkpoint`] wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    /// The heads of the model.
    pub head: HeadConfig,
    /// The directory written.
    pub dir: PathBuf,
    /// The files in it, sorted.
    pub files: Vec<String>,
}

/// Writes checkpoint `dir` to `out` as an HF model directory: `config.json` (a single head's
/// labels as `id2label`/`label2id`, `architectures`), `model.safetensors`, the tokenizer
/// files, `head.json` and `clarity_template.json`. A single-head export is what
/// `AutoModelForSequenceClassification.from_pretrained(out)` loads; every export is a
/// checkpoint clarity reads back.
pub fn export_checkpoint(dir: &Path, out: &Path) -> Result<Exported, CheckpointError> {
    let head = read_head_config(dir)?;
    let config = ModelConfig::from_dir(dir).map_err(ModelError::from)?;
    check_labels(dir, &head, &config)?;
    let (weights, _) = find_weights(dir)?;
    if weights.file_name() != Some(std::ffi::OsStr::new(MODEL_WEIGHTS)) {
        return Err(CheckpointError::BadHeadFile {
            path: dir.join(HEAD_FILE),
            reason: format!("a checkpoint keeps its weights in {MODEL_WEIGHTS}"),
        });
    }
    if same_dir(dir, out) {
        return Err(CheckpointError::ExportOntoItself {
            dir: out.to_path_buf(),
        });
    }
    std::fs::create_dir_all(out).map_err(io("write", out))?;
    remove_stale(out)?;
    let config_path = out.join("config.json");
    std::fs::write(&config_path, head.model_config(&config).to_json_string())
        .map_err(io("write", &config_path))?;
    copy(&weights, &out.join(MODEL_WEIGHTS))?;
    for name in [HEAD_FILE, TEMPLATE_FILE] {
        let from = dir.join(name);
        if from.is_file() {
            copy(&from, &out.join(name))?;
        }
    }
    copy_tokenizer_files(dir, out)?;
    let mut files: Vec<String> = std::fs::read_dir(out)
        .map_err(io("list", out))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    Ok(Exported {
        head,
        dir: out.to_path_buf(),
        files,
    })
}

/// Removes what an earlier export into `out` may have left that this one might not write (a
/// tokenizer file of another model, a template, a layout-1 `heads.safetensors`).
fn remove_stale(out: &Path) -> Result<(), CheckpointError> {
    let ours = [
        "config.json",
        MODEL_WEIGHTS,
        HEAD_FILE,
        TEMPLATE_FILE,
        "heads.safetensors",
    ];
    for name in ours.iter().chain(TOKENIZER_FILES.iter()) {
        let path = out.join(name);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(io("remove", &path))?;
        }
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<(), CheckpointError> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(io("copy", from))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
