use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use burn_store::{ModuleStore, PytorchStore, SafetensorsStore, TensorSnapshot};

use super::format::INDEX_SUFFIX;
use super::{WeightsError, WeightsFormat};

/// Every tensor of a weight file, keyed by its name in the file, data read lazily. A shard
/// index (`model.safetensors.index.json`, `pytorch_model.bin.index.json`) reads every shard
/// it lists and checks each holds the tensors the index puts there.
///
/// burn-store reports malformed files as errors; a panic inside a third-party parser on a
/// corrupt file is also turned into [`WeightsError::Unreadable`] rather than aborting.
pub fn read_tensors(
    path: &Path,
    format: WeightsFormat,
) -> Result<Vec<(String, TensorSnapshot)>, WeightsError> {
    if path.to_string_lossy().ends_with(INDEX_SUFFIX) {
        return read_shards(path, format);
    }
    read_file(path, format)
}

/// The most bytes a shard index may have (the Hub's largest are a few hundred KiB).
const MAX_INDEX_BYTES: u64 = 64 * 1024 * 1024;

/// The shape of an HF shard index: tensor name -> shard file name.
#[derive(serde::Deserialize)]
struct ShardIndex {
    weight_map: BTreeMap<String, String>,
}

fn read_shards(
    index_path: &Path,
    format: WeightsFormat,
) -> Result<Vec<(String, TensorSnapshot)>, WeightsError> {
    let unreadable = |message: String| WeightsError::Unreadable {
        path: index_path.to_path_buf(),
        message,
    };
    let text = clarity_engine::fs::read_capped_string(index_path, MAX_INDEX_BYTES)
        .map_err(|e| unreadable(e.to_string()))?;
    let index: ShardIndex = serde_json::from_str(&text)
        .map_err(|e| unreadable(format!("not a shard index (`weight_map`): {e}")))?;
    let dir = index_path.parent().unwrap_or(Path::new("."));
    let shards: BTreeSet<&String> = index.weight_map.values().collect();
    let mut tensors = Vec::new();
    for shard in shards {
        let bare = Path::new(shard);
        if bare.components().count() != 1 || shard.ends_with(INDEX_SUFFIX) {
            return Err(unreadable(format!(
                "shard `{shard}` is not a file name in the model directory"
            )));
        }
        let path = dir.join(bare);
        if !path.exists() {
            return Err(unreadable(format!(
                "the index lists shard `{shard}`, which is not in {}",
                dir.display()
            )));
        }
        let read = read_file(&path, format)?;
        let held: BTreeSet<&str> = read.iter().map(|(k, _)| k.as_str()).collect();
        if let Some(key) = index
            .weight_map
            .iter()
            .find(|(k, s)| *s == shard && !held.contains(k.as_str()))
            .map(|(k, _)| k)
        {
            return Err(unreadable(format!(
                "the index puts `{key}` in shard `{shard}`, which does not hold it"
            )));
        }
        tensors.extend(read);
    }
    Ok(tensors)
}

fn read_file(
    path: &Path,
    format: WeightsFormat,
) -> Result<Vec<(String, TensorSnapshot)>, WeightsError> {
    let unreadable = |message: String| WeightsError::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    // Weights are mapped or streamed by burn-store, so no byte cap here; but a FIFO or a
    // device (`/dev/zero`) would block or never end: only regular files are read.
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err(unreadable("not a regular file".to_string())),
        Err(e) => return Err(unreadable(e.to_string())),
    }
    let read = catch_unwind(AssertUnwindSafe(|| match format {
        WeightsFormat::Safetensors => {
            let mut store = SafetensorsStore::from_file(path);
            store
                .get_all_snapshots()
                .map(|m| m.iter().map(|(k, s)| (k.clone(), s.clone())).collect())
                .map_err(|e| e.to_string())
        }
        WeightsFormat::PytorchBin => {
            let mut store = PytorchStore::from_file(path);
            store
                .get_all_snapshots()
                .map(|m| m.iter().map(|(k, s)| (k.clone(), s.clone())).collect())
                .map_err(|e| e.to_string())
        }
    }));
    match read {
        Ok(Ok(tensors)) => Ok(tensors),
        Ok(Err(message)) => Err(unreadable(message)),
        Err(_) => Err(unreadable(format!(
            "the {format} parser failed on this file"
        ))),
    }
}
