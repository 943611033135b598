use std::collections::HashMap;
use std::path::Path;

use burn::module::Module;
use burn::tensor::DType;
use burn::tensor::backend::Backend;
use burn_store::{BurnToPyTorchAdapter, ModuleSnapshot};
use safetensors::Dtype;
use safetensors::tensor::TensorView;

use super::{WeightsError, burn_to_hf};

/// Writes `module` as an HF `model.safetensors`: HF key names (`rename` maps each HF-style
/// module path, enum variants skipped, to the final key, e.g. `encoder.` to `roberta.`),
/// PyTorch layouts, and the `{"format": "pt"}` metadata transformers requires. The file
/// appears only when complete.
pub fn save_safetensors<B: Backend, M: Module<B>>(
    module: &M,
    path: &Path,
    rename: &dyn Fn(&str) -> String,
) -> Result<(), WeightsError> {
    let write_error = |message: String| WeightsError::Write {
        path: path.to_path_buf(),
        message,
    };
    let mut tensors = Vec::new();
    for snapshot in module.collect(None, Some(Box::new(BurnToPyTorchAdapter)), true) {
        let key = rename(&burn_to_hf(&snapshot.full_path()));
        let data = snapshot
            .to_data()
            .map_err(|e| write_error(format!("`{key}`: {e:?}")))?;
        let dtype = safetensors_dtype(data.dtype).ok_or_else(|| {
            write_error(format!("`{key}` has unsupported dtype {:?}", data.dtype))
        })?;
        tensors.push((key, dtype, data.shape.to_vec(), data.bytes.to_vec()));
    }
    let views = tensors
        .iter()
        .map(|(key, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|view| (key.clone(), view))
                .map_err(|e| write_error(format!("`{key}`: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    let partial = path.with_extension("safetensors.partial");
    safetensors::serialize_to_file(views, Some(metadata), &partial)
        .map_err(|e| write_error(e.to_string()))?;
    std::fs::rename(&partial, path).map_err(|e| write_error(e.to_string()))
}

fn safetensors_dtype(dtype: DType) -> Option<Dtype> {
    Some(match dtype {
        DType::F64 => Dtype::F64,
        DType::F32 => Dtype::F32,
        DType::F16 => Dtype::F16,
        DType::BF16 => Dtype::BF16,
        DType::I64 => Dtype::I64,
        DType::I32 => Dtype::I32,
        _ => return None,
    })
}
