use std::fmt;
use std::path::{Path, PathBuf};

use super::WeightsError;

/// A weight file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightsFormat {
    /// `model.safetensors`.
    Safetensors,
    /// `pytorch_model.bin`: a `torch.save` zip of the state dict.
    PytorchBin,
}

impl WeightsFormat {
    /// The format a file name implies (`.safetensors`, else PyTorch pickle).
    pub fn of_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("safetensors") => WeightsFormat::Safetensors,
            _ => WeightsFormat::PytorchBin,
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

/// The weight file of an HF model directory: `model.safetensors`, else `pytorch_model.bin`.
pub fn find_weights(dir: &Path) -> Result<(PathBuf, WeightsFormat), WeightsError> {
    for name in ["model.safetensors", "pytorch_model.bin"] {
        let path = dir.join(name);
        if path.is_file() {
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
