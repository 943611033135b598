//! Checkpoint directories round-trip a model exactly; inference averages a sliding-window
//! example's records; predictions and ensembles come out as the files the task wants.

mod common;

use burn::backend::Flex;
use burn::module::AutodiffModule;
use burn::tensor::{Int, Tensor, TensorData};
use clarity_models::ModelOptions;
use clarity_train::heads::{CheckpointError, HEAD_FILE, HeadKind, MODEL_WEIGHTS, load_checkpoint};
use clarity_train::predict::{InferOptions, Predictions, aggregate, ensemble, infer};
use common::*;

fn ids(rows: &[&[u32]]) -> (Tensor<Flex, 2, Int>, Tensor<Flex, 2, Int>) {
    let len = rows.iter().map(|r| r.len()).max().unwrap();
    let mut ids = Vec::new();
    let mut mask = Vec::new();
    for row in rows {
        for i in 0..len {
            ids.push(row.get(i).map_or(1, |&v| i64::from(v)));
            mask.push(i64::from(i < row.len()));
        }
    }
    let d = Default::default();
    let shape = [rows.len(), len];
    (
        Tensor::from_data(TensorData::new(ids, shape), &d),
        Tensor::from_data(TensorData::new(mask, shape), &d),
    )
}

fn values(t: Tensor<Flex, 2>) -> Vec<f32> {
    t.into_data().to_vec().unwrap()
}

fn reloads_to_the_same_logits(kind: HeadKind) -> tempfile::TempDir {
    let _serial = serial();
    let (model, config, head) = tiny_model(kind, 0.1, 3);
    let dir = tempfile::tempdir().unwrap();
    save(
        &model,
        &config,
        &head,
        Some(&fixture("tiny_roberta")),
        dir.path(),
    )
    .unwrap();
    let loaded =
        load_checkpoint::<Flex>(dir.path(), &ModelOptions::default(), &Default::default()).unwrap();
    assert_eq!(loaded.head, head);
    assert_eq!(loaded.model.kind(), kind);
    let (i, m) = ids(&[&[0, 60, 61, 62, 2], &[0, 70, 2]]);
    let before = model.valid().forward(i.clone(), m.clone());
    let after = loaded.model.forward(i, m);
    let pairs = [
        (before.evasion, after.evasion),
        (before.clarity, after.clarity),
    ];
    for (b, a) in pairs {
        assert_eq!(b.is_some(), a.is_some());
        if let (Some(b), Some(a)) = (b, a) {
            assert_eq!(values(b), values(a));
        }
    }
    dir
}

fn weight_names(dir: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(dir.join(MODEL_WEIGHTS)).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = file.names().into_iter().map(str::to_string).collect();
    names.sort();
    names
}

#[test]
fn a_single_head_checkpoint_is_an_hf_sequence_classifier() {
    for kind in [HeadKind::Direct, HeadKind::Hierarchical] {
        let dir = reloads_to_the_same_logits(kind);
        let names = weight_names(dir.path());
        let heads: Vec<&String> = names
            .iter()
            .filter(|n| !n.starts_with("roberta."))
            .collect();
        assert_eq!(
            heads,
            [
                "classifier.dense.bias",
                "classifier.dense.weight",
                "classifier.out_proj.bias",
                "classifier.out_proj.weight"
            ]
        );
        let config: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("config.json")).unwrap())
                .unwrap();
        assert_eq!(
            config["architectures"][0],
            "RobertaForSequenceClassification"
        );
        let labels = if kind == HeadKind::Direct { 3 } else { 9 };
        assert_eq!(config["id2label"].as_object().unwrap().len(), labels);
        assert_eq!(
            config["label2id"]["Clear Reply"].as_i64().is_some(),
            kind == HeadKind::Direct
        );
        assert_eq!(
            config["label2id"]["Explicit"].as_i64().is_some(),
            kind != HeadKind::Direct
        );
    }
}

#[test]
fn a_multitask_checkpoint_holds_the_encoder_and_both_heads_in_one_file() {
    let dir = reloads_to_the_same_logits(HeadKind::Multitask);
    let names = weight_names(dir.path());
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
    assert!(
        names
            .iter()
            .any(|n| n == "roberta.embeddings.word_embeddings.weight")
    );
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("config.json")).unwrap()).unwrap();
    assert_eq!(config["architectures"][0], "RobertaModel");
    assert!(config.get("id2label").is_none());
}

#[test]
fn damaged_checkpoints_are_diagnosed() {
    let _serial = serial();
    let (model, config, head) = tiny_model(HeadKind::Direct, 0.1, 3);
    let dir = tempfile::tempdir().unwrap();
    save(&model, &config, &head, None, dir.path()).unwrap();
    let load =
        || load_checkpoint::<Flex>(dir.path(), &ModelOptions::default(), &Default::default());
    std::fs::remove_file(dir.path().join(MODEL_WEIGHTS)).unwrap();
    assert!(matches!(load(), Err(CheckpointError::Model(_))));
    std::fs::write(
        dir.path().join(HEAD_FILE),
        r#"{"layout": 2, "head": "sideways"}"#,
    )
    .unwrap();
    let err = load().unwrap_err();
    assert!(
        matches!(err, CheckpointError::BadHeadFile { .. }),
        "{err:?}"
    );
    std::fs::remove_file(dir.path().join(HEAD_FILE)).unwrap();
    let err = load().unwrap_err();
    assert!(
        matches!(err, CheckpointError::NotACheckpoint { .. }),
        "{err:?}"
    );
}

#[test]
fn an_old_layout_checkpoint_is_diagnosed_not_a_shape_error() {
    let _serial = serial();
    let (model, config, head) = tiny_model(HeadKind::Hierarchical, 0.1, 3);
    let dir = tempfile::tempdir().unwrap();
    save(&model, &config, &head, None, dir.path()).unwrap();
    // A layout-1 head.json: no `layout` field (its heads were in heads.safetensors).
    let mut old: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(HEAD_FILE)).unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("layout");
    std::fs::write(dir.path().join(HEAD_FILE), old.to_string()).unwrap();
    let err = load_checkpoint::<Flex>(dir.path(), &ModelOptions::default(), &Default::default())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::OldLayout {
                found: 1,
                expected: 2,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("head.json") && text.contains("layout 1"),
        "{text}"
    );
}

#[test]
fn windows_are_averaged_per_example_and_predictions_written() {
    let _serial = serial();
    let (model, _, head) = tiny_model(HeadKind::Hierarchical, 0.1, 5);
    let model = model.valid();
    // 6 examples; examples 0 and 3 have two records each.
    let data = tokens(6, 9, Some(3));
    assert_eq!(data.len(), 8);
    let inference = infer(
        &model,
        &data,
        InferOptions {
            batch_size: 3,
            pad_to_multiple_of: Some(8),
            objective: None,
            cancelled: &|| false,
            on_batch: &mut |_| {},
        },
        &Default::default(),
    )
    .unwrap();
    let records = inference.records.evasion.as_ref().unwrap();
    assert_eq!(records.rows(), 8);
    // Each record alone, unpadded, gives the same logits as in its padded batch.
    for (r, record) in data.iter().enumerate() {
        let (i, m) = ids(&[record.ids]);
        let alone = values(model.forward(i, m).evasion.unwrap());
        for (a, b) in alone.iter().zip(records.row(r)) {
            assert!((a - b).abs() < 1e-5, "record {r}: {a} vs {b}");
        }
    }
    let examples = aggregate(&inference.records, &data).unwrap();
    let ev = examples.evasion.as_ref().unwrap();
    assert_eq!(ev.rows(), 6);
    assert_eq!(examples.example_ids[0], "ex0");
    for c in 0..9 {
        let mean = (records.row(0)[c] + records.row(1)[c]) / 2.0;
        assert!((ev.row(0)[c] - mean).abs() < 1e-6);
        assert_eq!(ev.row(1)[c], records.row(2)[c]);
    }
    let predictions = Predictions::from_logits(&examples, &head);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("predictions.csv");
    predictions.write_csv(&head, &csv).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,clarity_pred,evasion_pred");
    assert_eq!(lines.len(), 7);
    assert!(lines[1].starts_with("ex0,"));
    // An ensemble of a model with itself predicts what the model predicts.
    let twice = ensemble(&[examples.clone(), examples.clone()]).unwrap();
    assert_eq!(Predictions::from_logits(&twice, &head), predictions);
}
