use std::fmt;
use std::path::{Path, PathBuf};

use super::WeightsError;

/// A weight file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsFormat {
    /// `model.safetensors` (or its shards, listed by `model.safetensors.index.json`).
    Safetensors,
    /// `pytorch_model.bin`: a `torch.save` zip of the state dict (or its shards, listed by
    /// `pytorch_model.bin.index.json`).
    PytorchBin,
}

impl WeightsFormat {
    /// The format a file name implies (`.safetensors` or a safetensors shard index, else
    /// PyTorch pickle).
    pub fn of_path(path: &Path) -> Self {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let name = name.strip_suffix(INDEX_SUFFIX).unwrap_or(name);
        if name.ends_with(".safetensors") {
            WeightsFormat::Safetensors
        } else {
            WeightsFormat::PytorchBin
        }
    }
}

impl fmt::Display for WeightsFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WeightsFormat::Safetensors => "safetensors",
            WeightsFormat::PytorchBin => "pytorch",
        })
    }
}

/// What a shard index's name adds to the name of the file it splits
/// (`model.safetensors.index.json`).
pub(super) const INDEX_SUFFIX: &str = ".index.json";

/// The weights of an HF model directory, in `from_pretrained`'s order: `model.safetensors`,
/// its shard index, `pytorch_model.bin`, its shard index. A shard index is returned as the
/// path; [`super::read_tensors`] reads the shards it lists.
pub fn find_weights(dir: &Path) -> Result<(PathBuf, WeightsFormat), WeightsError> {
    for name in [
        "model.safetensors",
        "model.safetensors.index.json",
        "pytorch_model.bin",
        "pytorch_model.bin.index.json",
    ] {
        let path = dir.join(name);
        // Anything by that name is taken, so that a FIFO or a directory is reported as not a
        // regular file by the reader rather than skipped.
        if path.exists() {
            return Ok((path.clone(), WeightsFormat::of_path(&path)));
        }
    }
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    Err(WeightsError::NotFound {
        dir: dir.to_path_buf(),
        found: if found.is_empty() {
            "nothing".to_string()
        } else {
            found.join(", ")
        },
    })
}
