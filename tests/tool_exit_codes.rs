//! `clarity forward` and `clarity bench` exit with the CLI's convention: 0 success, 1 a bad
//! argument (unknown model config, missing inputs file, unusable precision or device),
//! 2 a failure while running (weights that do not fit, an output that cannot be written).

mod common;

use common::{clarity, root, stderr};
use std::path::{Path, PathBuf};
use std::process::Output;

fn tiny_roberta() -> PathBuf {
    root().join("stdlib/models/tests/fixtures/tiny_roberta")
}

/// A project dir with `inputs.json` (one short sequence).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("inputs.json"),
        r#"{"input_ids": [[0, 31, 42, 2]]}"#,
    )
    .unwrap();
    dir
}

fn forward(dir: &Path, model: &Path, extra: &[&str]) -> Output {
    let model = model.to_str().unwrap();
    let mut args = vec!["forward", "--model", model, "--inputs", "inputs.json"];
    if !extra.contains(&"--device") {
        args.extend(["--device", "cpu"]);
    }
    args.extend_from_slice(extra);
    clarity(dir, &args)
}

fn assert_exit(output: &Output, code: i32, needle: &str) {
    assert_eq!(output.status.code(), Some(code), "{}", stderr(output));
    assert!(stderr(output).contains(needle), "{}", stderr(output));
}

#[test]
fn forward_succeeds_then_bad_arguments_exit_1_and_failures_exit_2() {
    let dir = project();
    let ok = forward(dir.path(), &tiny_roberta(), &["--out", "out.json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(dir.path().join("out.json").is_file());

    let missing = clarity(
        dir.path(),
        &[
            "forward",
            "--model",
            tiny_roberta().to_str().unwrap(),
            "--inputs",
            "no-such-inputs.json",
            "--device",
            "cpu",
        ],
    );
    assert_exit(&missing, 1, "no-such-inputs.json");
    let no_model = forward(dir.path(), &dir.path().join("no-such-model"), &[]);
    assert_exit(&no_model, 1, "no-such-model");
    let precision = forward(dir.path(), &tiny_roberta(), &["--precision", "f64"]);
    assert_exit(&precision, 1, "f64");
    let unusable = forward(
        dir.path(),
        &tiny_roberta(),
        &["--device", "cpu:candle", "--precision", "bf16"],
    );
    assert_exit(&unusable, 1, "cpu:candle");
    let device = forward(dir.path(), &tiny_roberta(), &["--device", "tpu"]);
    assert_exit(&device, 1, "tpu");

    // Weights that do not fit their config fail while the model loads.
    let model = dir.path().join("misfit");
    std::fs::create_dir(&model).unwrap();
    let config = std::fs::read_to_string(tiny_roberta().join("config.json")).unwrap();
    let misfit = config.replace("\"intermediate_size\": 64", "\"intermediate_size\": 48");
    assert_ne!(misfit, config, "the fixture's intermediate_size is 64");
    std::fs::write(model.join("config.json"), misfit).unwrap();
    std::fs::copy(
        tiny_roberta().join("model.safetensors"),
        model.join("model.safetensors"),
    )
    .unwrap();
    let failed = forward(dir.path(), &model, &[]);
    assert_exit(&failed, 2, "model.safetensors");
    let unwritable = forward(
        dir.path(),
        &tiny_roberta(),
        &["--out", "no/such/dir/out.json"],
    );
    assert_exit(&unwritable, 2, "no/such/dir/out.json");
}

#[test]
fn bench_bad_arguments_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let bench = |extra: &[&str]| {
        let mut args = vec!["bench", "--steps", "1", "--batch", "1", "--seq-len", "8"];
        args.extend_from_slice(extra);
        clarity(dir.path(), &args)
    };
    assert_exit(
        &bench(&["--model-config", "no-such-config", "--device", "cpu"]),
        1,
        "no-such-config",
    );
    assert_exit(
        &bench(&[
            "--model-config",
            "roberta-base",
            "--device",
            "cpu",
            "--precision",
            "f64",
        ]),
        1,
        "f64",
    );
    assert_exit(
        &bench(&[
            "--model-config",
            "roberta-base",
            "--device",
            "cpu:candle",
            "--precision",
            "bf16",
        ]),
        1,
        "cpu:candle",
    );
    let tiny = tiny_roberta();
    let ok = bench(&[
        "--model-config",
        tiny.to_str().unwrap(),
        "--device",
        "cpu",
        "--mode",
        "infer",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("samples_per_s"));
}

#[test]
fn forward_on_a_multitask_or_old_checkpoint_warns_that_its_heads_are_not_read() {
    let dir = project();
    let model = dir.path().join("checkpoint");
    std::fs::create_dir(&model).unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(tiny_roberta().join(file), model.join(file)).unwrap();
    }
    let plain = forward(dir.path(), &model, &[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    assert!(!stderr(&plain).contains("fresh HF classifier"));

    std::fs::write(model.join("head.json"), "{}").unwrap();
    let checkpoint = forward(dir.path(), &model, &[]);
    assert_exit(
        &checkpoint,
        0,
        "checkpoint: `logits` come from a fresh HF classifier",
    );
}
