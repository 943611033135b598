//! Robustness of the model and data paths through the `clarity` binary: half precisions on
//! the CPU backends, bounded model config sizes, special files (`/dev/zero`, FIFOs) given as
//! inputs, configs, tokenizers, weights or tables, row numbers of tokenize diagnostics in the
//! user's file, credentials in `HF_ENDPOINT`, and the no-weights message.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{clarity, root, stderr};
use serde_json::Value;

fn model_fixture(name: &str) -> PathBuf {
    root().join("stdlib/models/tests/fixtures").join(name)
}

fn tokenizer_fixture(name: &str) -> PathBuf {
    root().join("stdlib/data/tests/fixtures").join(name)
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(model_fixture(name).join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Writes `{"input_ids", "attention_mask"}` of the fixture's first eval case to `dir`.
fn write_inputs(name: &str, dir: &Path) -> PathBuf {
    let case = &expected(name)["eval_cases"][0];
    let inputs = serde_json::json!({
        "input_ids": case["input_ids"],
        "attention_mask": case["attention_mask"],
    });
    let path = dir.join(format!("{name}-inputs.json"));
    std::fs::write(&path, inputs.to_string()).unwrap();
    path
}

fn flat(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        other => panic!("not a number: {other}"),
    }
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len(), "length mismatch");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Runs `clarity args` in `dir` and gives up (failing the test) after `limit`: a read that
/// blocks on a FIFO or never ends on `/dev/zero` fails here instead of hanging the suite.
fn clarity_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_clarity"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the clarity binary runs");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "clarity {args:?} still ran after {limit:?}; stderr: {}",
                stderr(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A model directory holding the fixture's config.json with `edit` applied, and no weights
/// (configs are checked before the weights are looked for).
fn config_dir(
    base: &str,
    edit: impl FnOnce(&mut serde_json::Map<String, Value>),
) -> tempfile::TempDir {
    let text = std::fs::read_to_string(model_fixture(base).join("config.json")).unwrap();
    let mut config: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    edit(&mut config);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        serde_json::to_string_pretty(&config).unwrap(),
    )
    .unwrap();
    dir
}

/// Half precisions on the CPU backends run (they used to panic converting the parameters on
/// the autodiff backend) and stay close to HF's f32 outputs. The tolerances follow from the
/// formats: bf16 keeps 8 significant bits (a rounding of 2^-9, about 2e-3, per operation),
/// f16 11 (2^-12, about 2.4e-4); over the ~10 roundings of a tiny encoder on hidden states of
/// magnitude ~2 that is ~8e-2 for bf16 and ~1e-2 for f16, and a hundredth of that on logits
/// of magnitude ~1e-2. (Measured: bf16 3.5e-2 / 1.2e-4, f16 6.4e-3 / 2.1e-5 at most.)
#[test]
fn forward_in_half_precision_is_close_to_hf_on_the_cpu_backends() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["tiny_roberta", "tiny_deberta_v3"] {
        let inputs = write_inputs(name, tmp.path());
        let case = &expected(name)["eval_cases"][0];
        let (hf_logits, hf_hidden) = (flat(&case["logits"]), flat(&case["last_hidden_state"]));
        for (device, precision, logits_tol, hidden_tol) in [
            ("cpu", "bf16", 1e-3, 8e-2),
            ("cpu", "f16", 2e-4, 1.5e-2),
            ("cpu:candle", "f16", 2e-4, 1.5e-2),
        ] {
            let model = model_fixture(name);
            let out = clarity(
                tmp.path(),
                &[
                    "forward",
                    "--model",
                    model.to_str().unwrap(),
                    "--inputs",
                    inputs.to_str().unwrap(),
                    "--device",
                    device,
                    "--precision",
                    precision,
                ],
            );
            let what = format!("{name} {precision} on {device}");
            assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
            let got: Value = serde_json::from_slice(&out.stdout).unwrap();
            let (logits, hidden) = (flat(&got["logits"]), flat(&got["last_hidden_state"]));
            let d_logits = max_abs_diff(&logits, &hf_logits);
            let d_hidden = max_abs_diff(&hidden, &hf_hidden);
            assert!(
                d_logits <= logits_tol,
                "{what}: logits differ by {d_logits}"
            );
            assert!(
                d_hidden <= hidden_tol,
                "{what}: hidden states differ by {d_hidden}"
            );
            // It really ran in the half type: f32 matches HF to 1e-4.
            assert!(d_hidden > 1e-4, "{what}: no rounding at all ({d_hidden})");
        }
    }
}

#[test]
fn bf16_on_candle_is_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = write_inputs("tiny_roberta", tmp.path());
    let model = model_fixture("tiny_roberta");
    let out = clarity(
        tmp.path(),
        &[
            "forward",
            "--model",
            model.to_str().unwrap(),
            "--inputs",
            inputs.to_str().unwrap(),
            "--device",
            "cpu:candle",
            "--precision",
            "bf16",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("clarity::device::precision"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bench_trains_and_infers_in_half_precision_on_the_cpu_backends() {
    let tmp = tempfile::tempdir().unwrap();
    let model = model_fixture("tiny_deberta_v3");
    for (device, precision) in [("cpu", "bf16"), ("cpu", "f16"), ("cpu:candle", "f16")] {
        for mode in ["train", "infer"] {
            let out = clarity(
                tmp.path(),
                &[
                    "bench",
                    "--model-config",
                    model.to_str().unwrap(),
                    "--batch",
                    "2",
                    "--seq-len",
                    "8",
                    "--steps",
                    "1",
                    "--mode",
                    mode,
                    "--device",
                    device,
                    "--precision",
                    precision,
                ],
            );
            let what = format!("{mode} {precision} on {device}");
            assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
            let report: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(report["precision"], precision, "{what}");
            assert!(report["step_ms"].as_f64().unwrap() > 0.0, "{what}");
        }
    }
}

/// Runs `forward` on a model directory (config only) and returns the failed run's stderr.
fn forward_config_error(dir: &Path) -> String {
    let inputs = write_inputs("tiny_roberta", dir);
    let out = clarity_within(
        dir,
        &[
            "forward",
            "--model",
            dir.to_str().unwrap(),
            "--inputs",
            inputs.to_str().unwrap(),
            "--device",
            "cpu",
        ],
        Duration::from_secs(30),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    stderr(&out)
}

#[test]
fn oversized_config_fields_are_refused_naming_the_field_limit_and_size() {
    let cases: [(&str, &str, Value, &str); 5] = [
        ("tiny_roberta", "num_hidden_layers", 1_000_000.into(), "256"),
        (
            "tiny_roberta",
            "vocab_size",
            serde_json::json!(1e12),
            "4194304",
        ),
        (
            "tiny_deberta_v3",
            "intermediate_size",
            serde_json::json!(1e11),
            "65536",
        ),
        ("tiny_roberta", "num_attention_heads", (-4).into(), "1"),
        (
            "tiny_roberta",
            "hidden_size",
            serde_json::json!(32.5),
            "16384",
        ),
    ];
    for (base, field, value, limit) in cases {
        let dir = config_dir(base, |c| {
            c.insert(field.into(), value.clone());
        });
        let err = forward_config_error(dir.path());
        assert!(
            err.contains("clarity::models::config::too_large"),
            "{field}: {err}"
        );
        assert!(err.contains(&format!("`{field}`")), "{field}: {err}");
        assert!(err.contains(limit), "{field}: {err}");
        assert!(err.contains("parameters"), "{field}: {err}");
        assert!(err.contains("of f32 weights"), "{field}: {err}");
    }
}

#[test]
fn sizes_within_their_limits_that_add_up_to_too_large_a_model_are_refused() {
    let dir = config_dir("tiny_roberta", |c| {
        c.insert("hidden_size".into(), 16_384.into());
        c.insert("num_attention_heads".into(), 128.into());
        c.insert("num_hidden_layers".into(), 256.into());
        c.insert("intermediate_size".into(), 65_536.into());
    });
    let err = forward_config_error(dir.path());
    assert!(err.contains("clarity::models::config::too_large"), "{err}");
    assert!(err.contains("billion parameters"), "{err}");
    assert!(err.contains("above the limit of 10 billion"), "{err}");
    assert!(err.contains("TiB of f32 weights"), "{err}");
}

#[test]
fn bench_refuses_oversized_configs_and_batches_without_panicking() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = config_dir("tiny_deberta_v3", |c| {
        c.insert("intermediate_size".into(), serde_json::json!(1e11));
    });
    let bench = |model: &Path, batch: &str, seq: &str| {
        clarity_within(
            tmp.path(),
            &[
                "bench",
                "--model-config",
                model.to_str().unwrap(),
                "--batch",
                batch,
                "--seq-len",
                seq,
                "--steps",
                "1",
                "--device",
                "cpu",
            ],
            Duration::from_secs(60),
        )
    };
    let out = bench(dir.path(), "2", "8");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`intermediate_size`"),
        "{}",
        stderr(&out)
    );
    // DeBERTa-v3 has no position table to bound the length: the attention scores do.
    let out = bench(&model_fixture("tiny_deberta_v3"), "64", "1000000");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("attention scores"),
        "{}",
        stderr(&out)
    );
    // RoBERTa's position table does.
    let out = bench(&model_fixture("tiny_roberta"), "1", "100");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("positions"), "{}", stderr(&out));
}

#[test]
fn special_files_as_forward_inputs_are_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("inputs.json");
    mkfifo(&fifo);
    let model = model_fixture("tiny_roberta");
    for inputs in [Path::new("/dev/zero"), fifo.as_path()] {
        let out = clarity_within(
            tmp.path(),
            &[
                "forward",
                "--model",
                model.to_str().unwrap(),
                "--inputs",
                inputs.to_str().unwrap(),
                "--device",
                "cpu",
            ],
            Duration::from_secs(30),
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn special_files_in_a_model_directory_are_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = write_inputs("tiny_roberta", tmp.path());
    let forward = |model: &Path| {
        clarity_within(
            tmp.path(),
            &[
                "forward",
                "--model",
                model.to_str().unwrap(),
                "--inputs",
                inputs.to_str().unwrap(),
                "--device",
                "cpu",
            ],
            Duration::from_secs(30),
        )
    };
    // config.json a FIFO, then a link to /dev/zero.
    for special in ["fifo", "zero"] {
        let model = tmp.path().join(format!("config-{special}"));
        std::fs::create_dir(&model).unwrap();
        match special {
            "fifo" => mkfifo(&model.join("config.json")),
            _ => std::os::unix::fs::symlink("/dev/zero", model.join("config.json")).unwrap(),
        }
        let out = forward(&model);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
    // model.safetensors a FIFO: a weights failure (2), not a hang.
    let model = tmp.path().join("weights-fifo");
    std::fs::create_dir(&model).unwrap();
    std::fs::copy(
        model_fixture("tiny_roberta").join("config.json"),
        model.join("config.json"),
    )
    .unwrap();
    mkfifo(&model.join("model.safetensors"));
    let out = forward(&model);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn special_tokenizer_files_are_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    for (kind, file) in [
        ("json", "tokenizer.json"),
        ("spm", "spm.model"),
        ("bpe", "merges.txt"),
        ("config", "tokenizer_config.json"),
    ] {
        let dir = tmp.path().join(kind);
        std::fs::create_dir(&dir).unwrap();
        let source = match kind {
            "spm" => tokenizer_fixture("deberta_spm"),
            _ => tokenizer_fixture("roberta_bpe"),
        };
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
        }
        let _ = std::fs::remove_file(dir.join(file));
        mkfifo(&dir.join(file));
        let out = clarity_within(
            tmp.path(),
            &[
                "tokenize",
                "--tokenizer",
                dir.to_str().unwrap(),
                "--text",
                "hi",
            ],
            Duration::from_secs(30),
        );
        assert_eq!(out.status.code(), Some(1), "{file}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("not a regular file"),
            "{file}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_model_directory_without_weights_names_every_layout_read() {
    let dir = config_dir("tiny_roberta", |_| {});
    let inputs = write_inputs("tiny_roberta", dir.path());
    let out = clarity(
        dir.path(),
        &[
            "forward",
            "--model",
            dir.path().to_str().unwrap(),
            "--inputs",
            inputs.to_str().unwrap(),
            "--device",
            "cpu",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("clarity::models::weights::not_found"), "{err}");
    assert!(err.contains("model.safetensors.index.json"), "{err}");
    assert!(!err.contains("not supported"), "{err}");
}

/// A pipeline that reads `data.csv`, splits it and tokenizes both sides with `template`.
fn tokenize_pipeline(dir: &Path, csv: &str, table_file: &str) -> Output {
    std::fs::write(dir.join(table_file), csv).unwrap();
    let tokenizer = tokenizer_fixture("roberta_bpe");
    let pipeline = format!(
        r#"pipeline "rows" {{
    stage "data" fetch-dataset path="{table_file}" {{
        splits "train"
    }}
    stage "split" split from="data.train" validation=0.5
    stage "tokens" tokenize tokenizer-path="{}" template="{{question}}" {{
        inputs "split.train" "split.validation"
    }}
}}
"#,
        tokenizer.display()
    );
    std::fs::write(dir.join("p.kdl"), pipeline).unwrap();
    clarity_within(dir, &["run", "p.kdl"], Duration::from_secs(120))
}

#[test]
fn tokenize_diagnostics_name_the_row_of_the_users_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut csv = String::from("question,evasion_label\n");
    for row in 1..=10 {
        let question = if row == 7 { "" } else { "why not?" };
        let label = if row % 2 == 0 { "Explicit" } else { "Dodging" };
        csv.push_str(&format!("{question},{label}\n"));
    }
    let out = tokenize_pipeline(tmp.path(), &csv, "data.csv");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    // Each side has 5 rows: row 7 can only be the row in data.csv.
    assert!(
        err.contains("data.csv, row 7, column `question`: empty text"),
        "{err}"
    );
    assert!(err.contains("clarity::data::empty_text"), "{err}");
}

#[test]
fn credentials_in_hf_endpoint_are_never_printed_or_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("p.kdl"),
        r#"pipeline "hub" {
    stage "weights" fetch-model repo="someone/some-model"
}
"#,
    )
    .unwrap();
    // Nothing listens on port 9 (discard): the request fails at once.
    let out = Command::new(env!("CARGO_BIN_EXE_clarity"))
        .args(["run", "p.kdl"])
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .env("HF_ENDPOINT", "http://alice:s3cr3t-t0ken@127.0.0.1:9")
        .env("HF_HOME", tmp.path().join("hf"))
        .env_remove("HF_HUB_CACHE")
        .env_remove("HUGGINGFACE_HUB_CACHE")
        .env_remove("HF_HUB_OFFLINE")
        .env_remove("HF_TOKEN")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("alice:***@127.0.0.1:9"), "{err}");
    assert!(!err.contains("s3cr3t"), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("s3cr3t"), "{stdout}");
    // Nothing under the project (run manifests, stage records, logs) holds it either.
    let mut stack = vec![tmp.path().join(".clarity")];
    let mut files = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.is_file() {
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("s3cr3t"), "{}: {text}", path.display());
        }
    }
    assert!(files > 0, "the run left no records to check");
}
