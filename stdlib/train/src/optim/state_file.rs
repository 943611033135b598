use std::collections::BTreeMap;
use std::path::Path;

use burn::tensor::{Tensor, TensorData, backend::Backend};

use super::adamw::{AdamW, AdamWConfig, AdamWParamState};
use crate::tensor_file::{NamedTensor, TensorFile, TensorFileError, damaged};

const CONFIG_KEY: &str = "adamw_config";
const STEPS_KEY: &str = "adamw_steps";

/// Writes the optimiser's moments to a safetensors file: tensors `<path>.exp_avg` and
/// `<path>.exp_avg_sq` (f32, flattened) and, in the header metadata, the config and the
/// per-parameter step counts as JSON.
pub fn save_adamw<B: Backend>(optim: &AdamW<B>, path: &Path) -> Result<(), TensorFileError> {
    let mut file = TensorFile::default();
    let mut steps = BTreeMap::new();
    for (name, state) in optim.states() {
        steps.insert(name.clone(), state.step);
        for (suffix, tensor) in [
            ("exp_avg", &state.exp_avg),
            ("exp_avg_sq", &state.exp_avg_sq),
        ] {
            let values = to_f32(tensor);
            let named = NamedTensor {
                shape: vec![values.len()],
                values,
            };
            file.tensors.insert(format!("{name}.{suffix}"), named);
        }
    }
    file.metadata
        .insert(CONFIG_KEY.into(), to_json(optim.config()));
    file.metadata.insert(STEPS_KEY.into(), to_json(&steps));
    file.write(path)
}

/// Reads a file written by [`save_adamw`]: the moments and step counts come from the file, the
/// hyperparameters from `config` (the stored config is informational).
pub fn load_adamw<B: Backend>(
    config: AdamWConfig,
    path: &Path,
    device: &B::Device,
) -> Result<AdamW<B>, TensorFileError> {
    let mut file = TensorFile::read(path)?;
    let steps: BTreeMap<String, u64> = serde_json::from_str(file.meta(STEPS_KEY, path)?)
        .map_err(|e| damaged(path, format!("`{STEPS_KEY}`: {e}")))?;
    let mut read = |key: String| -> Result<Tensor<B, 1>, TensorFileError> {
        let t = file.take(&key, path)?;
        let len = t.values.len();
        Ok(Tensor::from_data(TensorData::new(t.values, [len]), device))
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

fn to_f32<B: Backend, const D: usize>(tensor: &Tensor<B, D>) -> Vec<f32> {
    tensor
        .clone()
        .into_data()
        .convert::<f32>()
        .to_vec()
        .expect("converted to f32 just above")
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
    fn round_trips_an_optimiser_without_state() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("optimizer.safetensors");
        save_adamw(&AdamW::<TestBackend>::new(AdamWConfig::default()), &file).unwrap();
        let loaded =
            load_adamw::<TestBackend>(AdamWConfig::default(), &file, &Default::default()).unwrap();
        assert!(loaded.states().is_empty());
    }

    #[test]
    fn reports_a_file_without_optimiser_state() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("optimizer.safetensors");
        let mut other = TensorFile::default();
        other.tensors.insert(
            "w".into(),
            NamedTensor {
                shape: vec![1],
                values: vec![0.0],
            },
        );
        other.write(&file).unwrap();
        let err = load_adamw::<TestBackend>(AdamWConfig::default(), &file, &Default::default())
            .unwrap_err();
        assert!(
            matches!(err, TensorFileError::Damaged { ref reason, .. } if reason.contains(STEPS_KEY)),
            "{err:?}"
        );
    }
}
