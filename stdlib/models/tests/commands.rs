//! The `forward`, `bench` and `devices` command logic.

mod common;

use std::path::{Path, PathBuf};

use clarity_device::{Backend, DeviceError};
use clarity_models::ModelOptions;
use clarity_models::commands::{
    BenchArgs, BenchMode, CommandError, ForwardArgs, bench, bench_config, devices, forward,
};
use clarity_models::device::compiled_in;
use common::*;

fn write_inputs(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("inputs.json");
    std::fs::write(&path, text).unwrap();
    path
}

fn forward_args(model: &str, inputs: PathBuf, device: &str) -> ForwardArgs {
    ForwardArgs {
        model: fixture_dir(model),
        inputs,
        device: device.to_string(),
        options: ModelOptions::default(),
    }
}

#[test]
fn forward_reproduces_hf_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    for name in MODELS {
        let case = &eval_cases(name)[1];
        let inputs = serde_json::json!({
            "input_ids": case.input_ids,
            "attention_mask": case.attention_mask,
        });
        let path = write_inputs(tmp.path(), &inputs.to_string());
        let run = forward(&forward_args(name, path, "cpu")).unwrap();
        assert!(run.warnings.is_empty(), "{:?}", run.warnings);
        let logits: Vec<f32> = run.output.logits.iter().flatten().copied().collect();
        let hf: Vec<f64> = case.flat_logits();
        assert!(max_abs_diff(&logits, &hf) <= 1e-5);
        let hidden: Vec<f32> = run
            .output
            .last_hidden_state
            .iter()
            .flatten()
            .flatten()
            .copied()
            .collect();
        let hf: Vec<f64> = case.flat_hidden();
        assert!(max_abs_diff(&hidden, &hf) <= 1e-4);
        assert_eq!(run.output.last_hidden_state.len(), case.input_ids.len());
        assert_eq!(
            run.output.last_hidden_state[0].len(),
            case.input_ids[0].len()
        );
    }
}

#[test]
fn forward_rejects_bad_inputs_with_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (r#"{"input_ids": [[0, 5, 2], [0, 5]]}"#, "row 1 has 2 ids"),
        (
            r#"{"input_ids": [[0, 5, 300]]}"#,
            "token id 300 is outside the vocabulary",
        ),
        (r#"{"input_ids": [[0, 5, -1]]}"#, "token id -1"),
        (
            r#"{"input_ids": [[0, 5]], "attention_mask": [[1, 2]]}"#,
            "0 or 1",
        ),
        (
            r#"{"input_ids": [[0, 5]], "attention_mask": [[1]]}"#,
            "shape of input_ids",
        ),
        (r#"{"input_ids": []}"#, "empty"),
        (r#"{"input_ids": [[0, 5]"#, "EOF"),
        (r#"{"ids": [[0, 5]]}"#, "missing field `input_ids`"),
    ];
    for (text, expected) in cases {
        let path = write_inputs(tmp.path(), text);
        match forward(&forward_args("tiny_roberta", path, "cpu")) {
            Err(CommandError::Inputs { message, .. }) => {
                assert!(message.contains(expected), "{text}: {message}")
            }
            other => panic!("{text}: unexpected {other:?}"),
        }
    }
    let long: Vec<i64> = vec![5; 65];
    let path = write_inputs(
        tmp.path(),
        &serde_json::json!({ "input_ids": [long] }).to_string(),
    );
    match forward(&forward_args("tiny_roberta", path, "cpu")) {
        Err(CommandError::Inputs { message, .. }) => {
            assert!(message.contains("64 positions"), "{message}")
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn forward_rejects_bad_devices() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write_inputs(tmp.path(), r#"{"input_ids": [[0, 5, 2]]}"#);
    assert!(matches!(
        forward(&forward_args("tiny_roberta", path.clone(), "tpu")),
        Err(CommandError::Device(DeviceError::Unknown { .. }))
    ));
    if !compiled_in(Backend::Cuda) {
        match forward(&forward_args("tiny_roberta", path, "cuda")) {
            Err(CommandError::Device(DeviceError::NotBuilt { feature, .. })) => {
                assert_eq!(feature, "cuda")
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn bench_reports_one_line_per_mode() {
    for mode in [BenchMode::Infer, BenchMode::Train] {
        let args = BenchArgs {
            model_config: fixture_dir("tiny_deberta_v3").display().to_string(),
            batch: 2,
            seq_len: 16,
            steps: 2,
            mode,
            device: "cpu".into(),
            options: ModelOptions::default(),
            memory_every: 0,
        };
        let report = bench(&args).unwrap();
        assert_eq!(report.step_ms_all.len(), 2);
        assert!(report.step_ms > 0.0 && report.samples_per_s > 0.0);
        assert_eq!(report.device, format!("cpu:{}", Backend::DEFAULT_CPU));
        assert_eq!(report.precision, "f32");
        if cfg!(target_os = "linux") {
            assert!(report.peak_rss_mib.unwrap() > 0.0);
        }
        let line = serde_json::to_string(&report).unwrap();
        assert!(line.contains("\"samples_per_s\"") && line.contains("\"step_ms\""));
    }
}

#[test]
fn bench_knows_the_full_size_configs() {
    for (name, hidden, layers) in [
        ("roberta-base", 768, 12),
        ("deberta-v3-base", 768, 12),
        ("deberta-v3-large", 1024, 24),
    ] {
        let config = bench_config(name).unwrap();
        assert_eq!(config.hidden_size(), hidden);
        assert_eq!(config.num_labels(), 3);
        let layers_in = match &config.arch {
            clarity_models::config::ArchConfig::Roberta(c) => c.num_hidden_layers,
            clarity_models::config::ArchConfig::DebertaV2(c) => c.num_hidden_layers,
        };
        assert_eq!(layers_in, layers);
    }
    assert!(matches!(
        bench_config("bert-base"),
        Err(CommandError::Argument { .. })
    ));
}

#[test]
fn devices_lists_every_backend() {
    let report = devices();
    let names: Vec<&str> = report.backends.iter().map(|b| b.backend.as_str()).collect();
    assert_eq!(names, ["flex", "candle", "wgpu", "cuda"]);
    for b in &report.backends {
        assert_eq!(
            b.built,
            Backend::ALL
                .iter()
                .any(|k| k.name() == b.backend && compiled_in(*k))
        );
    }
    let text = report.to_string();
    assert!(text.contains("--device cpu  -> cpu:"), "{text}");
}
