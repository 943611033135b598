#![cfg(feature = "flex")]
//! Weight files: half-precision input, missing / unexpected / misshapen tensors, corrupt
//! files, base-model prefixes, and our own checkpoints.

mod common;

use std::collections::HashMap;
use std::path::Path;

use burn::backend::Flex;
use burn::backend::flex::FlexDevice;
use burn::tensor::f16;
use clarity_models::config::ModelConfig;
use clarity_models::weights::{WeightsError, WeightsFormat};
use clarity_models::{Encoder, ModelError, ModelOptions, SequenceClassifier};
use common::*;
use safetensors::{Dtype, SafeTensors};

type B = Flex;

/// A tensor as raw little-endian bytes.
#[derive(Clone)]
struct Raw {
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

fn read_fixture(name: &str) -> Vec<(String, Raw)> {
    let bytes = std::fs::read(fixture_dir(name).join("model.safetensors")).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut tensors: Vec<(String, Raw)> = file
        .tensors()
        .into_iter()
        .map(|(k, v)| {
            let raw = Raw {
                dtype: v.dtype(),
                shape: v.shape().to_vec(),
                bytes: v.data().to_vec(),
            };
            (k, raw)
        })
        .collect();
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    tensors
}

fn write_safetensors(path: &Path, tensors: &[(String, Raw)]) {
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = tensors
        .iter()
        .map(|(k, t)| {
            let view = safetensors::tensor::TensorView::new(t.dtype, t.shape.clone(), &t.bytes);
            (k.clone(), view.unwrap())
        })
        .collect();
    let meta = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::serialize_to_file(views, Some(meta), path).unwrap();
}

/// A model dir in a temp dir: the fixture's config.json and the given tensors.
fn model_dir(name: &str, tensors: &[(String, Raw)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture_dir(name).join("config.json"),
        dir.path().join("config.json"),
    )
    .unwrap();
    write_safetensors(&dir.path().join("model.safetensors"), tensors);
    dir
}

fn f32s(raw: &Raw) -> Vec<f32> {
    raw.bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

fn to_f16(raw: &Raw) -> Raw {
    Raw {
        dtype: Dtype::F16,
        shape: raw.shape.clone(),
        bytes: f32s(raw)
            .iter()
            .flat_map(|v| f16::from_f32(*v).to_le_bytes())
            .collect(),
    }
}

fn f16_rounded_f32(raw: &Raw) -> Raw {
    Raw {
        dtype: Dtype::F32,
        shape: raw.shape.clone(),
        bytes: f32s(raw)
            .iter()
            .flat_map(|v| f16::from_f32(*v).to_f32().to_le_bytes())
            .collect(),
    }
}

fn load(
    dir: &Path,
) -> Result<
    (
        SequenceClassifier<B>,
        ModelConfig,
        clarity_models::weights::LoadReport,
    ),
    ModelError,
> {
    SequenceClassifier::<B>::from_pretrained(dir, &ModelOptions::default(), &FlexDevice)
}

fn run(model: &SequenceClassifier<B>, name: &str) -> (Vec<f32>, Vec<f32>) {
    let case = &eval_cases(name)[1];
    let out = model.forward(
        int_tensor::<B>(&case.input_ids, &FlexDevice),
        int_tensor::<B>(&case.attention_mask, &FlexDevice),
    );
    (values(out.logits), values(out.last_hidden_state))
}

fn weights_error(result: Result<impl Sized, ModelError>) -> WeightsError {
    match result {
        Err(ModelError::Weights(e)) => e,
        Err(other) => panic!("expected a weights error, got {other:?}"),
        Ok(_) => panic!("expected a weights error, got a model"),
    }
}

#[test]
fn fp16_weights_are_cast_to_the_f32_model() {
    for name in MODELS {
        let tensors = read_fixture(name);
        let half: Vec<(String, Raw)> = tensors
            .iter()
            .map(|(k, t)| (k.clone(), to_f16(t)))
            .collect();
        let rounded: Vec<(String, Raw)> = tensors
            .iter()
            .map(|(k, t)| (k.clone(), f16_rounded_f32(t)))
            .collect();
        let half_dir = model_dir(name, &half);
        let rounded_dir = model_dir(name, &rounded);

        let (model, _, report) = load(half_dir.path()).unwrap();
        assert_eq!(report.cast_from, vec!["F16".to_string()]);
        let (logits, hidden) = run(&model, name);
        let (model_ref, _, report_ref) = load(rounded_dir.path()).unwrap();
        assert!(report_ref.cast_from.is_empty());
        let (logits_ref, hidden_ref) = run(&model_ref, name);
        assert_eq!(
            logits, logits_ref,
            "{name}: fp16 file and its exact f32 widening differ"
        );
        assert_eq!(hidden, hidden_ref);

        let case = &eval_cases(name)[1];
        let hf: Vec<f64> = case.flat_logits();
        let d = max_abs_diff(&logits, &hf);
        assert!(
            d < 2e-3,
            "{name}: fp16-rounded weights drift {d} from HF's f32 logits"
        );
    }
}

#[test]
fn a_missing_encoder_weight_is_an_error_naming_it() {
    let key = "roberta.encoder.layer.1.output.dense.weight";
    let tensors: Vec<_> = read_fixture("tiny_roberta")
        .into_iter()
        .filter(|(k, _)| k != key)
        .collect();
    let dir = model_dir("tiny_roberta", &tensors);
    match weights_error(load(dir.path())) {
        WeightsError::MissingKeys { first, count, .. } => {
            assert_eq!(first, key);
            assert_eq!(count, 1);
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn a_missing_head_is_initialised_fresh_and_reported() {
    for (name, head) in [
        ("tiny_roberta", "classifier."),
        ("tiny_deberta_v3", "classifier."),
    ] {
        let tensors: Vec<_> = read_fixture(name)
            .into_iter()
            .filter(|(k, _)| !k.starts_with(head) && !k.starts_with("pooler."))
            .collect();
        let dir = model_dir(name, &tensors);
        let (model, _, report) = load(dir.path()).unwrap();
        assert!(!report.newly_initialized.is_empty());
        assert!(
            report
                .newly_initialized
                .iter()
                .all(|k| k.starts_with(head) || k.starts_with("pooler."))
        );
        assert!(
            report.warnings()[0].contains("newly initialised"),
            "{:?}",
            report.warnings()
        );
        let named = report.warnings_for("the model of `weights`");
        assert!(
            named[0].contains(" not in the model of `weights` were newly initialised")
                && !named[0].contains(&dir.path().display().to_string()),
            "{named:?}"
        );
        let (_, hidden) = run(&model, name);
        let case = &eval_cases(name)[1];
        let hf: Vec<f64> = case.flat_hidden();
        assert!(
            max_abs_diff(&hidden, &hf) <= 1e-4,
            "{name}: the encoder must still load"
        );
    }
}

#[test]
fn a_shape_mismatch_names_the_tensor_and_both_shapes() {
    let key = "roberta.encoder.layer.0.intermediate.dense.weight";
    let tensors: Vec<_> = read_fixture("tiny_roberta")
        .into_iter()
        .map(|(k, t)| {
            if k == key {
                let raw = Raw {
                    dtype: Dtype::F32,
                    shape: vec![65, 32],
                    bytes: vec![0; 65 * 32 * 4],
                };
                (k, raw)
            } else {
                (k, t)
            }
        })
        .collect();
    let dir = model_dir("tiny_roberta", &tensors);
    let error = weights_error(load(dir.path()));
    let text = error.to_string();
    match error {
        WeightsError::ShapeMismatch {
            key: k,
            expected,
            found,
            ..
        } => {
            assert_eq!(k, key);
            assert_eq!(&*expected, &[64, 32]);
            assert_eq!(&*found, &[65, 32]);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(
        text.contains(key) && text.contains("[65, 32]") && text.contains("[64, 32]"),
        "{text}"
    );
}

#[test]
fn truncated_or_corrupt_files_are_diagnostics() {
    for name in MODELS {
        for file in ["model.safetensors", "pytorch_model.bin"] {
            let bytes = std::fs::read(fixture_dir(name).join(file)).unwrap();
            let n = bytes.len();
            let mut variants: Vec<Vec<u8>> = [0, 7, 8, 100, n / 2, n - 100, n - 1]
                .iter()
                .map(|&len| bytes[..len].to_vec())
                .collect();
            variants.push(b"this is not a weight file at all".repeat(100));
            for (i, content) in variants.into_iter().enumerate() {
                let dir = tempfile::tempdir().unwrap();
                std::fs::copy(
                    fixture_dir(name).join("config.json"),
                    dir.path().join("config.json"),
                )
                .unwrap();
                std::fs::write(dir.path().join(file), content).unwrap();
                match weights_error(load(dir.path())) {
                    WeightsError::Unreadable { .. } => {}
                    other => panic!("{name}/{file} variant {i}: unexpected error {other:?}"),
                }
            }
        }
    }
}

#[test]
fn a_non_float_tensor_is_rejected() {
    let key = "roberta.embeddings.LayerNorm.bias";
    let tensors: Vec<_> = read_fixture("tiny_roberta")
        .into_iter()
        .map(|(k, t)| {
            if k == key {
                (
                    k,
                    Raw {
                        dtype: Dtype::I32,
                        ..t
                    },
                )
            } else {
                (k, t)
            }
        })
        .collect();
    let dir = model_dir("tiny_roberta", &tensors);
    match weights_error(load(dir.path())) {
        WeightsError::UnsupportedDType { key: k, .. } => assert_eq!(k, key),
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn unused_tensors_are_reported_and_buffers_ignored() {
    let mut tensors = read_fixture("tiny_roberta");
    let small = Raw {
        dtype: Dtype::F32,
        shape: vec![2],
        bytes: vec![0; 8],
    };
    tensors.push(("lm_head.bias".to_string(), small.clone()));
    tensors.push((
        "roberta.embeddings.position_ids".to_string(),
        Raw {
            dtype: Dtype::I64,
            shape: vec![1],
            bytes: vec![0; 8],
        },
    ));
    let dir = model_dir("tiny_roberta", &tensors);
    let (_, _, report) = load(dir.path()).unwrap();
    assert_eq!(report.unexpected, vec!["lm_head.bias".to_string()]);
    assert!(report.newly_initialized.is_empty());
}

#[test]
fn checkpoints_with_or_without_the_base_model_prefix_load() {
    // A bare `RobertaModel` checkpoint (keys without `roberta.`) into the classifier.
    let bare: Vec<_> = read_fixture("tiny_roberta")
        .into_iter()
        .filter_map(|(k, t)| k.strip_prefix("roberta.").map(|k| (k.to_string(), t)))
        .collect();
    let dir = model_dir("tiny_roberta", &bare);
    let (model, _, report) = load(dir.path()).unwrap();
    assert_eq!(report.newly_initialized.len(), 4, "only the head is fresh");
    let (_, hidden) = run(&model, "tiny_roberta");
    let case = &eval_cases("tiny_roberta")[1];
    let hf: Vec<f64> = case.flat_hidden();
    assert!(max_abs_diff(&hidden, &hf) <= 1e-4);

    // A classifier checkpoint into the bare encoder.
    for name in MODELS {
        let (encoder, _, report) = Encoder::<B>::from_pretrained(
            &fixture_dir(name),
            &ModelOptions::default(),
            &FlexDevice,
        )
        .unwrap();
        assert!(report.newly_initialized.is_empty());
        assert!(
            report
                .unexpected
                .iter()
                .all(|k| k.starts_with("classifier.") || k.starts_with("pooler."))
        );
        let case = &eval_cases(name)[1];
        let hidden = encoder.forward(
            int_tensor::<B>(&case.input_ids, &FlexDevice),
            int_tensor::<B>(&case.attention_mask, &FlexDevice),
        );
        let hf: Vec<f64> = case.flat_hidden();
        assert!(max_abs_diff(&values(hidden), &hf) <= 1e-4, "{name}");
    }
}

#[test]
fn saved_checkpoints_are_hf_directories_that_reload_exactly() {
    for name in MODELS {
        let (model, config, _) = load(&fixture_dir(name)).unwrap();
        let out = tempfile::tempdir().unwrap();
        model.save_pretrained(&config, out.path()).unwrap();

        let original: Vec<(String, Vec<usize>)> = read_fixture(name)
            .into_iter()
            .map(|(k, t)| (k, t.shape))
            .collect();
        let bytes = std::fs::read(out.path().join("model.safetensors")).unwrap();
        let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
        assert_eq!(
            meta.metadata()
                .as_ref()
                .and_then(|m| m.get("format"))
                .map(String::as_str),
            Some("pt"),
            "transformers only loads safetensors marked format=pt"
        );
        let saved = SafeTensors::deserialize(&bytes).unwrap();
        let mut saved: Vec<(String, Vec<usize>)> = saved
            .tensors()
            .into_iter()
            .map(|(k, v)| (k, v.shape().to_vec()))
            .collect();
        saved.sort();
        assert_eq!(saved, original, "{name}: HF key names and PyTorch layouts");

        let reloaded_config = ModelConfig::from_dir(out.path()).unwrap();
        assert_eq!(reloaded_config, config);
        let (reloaded, _, report) = load(out.path()).unwrap();
        assert!(report.newly_initialized.is_empty() && report.unexpected.is_empty());
        assert_eq!(run(&reloaded, name), run(&model, name));
    }
}

#[test]
fn a_directory_without_weights_says_what_it_has() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture_dir("tiny_roberta").join("config.json"),
        dir.path().join("config.json"),
    )
    .unwrap();
    std::fs::write(dir.path().join("model-00001-of-00002.safetensors"), b"").unwrap();
    match weights_error(load(dir.path())) {
        WeightsError::NotFound { found, .. } => {
            assert!(found.contains("model-00001-of-00002"), "{found}")
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(
        WeightsFormat::of_path(Path::new("x/model.safetensors")),
        WeightsFormat::Safetensors
    );
}

/// A head of one's own on the encoder, as the training crate builds them.
#[derive(burn::module::Module, Debug)]
struct EncoderWithHead<B: burn::tensor::backend::Backend> {
    encoder: Encoder<B>,
    classifier: burn::nn::Linear<B>,
}

#[test]
fn own_heads_on_the_encoder_save_and_load_under_hf_names() {
    use clarity_models::weights::{LoadPlan, load_module, save_safetensors};
    for name in MODELS {
        let options = ModelOptions::default();
        let (encoder, config, _) =
            Encoder::<B>::from_pretrained(&fixture_dir(name), &options, &FlexDevice).unwrap();
        let prefix = config.base_model_prefix();
        let model = EncoderWithHead {
            encoder,
            classifier: clarity_models::nn::hf_linear(
                config.hidden_size(),
                9,
                true,
                0.02,
                &FlexDevice,
            ),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        save_safetensors(&model, &path, &|k: &str| {
            k.replacen("encoder.", &format!("{prefix}."), 1)
        })
        .unwrap();

        let bytes = std::fs::read(&path).unwrap();
        let saved = SafeTensors::deserialize(&bytes).unwrap();
        let mut keys: Vec<String> = saved.names().into_iter().map(str::to_string).collect();
        keys.sort();
        let mut want: Vec<String> = read_fixture(name)
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| k.starts_with(&format!("{prefix}.")))
            .chain([
                "classifier.bias".to_string(),
                "classifier.weight".to_string(),
            ])
            .collect();
        want.sort();
        assert_eq!(keys, want, "{name}: HF names, no enum variant in the path");

        let fresh = EncoderWithHead {
            encoder: Encoder::<B>::init(&config, &options, &FlexDevice),
            classifier: clarity_models::nn::hf_linear(
                config.hidden_size(),
                9,
                true,
                0.02,
                &FlexDevice,
            ),
        };
        let renames = [(format!("{prefix}."), "encoder.".to_string())];
        let renames: Vec<(&str, &str)> = renames
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let plan = LoadPlan {
            prefix_renames: &renames,
            ..LoadPlan::new(burn::tensor::DType::F32, prefix)
        };
        let (loaded, report) =
            load_module(fresh, &path, WeightsFormat::Safetensors, &plan).unwrap();
        assert!(
            report.newly_initialized.is_empty() && report.unexpected.is_empty(),
            "{report:?}"
        );
        let case = &eval_cases(name)[1];
        let ids = int_tensor::<B>(&case.input_ids, &FlexDevice);
        let mask = int_tensor::<B>(&case.attention_mask, &FlexDevice);
        let run = |m: &EncoderWithHead<B>| {
            let hidden = m.encoder.forward(ids.clone(), mask.clone());
            let cls = hidden
                .narrow(1, 0, 1)
                .reshape([case.input_ids.len(), config.hidden_size()]);
            values(m.classifier.forward(cls))
        };
        assert_eq!(
            run(&loaded),
            run(&model),
            "{name}: the reloaded model computes the same"
        );
    }
}

#[test]
fn an_fp16_pytorch_bin_like_the_hubs_deberta_v3_matches_hf() {
    // The Hub's DeBERTa-v3 `pytorch_model.bin` is a torch.save of fp16 tensors.
    let name = "tiny_deberta_v3_fp16";
    let dir = fixture_dir(name);
    let (model, _, report) = load(&dir).unwrap();
    assert_eq!(report.format, WeightsFormat::PytorchBin);
    assert_eq!(report.cast_from, vec!["F16".to_string()]);
    for case in eval_cases(name) {
        let out = model.forward(
            int_tensor::<B>(&case.input_ids, &FlexDevice),
            int_tensor::<B>(&case.attention_mask, &FlexDevice),
        );
        let hf_logits: Vec<f64> = case.flat_logits();
        let d = max_abs_diff(&values(out.logits), &hf_logits);
        assert!(d <= 1e-6, "logits differ from HF's by {d}");
        let hf_hidden: Vec<f64> = case.flat_hidden();
        let d = max_abs_diff(&values(out.last_hidden_state), &hf_hidden);
        assert!(d <= 1e-4, "last_hidden_state differs from HF's by {d}");
    }
}

/// A model dir whose weights are `tensors` split into `shards` safetensors files and an
/// HF `model.safetensors.index.json`.
fn sharded_dir(name: &str, tensors: &[(String, Raw)], shards: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture_dir(name).join("config.json"),
        dir.path().join("config.json"),
    )
    .unwrap();
    let per_shard = tensors.len().div_ceil(shards);
    let mut weight_map = serde_json::Map::new();
    for (i, chunk) in tensors.chunks(per_shard).enumerate() {
        let file = format!("model-{:05}-of-{shards:05}.safetensors", i + 1);
        write_safetensors(&dir.path().join(&file), chunk);
        for (key, _) in chunk {
            weight_map.insert(key.clone(), file.clone().into());
        }
    }
    let index = serde_json::json!({ "metadata": {}, "weight_map": weight_map });
    std::fs::write(
        dir.path().join("model.safetensors.index.json"),
        index.to_string(),
    )
    .unwrap();
    dir
}

#[test]
fn sharded_safetensors_load_like_one_file() {
    for name in MODELS {
        let tensors = read_fixture(name);
        let dir = sharded_dir(name, &tensors, 3);
        let (model, _, report) = load(dir.path()).unwrap();
        assert_eq!(report.format, WeightsFormat::Safetensors);
        assert!(report.path.ends_with("model.safetensors.index.json"));
        let case = &eval_cases(name)[1];
        let (logits, _) = run(&model, name);
        let hf: Vec<f64> = case.flat_logits();
        let d = max_abs_diff(&logits, &hf);
        assert!(d <= 1e-5, "{name}: sharded logits differ from HF's by {d}");
    }
}

#[test]
fn a_missing_shard_or_a_misplaced_tensor_is_a_diagnostic() {
    let name = "tiny_roberta";
    let tensors = read_fixture(name);
    let dir = sharded_dir(name, &tensors, 2);
    std::fs::remove_file(dir.path().join("model-00002-of-00002.safetensors")).unwrap();
    let error = weights_error(load(dir.path()));
    let WeightsError::Unreadable { message, .. } = &error else {
        panic!("expected an unreadable-index error: {error}");
    };
    assert!(
        message.contains("lists shard `model-00002-of-00002.safetensors`, which is not in"),
        "{message}"
    );

    let dir = sharded_dir(name, &tensors, 2);
    let index_path = dir.path().join("model.safetensors.index.json");
    let mut index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&index_path).unwrap()).unwrap();
    let first = &tensors[0].0;
    index["weight_map"][first] = "model-00002-of-00002.safetensors".into();
    std::fs::write(&index_path, index.to_string()).unwrap();
    let error = weights_error(load(dir.path()));
    let WeightsError::Unreadable { message, .. } = &error else {
        panic!("expected an unreadable-index error: {error}");
    };
    assert!(
        message.contains(&format!(
            "puts `{first}` in shard `model-00002-of-00002.safetensors`"
        )),
        "{message}"
    );
}

#[test]
fn a_sharded_fp16_pytorch_bin_matches_hf() {
    let name = "tiny_deberta_v3_fp16";
    let dir = tempfile::tempdir().unwrap();
    let shard = "pytorch_model-00001-of-00001.bin";
    std::fs::copy(
        fixture_dir(name).join("config.json"),
        dir.path().join("config.json"),
    )
    .unwrap();
    std::fs::copy(
        fixture_dir(name).join("pytorch_model.bin"),
        dir.path().join(shard),
    )
    .unwrap();
    let keys: Vec<String> = read_fixture("tiny_deberta_v3")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let weight_map: serde_json::Map<String, serde_json::Value> =
        keys.into_iter().map(|k| (k, shard.into())).collect();
    let index = serde_json::json!({ "weight_map": weight_map });
    std::fs::write(
        dir.path().join("pytorch_model.bin.index.json"),
        index.to_string(),
    )
    .unwrap();

    let (model, _, report) = load(dir.path()).unwrap();
    assert_eq!(report.format, WeightsFormat::PytorchBin);
    assert_eq!(report.cast_from, vec!["F16".to_string()]);
    let case = &eval_cases(name)[1];
    let (logits, _) = run(&model, name);
    let hf: Vec<f64> = case.flat_logits();
    let d = max_abs_diff(&logits, &hf);
    assert!(d <= 1e-6, "logits differ from HF's by {d}");
}
