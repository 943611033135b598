//! Hostile inputs to train, predict and evaluate through the `clarity` binary: token ids
//! outside the model's vocabulary (another model's tokenizer, a damaged cached token file),
//! a checkpoint giving NaN logits, and duplicate example ids are runtime diagnostics (exit 2),
//! never a panic or a silently wrong file.

mod common;

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use common::{clarity, small_pipeline, stderr};

/// One epoch of training and a prediction of the test split with it.
const TRAIN_AND_PREDICT: &str = r#"    stage "train" train model="model" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
        lr 1e-3
    }
    stage "predict" predict model="train.best" data="tokens.test""#;

/// The one cache entry holding `output/file`.
fn cached(dir: &Path, output: &str, file: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir.join(".clarity/cache"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join(output).join(file))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(found.len(), 1, "{output}/{file} in {found:?}");
    found.into_iter().next().unwrap()
}

/// Writes `bytes` at `offset` into `path`, keeping its size and modification time (a damaged
/// file that a size and mtime check cannot tell from the original).
fn overwrite_in_place(path: &Path, offset: u64, bytes: &[u8]) {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.write_all(bytes).unwrap();
    file.set_modified(modified).unwrap();
}

/// Asserts a runtime failure (exit 2, no panic) with diagnostic `code` whose text (rewrapped
/// onto one line) holds each of `parts`.
fn assert_runtime_diagnostic(out: &std::process::Output, code: &str, parts: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(code), "{code} in:\n{err}");
    let flat = err
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for part in parts {
        assert!(flat.contains(part), "{part:?} in:\n{err}");
    }
}

#[test]
fn token_ids_beyond_the_models_vocabulary_are_a_diagnostic_in_train_and_predict() {
    let dir = tempfile::tempdir().unwrap();
    // `small` has a 16-id vocabulary; `tokens` come from `model`'s larger one.
    let small = r#"    stage "small" build-model seed=7 vocab-size=16 {
        vocab-from "split.train"
    }"#;
    let train_small = small_pipeline(&format!(
        r#"{small}
    stage "train" train model="small" {{
        data train="tokens.train" validation="tokens.validation"
        epochs 1
    }}"#
    ));
    std::fs::write(dir.path().join("train.kdl"), train_small).unwrap();
    let out = clarity(dir.path(), &["run", "train.kdl"]);
    assert_runtime_diagnostic(
        &out,
        "clarity::jobs::token_out_of_vocabulary",
        &[
            "training records hold token id",
            "vocabulary has 16 ids",
            "tokenize with the model's own tokenizer",
        ],
    );

    // A model trained on its own tokens, asked to predict another tokenizer's.
    let predict_small = small_pipeline(&format!(
        r#"{small}
    stage "small-tokens" tokenize tokenizer="small" max-length=48 {{
        inputs "split.train" "split.validation"
        template "{{question}}"
        pair-template "{{interview_answer}}"
    }}
    stage "train" train model="small" {{
        data train="small-tokens.train" validation="small-tokens.validation"
        epochs 1
    }}
    stage "predict" predict model="train.best" data="tokens.test""#
    ));
    std::fs::write(dir.path().join("predict.kdl"), predict_small).unwrap();
    let out = clarity(dir.path(), &["run", "predict.kdl"]);
    assert_runtime_diagnostic(
        &out,
        "clarity::jobs::token_out_of_vocabulary",
        &["records to predict hold token id", "vocabulary has 16 ids"],
    );
}

#[test]
fn a_damaged_cached_token_file_and_nan_logits_are_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), small_pipeline(TRAIN_AND_PREDICT)).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // The top byte of the last token id of the test split: the id grows by 2^24 or more.
    let tokens = cached(dir.path(), "test", "tokens.bin");
    let original = std::fs::read(&tokens).unwrap();
    let at = original.len() as u64 - 1;
    overwrite_in_place(&tokens, at, &[0x7f]);
    let rerun = |batch: &str| {
        let set = format!("predict.batch-size={batch}");
        clarity(dir.path(), &["run", "p.kdl", "--set", &set])
    };
    assert_runtime_diagnostic(
        &rerun("7"),
        "clarity::jobs::token_out_of_vocabulary",
        &["records to predict hold token id 21"],
    );
    overwrite_in_place(&tokens, at, &original[at as usize..]);

    // NaN weights in the trained heads: every test example's logits are NaN.
    let heads = cached(dir.path(), "best", "model.safetensors");
    let bytes = std::fs::read(&heads).unwrap();
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len]).unwrap();
    for (name, tensor) in header.as_object().unwrap() {
        if name == "__metadata__" || name.starts_with("roberta.") || name.starts_with("deberta.") {
            continue;
        }
        assert_eq!(tensor["dtype"], "F32", "{name}");
        let range = tensor["data_offsets"].as_array().unwrap();
        let (start, end) = (range[0].as_u64().unwrap(), range[1].as_u64().unwrap());
        let nan: Vec<u8> = (start..end)
            .step_by(4)
            .flat_map(|_| f32::NAN.to_le_bytes())
            .collect();
        overwrite_in_place(&heads, 8 + header_len as u64 + start, &nan);
    }
    let out = rerun("9");
    assert_runtime_diagnostic(
        &out,
        "clarity::predict::non_finite_logits",
        &[
            "NaN or infinite logits for 40 of 40 examples",
            "(row 1)",
            "and 35 more",
        ],
    );
}

#[test]
fn duplicate_ids_in_the_references_are_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("refs")).unwrap();
    std::fs::write(
        dir.path().join("refs/test.csv"),
        "index,question,interview_answer,clarity_label,evasion_label\n\
         q1,Will you?,Yes.,Clear Reply,Explicit\n\
         q2,Did you?,Perhaps.,Ambivalent,Dodging\n\
         q1,Will you?,No.,Clear Non-Reply,Declining to answer\n",
    )
    .unwrap();
    let text = small_pipeline(&format!(
        r#"{TRAIN_AND_PREDICT}
    stage "refs" fetch-dataset path="refs/test.csv" splits="test"
    stage "score" evaluate predictions="predict" references="refs.test""#
    ));
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_runtime_diagnostic(
        &out,
        "clarity::evaluate::duplicate_id",
        &["the references hold id `q1` 2 times (rows 1, 3)"],
    );
}
