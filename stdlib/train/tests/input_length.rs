//! Records longer than the model's position table are a diagnostic before training or
//! prediction starts, never an out-of-bounds panic; DeBERTa-v3 without an absolute position
//! table takes longer inputs.

mod common;

use burn::backend::Flex;
use burn::tensor::{Int, Tensor, TensorData};
use clarity_data::tokenize::{Record, TokenizedDataset};
use clarity_models::config::ModelConfig;
use clarity_models::device::BackendTask;
use clarity_models::{Attention, Encoder, ModelOptions, Precision};
use clarity_train::heads::HeadKind;
use clarity_train::jobs::{JobError, PredictJob, TrainJob, check_input_length, check_tokens};
use clarity_train::train::{NullObserver, TrainConfig, TrainPaths};
use common::*;

/// `data` re-tokenized (as far as the meta says) with `max_length`, its first record
/// stretched to that many ids: what `tokenize max-length=N` makes of a long text.
fn with_max_length(data: &TokenizedDataset, max_length: usize) -> TokenizedDataset {
    let mut meta = data.meta().clone();
    meta.max_length = max_length;
    let records = data
        .iter()
        .enumerate()
        .map(|(r, e)| {
            let mut ids = e.ids.to_vec();
            if r == 0 {
                ids.resize(max_length, 60);
            }
            let record = Record {
                example: e.example as u32,
                type0_len: ids.len() as u32,
                window: e.window,
                labels: e.labels,
                votes: e.votes,
            };
            (record, ids)
        })
        .collect();
    TokenizedDataset::new(meta, records)
}

fn too_long(err: &JobError) -> (usize, usize) {
    match err {
        JobError::InputTooLong {
            max_length, limit, ..
        } => (*max_length, *limit),
        other => panic!("expected InputTooLong, got {other:?}"),
    }
}

#[test]
fn the_limit_is_the_position_table_less_roberta_padding_offset() {
    let roberta = ModelConfig::from_dir(&fixture("tiny_roberta")).unwrap();
    // max_position_embeddings 66, pad_token_id 1: positions 2..=65 are usable.
    assert_eq!(roberta.max_input_length(), Some(64));
    let data = tokens(4, 1, None);
    assert!(check_input_length(&roberta, &with_max_length(&data, 64), "records").is_ok());
    let err = check_input_length(&roberta, &with_max_length(&data, 65), "records").unwrap_err();
    assert_eq!(too_long(&err), (65, 64));
    let text = err.to_string();
    assert!(text.contains("65") && text.contains("64"), "{text}");
    let help = miette::Diagnostic::help(&err).unwrap().to_string();
    assert!(
        help.contains("max-length") && help.contains("stride"),
        "{help}"
    );

    // DeBERTa-v3 (position_biased_input = false) has no absolute position table.
    let deberta = ModelConfig::from_dir(&fixture("tiny_deberta_v3")).unwrap();
    assert_eq!(deberta.max_input_length(), None);
    assert!(check_input_length(&deberta, &with_max_length(&data, 1024), "records").is_ok());
}

#[test]
fn deberta_v3_runs_inputs_longer_than_max_position_embeddings() {
    let device = Default::default();
    let (encoder, config, _) = Encoder::<Flex>::from_pretrained(
        &fixture("tiny_deberta_v3"),
        &ModelOptions::default(),
        &device,
    )
    .unwrap();
    let seq = 2 * config.max_sequence_length() + 3;
    let ids: Vec<i64> = (0..seq as i64).map(|i| 5 + i % 50).collect();
    let ids = Tensor::<Flex, 2, Int>::from_data(TensorData::new(ids, [1, seq]), &device);
    let mask = Tensor::<Flex, 2, Int>::ones([1, seq], &device);
    let hidden = encoder.forward(ids, mask);
    assert_eq!(hidden.dims()[1], seq);
    let values = hidden.into_data().convert::<f32>().to_vec::<f32>().unwrap();
    assert!(values.iter().all(|v| v.is_finite()));
}

#[test]
fn training_on_too_long_records_is_a_diagnostic() {
    let _serial = serial();
    let train = with_max_length(&tokens(8, 2, None), 65);
    let validation = tokens(4, 3, None);
    let dir = tempfile::tempdir().unwrap();
    let mut observer = NullObserver;
    let job = TrainJob {
        model_name: "the tiny model",
        model_dir: &fixture("tiny_roberta"),
        train: &train,
        validation: Some(&validation),
        head: HeadKind::Hierarchical,
        dropout: 0.0,
        attention: Attention::Auto,
        config: TrainConfig {
            epochs: 1,
            batch_size: 4,
            ..TrainConfig::default()
        },
        paths: TrainPaths {
            best: dir.path().join("best"),
            last: Some(dir.path().join("last")),
            reports: dir.path().join("reports"),
            resume: None,
        },
        observer: &mut observer,
    };
    let err = job.run::<B>(Default::default()).unwrap_err();
    assert_eq!(too_long(&err), (65, 64));
    assert!(err.to_string().contains("training records"), "{err}");
    assert!(!dir.path().join("best").exists(), "nothing was trained");

    // A too-long validation set is caught as well.
    let train = tokens(8, 2, None);
    let validation = with_max_length(&tokens(4, 3, None), 100);
    let mut observer = NullObserver;
    let job = TrainJob {
        model_name: "the tiny model",
        model_dir: &fixture("tiny_roberta"),
        train: &train,
        validation: Some(&validation),
        head: HeadKind::Hierarchical,
        dropout: 0.0,
        attention: Attention::Auto,
        config: TrainConfig::default(),
        paths: TrainPaths {
            best: dir.path().join("best"),
            last: Some(dir.path().join("last")),
            reports: dir.path().join("reports"),
            resume: None,
        },
        observer: &mut observer,
    };
    let err = job.run::<B>(Default::default()).unwrap_err();
    assert_eq!(too_long(&err), (100, 64));
    assert!(err.to_string().contains("validation records"), "{err}");
}

#[test]
fn predicting_too_long_records_is_a_diagnostic() {
    let _serial = serial();
    let (model, config, head) = tiny_model(HeadKind::Hierarchical, 0.0, 4);
    let dir = tempfile::tempdir().unwrap();
    save(&model, &config, &head, None, dir.path()).unwrap();
    let data = with_max_length(&tokens(4, 5, None), 512);
    let checkpoints = [dir.path().to_path_buf()];
    let job = PredictJob {
        checkpoints: &checkpoints,
        data: &data,
        batch_size: 4,
        attention: Attention::Auto,
        precision: Precision::F32,
        cancelled: &|| false,
        progress: &mut |_, _| {},
    };
    let err = job.run::<B>(Default::default()).unwrap_err();
    assert_eq!(too_long(&err), (512, 64));
    assert!(err.to_string().contains("records to predict"), "{err}");
}

/// `data` with record `record`'s ids and type-0 length replaced.
fn with_record(
    data: &TokenizedDataset,
    record: usize,
    ids: Vec<u32>,
    type0: u32,
) -> TokenizedDataset {
    let records = data
        .iter()
        .enumerate()
        .map(|(r, e)| {
            let (ids, type0_len) = if r == record {
                (ids.clone(), type0)
            } else {
                (e.ids.to_vec(), e.type0_len)
            };
            let head = Record {
                example: e.example as u32,
                type0_len,
                window: e.window,
                labels: e.labels,
                votes: e.votes,
            };
            (head, ids)
        })
        .collect();
    TokenizedDataset::new(data.meta().clone(), records)
}

#[test]
fn ids_beyond_the_vocabulary_and_damaged_records_are_diagnostics_before_anything_runs() {
    let roberta = ModelConfig::from_dir(&fixture("tiny_roberta")).unwrap();
    let vocab = roberta.vocab_size() as u32;
    let data = tokens(6, 4, None);
    assert!(check_tokens(&roberta, &data, "records").is_ok());

    let too_big = with_record(&data, 3, vec![0, 7, vocab + 30, 2], 4);
    let err = check_tokens(&roberta, &too_big, "training records").unwrap_err();
    match &err {
        JobError::TokenOutOfVocabulary {
            max_id,
            vocab_size,
            example,
            ..
        } => {
            assert_eq!((*max_id, *vocab_size), (vocab + 30, vocab as usize));
            assert_eq!(example, "example `ex3`");
        }
        other => panic!("expected TokenOutOfVocabulary, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains(&format!("token id {}", vocab + 30)), "{text}");

    for (ids, type0, problem) in [
        (vec![], 0, "has no ids"),
        (vec![0; 65], 65, "more than its max-length 64"),
        (vec![0, 5, 2], 4, "4 first-segment tokens but only 3 ids"),
    ] {
        let err =
            check_tokens(&roberta, &with_record(&data, 2, ids, type0), "records").unwrap_err();
        assert!(
            matches!(&err, JobError::DamagedTokens { record: 2, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains(problem), "{err}");
    }
}

#[test]
fn predicting_ids_beyond_the_vocabulary_is_a_diagnostic_not_a_panic() {
    let _serial = serial();
    let (model, config, head) = tiny_model(HeadKind::Hierarchical, 0.0, 4);
    let dir = tempfile::tempdir().unwrap();
    save(&model, &config, &head, None, dir.path()).unwrap();
    let data = tokens(4, 5, None);
    let data = with_record(&data, 1, vec![0, config.vocab_size() as u32, 2], 3);
    let checkpoints = [dir.path().to_path_buf()];
    let job = PredictJob {
        checkpoints: &checkpoints,
        data: &data,
        batch_size: 2,
        attention: Attention::Auto,
        precision: Precision::F32,
        cancelled: &|| false,
        progress: &mut |_, _| {},
    };
    let err = job.run::<B>(Default::default()).unwrap_err();
    assert!(
        matches!(err, JobError::TokenOutOfVocabulary { .. }),
        "{err:?}"
    );
}
