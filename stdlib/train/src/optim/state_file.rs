use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use burn::tensor::{Tensor, TensorData, backend::Backend};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::adamw::{AdamW, AdamWConfig, AdamWParamState};
use super::error::OptimError;

const CONFIG_KEY: &str = "adamw_config";
const STEPS_KEY: &str = "adamw_steps";

/// Writes the optimiser's moments to a safetensors file: tensors `<path>.exp_avg` and
/// `<path>.exp_avg_sq` (f32, flattened) and, in the header metadata, the config and the
/// per-parameter step counts as JSON.
pub fn save_adamw<B: Backend>(optim: &AdamW<B>, path: &Path) -> Result<(), OptimError> {
    let mut buffers: Vec<(String, Vec<u8>, usize)> = Vec::new();
    let mut steps = BTreeMap::new();
    for (name, state) in optim.states() {
        steps.insert(name.clone(), state.step);
        for (suffix, tensor) in [
            ("exp_avg", &state.exp_avg),
            ("exp_avg_sq", &state.exp_avg_sq),
        ] {
            let values = to_f32(tensor);
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            buffers.push((format!("{name}.{suffix}"), bytes, values.len()));
        }
    }
    let views = buffers
        .iter()
        .map(|(name, bytes, len)| {
            TensorView::new(Dtype::F32, vec![*len], bytes)
                .map(|view| (name.clone(), view))
                .map_err(|e| bad(path, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = HashMap::from([
        (CONFIG_KEY.to_string(), to_json(optim.config())),
        (STEPS_KEY.to_string(), to_json(&steps)),
    ]);
    let bytes = safetensors::tensor::serialize(views, Some(metadata))
        .map_err(|e| bad(path, e.to_string()))?;
    std::fs::write(path, bytes).map_err(|source| OptimError::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a file written by [`save_adamw`]: the moments and step counts come from the file, the
/// hyperparameters from `config` (the stored config is informational).
pub fn load_adamw<B: Backend>(
    config: AdamWConfig,
    path: &Path,
    device: &B::Device,
) -> Result<AdamW<B>, OptimError> {
    let bytes = std::fs::read(path).map_err(|source| OptimError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| bad(path, e.to_string()))?;
    let steps_json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get(STEPS_KEY))
        .ok_or_else(|| bad(path, format!("no `{STEPS_KEY}` metadata")))?;
    let steps: BTreeMap<String, u64> =
        serde_json::from_str(steps_json).map_err(|e| bad(path, e.to_string()))?;
    let tensors = SafeTensors::deserialize(&bytes).map_err(|e| bad(path, e.to_string()))?;
    let read = |key: String| -> Result<Tensor<B, 1>, OptimError> {
        let view = tensors
            .tensor(&key)
            .map_err(|_| bad(path, format!("no tensor `{key}`")))?;
        if view.dtype() != Dtype::F32 {
            return Err(bad(path, format!("`{key}` is {:?}, not F32", view.dtype())));
        }
        let values: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let len = values.len();
        Ok(Tensor::from_data(TensorData::new(values, [len]), device))
    };
    let mut states = BTreeMap::new();
    for (name, step) in steps {
        let state = AdamWParamState {
            step,
            exp_avg: read(format!("{name}.exp_avg"))?,
            exp_avg_sq: read(format!("{name}.exp_avg_sq"))?,
        };
        states.insert(name, state);
    }
    let mut optim = AdamW::new(config);
    optim.set_states(states);
    Ok(optim)
}

fn to_f32<B: Backend>(tensor: &Tensor<B, 1>) -> Vec<f32> {
    tensor
        .clone()
        .into_data()
        .convert::<f32>()
        .to_vec()
        .expect("converted to f32 just above")
}

fn bad(path: &Path, reason: String) -> OptimError {
    OptimError::BadState {
        path: path.to_path_buf(),
        reason,
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data of strings and numbers serialises")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::TestBackend;

    #[test]
    fn round_trips_moments_and_steps() {
        let device = Default::default();
        let flat = |v: &[f32]| {
            Tensor::<TestBackend, 1>::from_data(TensorData::new(v.to_vec(), [v.len()]), &device)
        };
        let mut optim = AdamW::<TestBackend>::new(AdamWConfig::default());
        optim.set_states(BTreeMap::from([
            (
                "a.weight".to_string(),
                AdamWParamState {
                    step: 3,
                    exp_avg: flat(&[0.5, -1.0]),
                    exp_avg_sq: flat(&[0.25, 1.0]),
                },
            ),
            (
                "b.bias".to_string(),
                AdamWParamState {
                    step: 2,
                    exp_avg: flat(&[1e-9]),
                    exp_avg_sq: flat(&[3.0]),
                },
            ),
        ]));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("optimizer.safetensors");
        save_adamw(&optim, &file).unwrap();
        let loaded = load_adamw::<TestBackend>(AdamWConfig::default(), &file, &device).unwrap();
        assert_eq!(loaded.states().len(), 2);
        let a = &loaded.states()["a.weight"];
        assert_eq!(a.step, 3);
        assert_eq!(to_f32(&a.exp_avg), vec![0.5, -1.0]);
        assert_eq!(to_f32(&a.exp_avg_sq), vec![0.25, 1.0]);
        assert_eq!(to_f32(&loaded.states()["b.bias"].exp_avg), vec![1e-9]);
    }

    #[test]
    fn reports_a_damaged_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("optimizer.safetensors");
        std::fs::write(&file, b"not safetensors").unwrap();
        let err = load_adamw::<TestBackend>(AdamWConfig::default(), &file, &Default::default())
            .unwrap_err();
        assert!(matches!(err, OptimError::BadState { .. }), "{err:?}");
        let missing = load_adamw::<TestBackend>(
            AdamWConfig::default(),
            &dir.path().join("none"),
            &Default::default(),
        );
        assert!(matches!(missing, Err(OptimError::Io { .. })));
    }
}
