use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use burn_store::{ModuleStore, PytorchStore, SafetensorsStore, TensorSnapshot};

use super::{WeightsError, WeightsFormat};

/// Every tensor of a weight file, keyed by its name in the file, data read lazily.
///
/// burn-store reports malformed files as errors; a panic inside a third-party parser on a
/// corrupt file is also turned into [`WeightsError::Unreadable`] rather than aborting.
pub fn read_tensors(
    path: &Path,
    format: WeightsFormat,
) -> Result<Vec<(String, TensorSnapshot)>, WeightsError> {
    let unreadable = |message: String| WeightsError::Unreadable {
        path: path.to_path_buf(),
        message,
    };
    if !path.is_file() {
        return Err(unreadable("no such file".to_string()));
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
