//! `clarity parity` and `clarity bench --memory-every` through the binary: both HF fixtures
//! pass on the CPU in f32 (eval and five training steps) and in the half precisions; bad
//! fixtures and unsupported precisions are configuration errors (exit 1) with a diagnostic.

mod common;

use std::path::{Path, PathBuf};

use common::{clarity, root, stderr};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    root().join("stdlib/models/tests/fixtures").join(name)
}

fn parity(fixture: &Path, args: &[&str]) -> std::process::Output {
    let dir = fixture.to_string_lossy();
    let mut all = vec!["parity", "--fixture", &dir, "--json"];
    all.extend_from_slice(args);
    clarity(&root(), &all)
}

fn report(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "one JSON line on stdout ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            stderr(out)
        )
    })
}

#[test]
fn both_fixtures_match_hf_on_cpu_in_f32() {
    for name in ["tiny_roberta", "tiny_deberta_v3"] {
        let out = parity(&fixture(name), &["--device", "cpu"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        let report = report(&out);
        assert_eq!(report["pass"], true, "{name}: {report}");
        assert_eq!(report["precision"], "f32");
        let eval = report["eval"].as_array().unwrap();
        assert_eq!(eval.len(), 2, "{name}: both eval cases");
        for case in eval {
            // The CPU reaches the tests' own bounds, tighter than the command's.
            assert!(case["logits"].as_f64().unwrap() <= 1e-5, "{name}: {case}");
            assert!(case["hidden"].as_f64().unwrap() <= 1e-4, "{name}: {case}");
        }
        let train = &report["train"];
        assert_eq!(train["losses"].as_array().unwrap().len(), 5, "{name}");
        assert!(train["max_loss_diff"].as_f64().unwrap() <= 1e-4, "{train}");
        assert!(train["max_grad_rel"].as_f64().unwrap() <= 1e-4, "{train}");
        assert!(
            train["logits_after_diff"].as_f64().unwrap() <= 1e-4,
            "{train}"
        );
        assert!(
            train["grads"]["without_grad"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn half_precision_training_stays_within_1e_2_of_hf_f32_losses() {
    for precision in ["bf16", "f16"] {
        let out = parity(
            &fixture("tiny_deberta_v3"),
            &["--device", "cpu:flex", "--precision", precision],
        );
        assert_eq!(out.status.code(), Some(0), "{precision}: {}", stderr(&out));
        let report = report(&out);
        assert_eq!(report["precision"], precision);
        assert!(
            report["train"]["max_loss_diff"].as_f64().unwrap() <= 1e-2,
            "{report}"
        );
    }
}

#[test]
fn forward_only_skips_training_and_a_text_report_is_readable() {
    let dir = fixture("tiny_roberta");
    let out = clarity(
        &root(),
        &[
            "parity",
            "--fixture",
            &dir.to_string_lossy(),
            "--device",
            "cpu",
            "--forward-only",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("PASS"), "{text}");
    assert!(text.contains("eval case 1"), "{text}");
    assert!(text.contains("training: not checked"), "{text}");
}

#[test]
fn a_directory_that_is_not_a_fixture_is_a_configuration_error() {
    // No config.json at all.
    let out = parity(&fixture(""), &["--device", "cpu"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("config.json"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));

    // A model without expected.json, then with one that is not an HF reference.
    let tmp = tempfile::tempdir().unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(fixture("tiny_roberta").join(file), tmp.path().join(file)).unwrap();
    }
    let out = parity(tmp.path(), &["--device", "cpu"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("expected.json"), "{}", stderr(&out));

    std::fs::write(tmp.path().join("expected.json"), r#"{"eval_cases": 3}"#).unwrap();
    let out = parity(tmp.path(), &["--device", "cpu"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not an HF reference"),
        "{}",
        stderr(&out)
    );

    // Ids outside the vocabulary are refused before the model sees them.
    let mut expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("tiny_roberta").join("expected.json")).unwrap(),
    )
    .unwrap();
    expected["eval_cases"][0]["input_ids"][0][0] = Value::from(1_000_000);
    std::fs::write(tmp.path().join("expected.json"), expected.to_string()).unwrap();
    let out = parity(tmp.path(), &["--device", "cpu"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("vocabulary"), "{}", stderr(&out));

    let out = parity(&tmp.path().join("missing"), &["--device", "cpu"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a directory"), "{}", stderr(&out));
}

#[test]
fn bf16_on_candle_is_refused() {
    let out = parity(
        &fixture("tiny_roberta"),
        &["--device", "cpu:candle", "--precision", "bf16"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("bf16"), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn bench_memory_every_prints_a_line_per_interval() {
    let config = fixture("tiny_deberta_v3");
    let out = clarity(
        &root(),
        &[
            "bench",
            "--model-config",
            &config.to_string_lossy(),
            "--batch",
            "2",
            "--seq-len",
            "8",
            "--steps",
            "4",
            "--device",
            "cpu",
            "--memory-every",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The CPU backends have no device memory to report.
    assert_eq!(report["peak_device_reserved_mib"], Value::Null);
    assert!(report["peak_rss_mib"].as_f64().unwrap() > 0.0);
    let lines: Vec<Value> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let steps: Vec<u64> = lines.iter().map(|l| l["step"].as_u64().unwrap()).collect();
    assert_eq!(steps, [2, 4]);
    assert!(lines.iter().all(|l| l["rss_mib"].as_f64().unwrap() > 0.0));
}
