//! `clarity export` writes a Hugging Face directory that transformers loads and that gives
//! clarity's logits (RoBERTa and DeBERTa-v3 single heads); a multitask export holds the encoder
//! and both heads in the documented layout.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::clarity;
use common::trained::{assert_ok, cached, export, json, trained, trained_from};
use serde_json::Value;

/// The tensor names of a safetensors file, sorted.
fn tensor_names(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + len]).unwrap();
    let mut names: Vec<String> = header
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "__metadata__")
        .cloned()
        .collect();
    names.sort();
    names
}

/// Two padded rows of token ids, and `clarity forward` of `model` on them.
fn clarity_forward(dir: &Path, model: &Path) -> Value {
    let inputs = dir.join("ids.json");
    std::fs::write(
        &inputs,
        r#"{"input_ids": [[0, 50, 60, 70, 2, 1], [0, 80, 90, 100, 110, 2]],
            "attention_mask": [[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]]}"#,
    )
    .unwrap();
    let out_file = dir.join("forward.json");
    let out = clarity(
        dir,
        &[
            "forward",
            "--model",
            model.to_str().unwrap(),
            "--inputs",
            "ids.json",
            "--device",
            "cpu",
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert_ok(&out);
    json(&out_file)
}

/// The project venv's Python when it imports transformers (`$CLARITY_TEST_PYTHON` first).
/// Without it the test is skipped, except in CI (`CI=true`), where it fails.
fn transformers_python() -> Option<PathBuf> {
    let python = std::env::var_os("CLARITY_TEST_PYTHON").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_default();
            PathBuf::from(home).join(".cache/clarity-venv/bin/python")
        },
        PathBuf::from,
    );
    let works = Command::new(&python)
        .args(["-c", "import transformers"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(python);
    }
    let why = format!("{} cannot import transformers", python.display());
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{why}: CI makes it with .ci/venv"
    );
    eprintln!("skipped: {why}");
    None
}

/// Loads `model` with `class` (`AutoModelForSequenceClassification` or `AutoModel`) and prints
/// the loading info, the labels, the logits (or `null`) and `last_hidden_state` as JSON.
const HF_SCRIPT: &str = r#"
import json, sys, torch, transformers
model_dir, class_name, inputs = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
cls = getattr(transformers, class_name)
model, info = cls.from_pretrained(model_dir, output_loading_info=True)
model.eval()
with torch.no_grad():
    out = model(input_ids=torch.tensor(inputs["input_ids"]),
                attention_mask=torch.tensor(inputs["attention_mask"]),
                output_hidden_states=True)
logits = getattr(out, "logits", None)
print(json.dumps({
    "missing": sorted(info["missing_keys"]),
    "unexpected": sorted(info["unexpected_keys"]),
    "mismatched": [str(m) for m in info["mismatched_keys"]],
    "id2label": {str(k): v for k, v in model.config.id2label.items()},
    "logits": None if logits is None else logits.tolist(),
    "last_hidden_state": out.hidden_states[-1].tolist(),
}))
"#;

fn hf_run(python: &Path, dir: &Path, model: &Path, class: &str) -> Value {
    let out = Command::new(python)
        .args(["-c", HF_SCRIPT])
        .arg(model)
        .arg(class)
        .arg(dir.join("ids.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn flat(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        other => vec![other.as_f64().unwrap()],
    }
}

fn max_diff(a: &Value, b: &Value) -> f64 {
    let (a, b) = (flat(a), flat(b));
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

#[test]
fn a_single_head_export_loads_in_transformers_and_gives_clarity_s_logits() {
    single_head_export(
        None,
        "RobertaForSequenceClassification",
        &[
            "classifier.dense.bias",
            "classifier.dense.weight",
            "classifier.out_proj.bias",
            "classifier.out_proj.weight",
        ],
    );
}

#[test]
fn a_deberta_v3_single_head_export_loads_in_transformers_too() {
    let config = common::root().join("stdlib/train/tests/fixtures/tiny_deberta_v3/config.json");
    single_head_export(
        Some(&config),
        "DebertaV2ForSequenceClassification",
        &[
            "classifier.bias",
            "classifier.weight",
            "pooler.dense.bias",
            "pooler.dense.weight",
        ],
    );
}

/// A hierarchical model (RoBERTa, or built from `config`) exported: HF's names for `heads`,
/// the CLARITY labels, and transformers' logits within 1e-4 of clarity's.
fn single_head_export(config: Option<&Path>, architecture: &str, heads: &[&str]) {
    let dir = trained_from("hierarchical", config);
    let exported = export(dir.path());
    for file in [
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "head.json",
        "clarity_template.json",
    ] {
        assert!(exported.join(file).is_file(), "missing {file}");
    }
    let config = json(&exported.join("config.json"));
    assert_eq!(config["architectures"][0], architecture);
    assert_eq!(config["id2label"]["0"], "Explicit");
    assert_eq!(config["id2label"]["8"], "Clarification");
    assert_eq!(config["label2id"]["Dodging"], 4);
    let template = json(&exported.join("clarity_template.json"));
    assert_eq!(template["template"], "{question}");
    assert_eq!(template["pair_template"], "{interview_answer}");
    let found: Vec<String> = tensor_names(&exported.join("model.safetensors"))
        .into_iter()
        .filter(|n| !n.starts_with("roberta.") && !n.starts_with("deberta."))
        .collect();
    assert_eq!(found, heads);

    // clarity's trained model (the cached checkpoint) and its export give the same logits.
    let best = cached(dir.path(), "best", "head.json");
    let trained_logits = clarity_forward(dir.path(), best.parent().unwrap());
    let exported_logits = clarity_forward(dir.path(), &exported);
    assert_eq!(trained_logits["logits"], exported_logits["logits"]);
    assert_eq!(flat(&exported_logits["logits"]).len(), 18);

    let Some(python) = transformers_python() else {
        return;
    };
    let hf = hf_run(
        &python,
        dir.path(),
        &exported,
        "AutoModelForSequenceClassification",
    );
    let info = (&hf["missing"], &hf["unexpected"], &hf["mismatched"]);
    let none = &Value::Array(vec![]);
    assert_eq!(
        info,
        (none, none, none),
        "missing, unexpected, mismatched keys"
    );
    assert_eq!(hf["id2label"]["3"], "Partial/half-answer");
    let diff = max_diff(&hf["logits"], &exported_logits["logits"]);
    assert!(
        diff <= 1e-4,
        "transformers' logits differ from clarity's by {diff}"
    );
}

#[test]
fn a_multitask_export_holds_the_encoder_and_both_heads() {
    let dir = trained("multitask");
    let exported = export(dir.path());
    let names = tensor_names(&exported.join("model.safetensors"));
    let heads: Vec<&String> = names
        .iter()
        .filter(|n| !n.starts_with("roberta."))
        .collect();
    assert_eq!(
        heads,
        [
            "clarity_classifier.bias",
            "clarity_classifier.weight",
            "evasion_classifier.bias",
            "evasion_classifier.weight"
        ]
    );
    let config = json(&exported.join("config.json"));
    assert_eq!(config["architectures"][0], "RobertaModel");
    assert!(config.get("id2label").is_none(), "{config}");
    let head = json(&exported.join("head.json"));
    assert_eq!(head["head"], "multitask");
    assert_eq!(head["evasion_classes"].as_array().unwrap().len(), 9);
    assert_eq!(head["evasion_to_clarity"][1], 1);

    let table =
        clarity_data::table::Table::read(&cached(dir.path(), "test", "data.parquet")).unwrap();
    table.write(&dir.path().join("test.csv")).unwrap();
    let args = [
        "predict",
        "--checkpoint",
        "exported",
        "--data",
        "test.csv",
        "--out",
        "preds.csv",
    ];
    assert_ok(&clarity(dir.path(), &args));
    let stage_csv =
        std::fs::read_to_string(cached(dir.path(), "predictions", "predictions.csv")).unwrap();
    let ours = std::fs::read_to_string(dir.path().join("preds.csv")).unwrap();
    assert_eq!(ours, stage_csv);

    // `clarity forward` warns that the heads are not an HF classifier's; the encoder is exact.
    let ours = clarity_forward(dir.path(), &exported);
    let Some(python) = transformers_python() else {
        return;
    };
    let hf = hf_run(&python, dir.path(), &exported, "AutoModel");
    // RobertaModel's pooler, which clarity does not use, is all that is missing.
    let missing = hf["missing"].as_array().unwrap();
    assert!(
        missing
            .iter()
            .all(|k| k.as_str().unwrap().starts_with("pooler.")),
        "{missing:?}"
    );
    let unexpected: Vec<&str> = hf["unexpected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        unexpected,
        [
            "clarity_classifier.bias",
            "clarity_classifier.weight",
            "evasion_classifier.bias",
            "evasion_classifier.weight"
        ]
    );
    let diff = max_diff(&hf["last_hidden_state"], &ours["last_hidden_state"]);
    assert!(diff <= 1e-4, "the encoder's outputs differ by {diff}");
}
