//! The training loop on the tiny RoBERTa encoder and a synthetic labelled token set: it
//! learns, writes its reports and checkpoints, is bit-reproducible, resumes exactly, stops
//! early, and reports bad losses and bad data as diagnostics.

mod common;

use std::cell::Cell;
use std::path::Path;

use clarity_models::ModelOptions;
use clarity_train::heads::{ClarityClassifier, HeadKind, load_checkpoint};
use clarity_train::train::{
    EarlyStopping, EpochRecord, ModelSource, Monitor, NullObserver, TrainConfig, TrainData,
    TrainError, TrainEvent, TrainObserver, TrainPaths, TrainSummary, train,
};
use common::*;

fn config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 8,
        eval_batch_size: 16,
        lr: 5e-3,
        warmup_ratio: 0.1,
        label_smoothing: 0.05,
        early_stopping: None,
        log_every: 2,
        ..TrainConfig::default()
    }
}

fn paths(root: &Path) -> TrainPaths {
    TrainPaths {
        best: root.join("best"),
        last: Some(root.join("last")),
        reports: root.join("reports"),
        resume: Some(root.join("resume")),
    }
}

fn run(
    kind: HeadKind,
    config: &TrainConfig,
    root: &Path,
    observer: &mut dyn TrainObserver,
) -> Result<TrainSummary, TrainError> {
    run_into(kind, config, &paths(root), observer)
}

fn run_into(
    kind: HeadKind,
    config: &TrainConfig,
    paths: &TrainPaths,
    observer: &mut dyn TrainObserver,
) -> Result<TrainSummary, TrainError> {
    let (model, model_config, head) = tiny_model(kind, 0.1, config.seed);
    let train_data = tokens(160, 1, Some(5));
    let validation = tokens(45, 2, Some(4));
    let source = ModelSource {
        config: &model_config,
        head: &head,
        options: ModelOptions::default(),
        tokenizer_dir: None,
        template: None,
    };
    let data = TrainData {
        train: &train_data,
        validation: Some(&validation),
    };
    train(
        model,
        &source,
        data,
        config,
        paths,
        observer,
        &Default::default(),
    )
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn learns_and_writes_checkpoints_and_reports() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let summary = run(
        HeadKind::Hierarchical,
        &config(6),
        dir.path(),
        &mut NullObserver,
    )
    .unwrap();
    // 160 examples, every 5th with a second window: 192 records / 8 = 24 steps an epoch.
    assert_eq!(summary.steps, 6 * 24);
    assert_eq!(summary.history.len(), 6);
    let first = &summary.history[0];
    let last = summary.history.last().unwrap();
    assert!(
        last.train_loss < first.train_loss * 0.8,
        "{} -> {}",
        first.train_loss,
        last.train_loss
    );
    // Chance on 9 roughly balanced classes is about 0.11.
    let (best, _) = summary.best.unwrap();
    assert!(best > 0.6, "best evasion macro-F1 {best}");
    for key in [
        "loss",
        "evasion-macro-f1",
        "clarity-macro-f1",
        "evasion-multi-macro-f1",
    ] {
        assert!(last.validation.contains_key(key), "missing {key}");
    }
    for file in [
        "reports/metrics.json",
        "reports/train.log",
        "reports/learning_curves.svg",
    ] {
        assert!(dir.path().join(file).is_file(), "missing {file}");
    }
    for ckpt in ["best", "last"] {
        for file in ["config.json", "model.safetensors", "head.json"] {
            assert!(
                dir.path().join(ckpt).join(file).is_file(),
                "missing {ckpt}/{file}"
            );
        }
    }
    assert!(
        !dir.path().join("resume").exists(),
        "the resume directory is removed at the end"
    );
    let metrics: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/metrics.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(metrics["epochs"].as_array().unwrap().len(), 6);
    assert_eq!(metrics["best_value"].as_f64().unwrap(), best);
    let log = std::fs::read_to_string(dir.path().join("reports/train.log")).unwrap();
    assert!(log.contains("epoch 6 done"), "{log}");
    // The best checkpoint reloads and scores what training reported.
    let ckpt = load_checkpoint::<burn::backend::Flex>(
        &dir.path().join("best"),
        &ModelOptions::default(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(ckpt.head.head, HeadKind::Hierarchical);
}

/// Keeps a short name for every event, in order.
#[derive(Default)]
struct Recorder(Vec<String>);

impl TrainObserver for Recorder {
    fn event(&mut self, event: &TrainEvent<'_>) {
        let name = match event {
            TrainEvent::Started { step, .. } => format!("started@{step}"),
            TrainEvent::Step(r) if r.logged_loss.is_some() => format!("step {} logged", r.step),
            TrainEvent::Step(r) => format!("step {}", r.step),
            TrainEvent::StepSkipped { step, .. } => format!("skipped {step}"),
            TrainEvent::Validating { .. } => "validating".into(),
            TrainEvent::Epoch { record, .. } => format!("epoch {}", record.epoch),
            TrainEvent::StoppedEarly { epoch, .. } => format!("stopped {epoch}"),
            TrainEvent::Ended { steps, completed } => format!("ended {steps} {completed}"),
        };
        self.0.push(name);
    }
}

#[test]
fn one_event_stream_feeds_the_observer_and_the_log() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut recorder = Recorder::default();
    run(
        HeadKind::Hierarchical,
        &config(2),
        dir.path(),
        &mut recorder,
    )
    .unwrap();
    let events = recorder.0;
    // 24 steps an epoch, a log point every 2 steps.
    let mut expected = vec!["started@0".to_string()];
    for epoch in 1..=2u64 {
        for step in (epoch - 1) * 24 + 1..=epoch * 24 {
            let logged = if step % 2 == 0 { " logged" } else { "" };
            expected.push(format!("step {step}{logged}"));
        }
        expected.extend(["validating".into(), format!("epoch {epoch}")]);
    }
    expected.push("ended 48 true".into());
    assert_eq!(events, expected);
    // The log has a line for each log point and each epoch, and the end.
    let log = std::fs::read_to_string(dir.path().join("reports/train.log")).unwrap();
    assert_eq!(
        log.lines().filter(|l| l.contains("grad-norm")).count(),
        24,
        "{log}"
    );
    assert_eq!(log.matches(" done: train loss").count(), 2, "{log}");
    assert!(
        log.ends_with("finished after 48 optimiser steps\n"),
        "{log}"
    );
}

#[test]
fn a_failed_run_ends_its_event_stream() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let mut stop = StopAfter {
        after: 3,
        done: Cell::new(0),
    };
    struct Both<'a>(&'a mut StopAfter, Recorder);
    impl TrainObserver for Both<'_> {
        fn event(&mut self, event: &TrainEvent<'_>) {
            self.0.event(event);
            self.1.event(event);
        }
        fn cancelled(&self) -> bool {
            self.0.cancelled()
        }
    }
    let mut both = Both(&mut stop, Recorder::default());
    let err = run(HeadKind::Hierarchical, &config(2), dir.path(), &mut both).unwrap_err();
    assert!(matches!(err, TrainError::Cancelled { step: 3 }), "{err:?}");
    assert_eq!(both.1.0.last().map(String::as_str), Some("ended 3 false"));
}

#[test]
fn same_seed_same_bits() {
    let _serial = serial();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let c = config(2);
    let sa = run(HeadKind::Multitask, &c, a.path(), &mut NullObserver).unwrap();
    let sb = run(HeadKind::Multitask, &c, b.path(), &mut NullObserver).unwrap();
    assert_eq!(
        sa.history.iter().map(|r| r.train_loss).collect::<Vec<_>>(),
        sb.history.iter().map(|r| r.train_loss).collect::<Vec<_>>()
    );
    for file in ["last/model.safetensors", "best/model.safetensors"] {
        assert!(
            bytes(&a.path().join(file)) == bytes(&b.path().join(file)),
            "{file} differs"
        );
    }
}

/// Stops the run (as Ctrl-C does) once `after` optimiser steps are done.
struct StopAfter {
    after: u64,
    done: Cell<u64>,
}

impl TrainObserver for StopAfter {
    fn event(&mut self, event: &TrainEvent<'_>) {
        if let TrainEvent::Step(report) = event {
            self.done.set(report.step);
        }
    }
    fn cancelled(&self) -> bool {
        self.done.get() >= self.after
    }
}

#[test]
fn a_resumed_run_ends_where_an_uninterrupted_one_ends() {
    let _serial = serial();
    let mut c = config(3);
    c.checkpoint_every = Some(4);
    let whole = tempfile::tempdir().unwrap();
    let reference = run(HeadKind::Hierarchical, &c, whole.path(), &mut NullObserver).unwrap();

    let broken = tempfile::tempdir().unwrap();
    // Killed at step 15: the last resumable checkpoint is at step 12 (epoch 2, mid-epoch).
    let err = run(
        HeadKind::Hierarchical,
        &c,
        broken.path(),
        &mut StopAfter {
            after: 15,
            done: Cell::new(0),
        },
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::Cancelled { step: 15 }), "{err:?}");
    assert!(
        broken
            .path()
            .join("resume/last/optimizer.safetensors")
            .is_file()
    );
    let resumed = run(HeadKind::Hierarchical, &c, broken.path(), &mut NullObserver).unwrap();
    assert_eq!(resumed.resumed_at, Some(12));
    assert_eq!(resumed.steps, reference.steps);
    for file in [
        "last/model.safetensors",
        "best/model.safetensors",
        "best/head.json",
    ] {
        assert!(
            bytes(&whole.path().join(file)) == bytes(&broken.path().join(file)),
            "{file} differs"
        );
    }
    let timeless = |s: &TrainSummary| {
        s.history
            .iter()
            .map(|r| EpochRecord {
                seconds: 0.0,
                ..r.clone()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(timeless(&resumed), timeless(&reference));
}

#[test]
fn an_old_layout_resume_directory_is_a_diagnostic_not_a_shape_error() {
    let _serial = serial();
    let mut c = config(2);
    c.checkpoint_every = Some(4);
    let dir = tempfile::tempdir().unwrap();
    let stop = &mut StopAfter {
        after: 6,
        done: Cell::new(0),
    };
    run(HeadKind::Hierarchical, &c, dir.path(), stop).unwrap_err();
    // What an older clarity left: a head.json without `layout` (its heads in heads.safetensors).
    let head_file = dir.path().join("resume/last/head.json");
    let mut head: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&head_file).unwrap()).unwrap();
    head.as_object_mut().unwrap().remove("layout");
    std::fs::write(&head_file, head.to_string()).unwrap();
    let err = run(HeadKind::Hierarchical, &c, dir.path(), &mut NullObserver).unwrap_err();
    let text = format!("{err}");
    assert!(
        matches!(
            err,
            TrainError::Checkpoint(clarity_train::heads::CheckpointError::OldLayout { .. })
        ),
        "{err:?}"
    );
    assert!(text.contains("resume/last/head.json"), "{text}");
}

#[test]
fn a_run_stopped_after_its_best_epoch_resumes_into_fresh_outputs_with_that_best_checkpoint() {
    let _serial = serial();
    // No later epoch beats the first by a whole point of macro-F1: epoch 1 stays the best.
    let c = TrainConfig {
        early_stopping: Some(EarlyStopping {
            patience: 10,
            min_delta: 1.0,
        }),
        ..config(3)
    };
    let whole = tempfile::tempdir().unwrap();
    let reference = run(HeadKind::Hierarchical, &c, whole.path(), &mut NullObserver).unwrap();
    let (_, best_epoch) = reference.best.unwrap();
    assert_eq!(best_epoch, 1, "{reference:?}");

    // As the stage runs: each attempt writes into fresh output directories (the engine
    // deletes an interrupted attempt's), and only the resume directory carries over.
    let root = tempfile::tempdir().unwrap();
    let attempt = |name: &str| TrainPaths {
        resume: Some(root.path().join("resume")),
        ..paths(&root.path().join(name))
    };
    let stop_at = reference.history[best_epoch - 1].step + 1;
    let err = run_into(
        HeadKind::Hierarchical,
        &c,
        &attempt("first"),
        &mut StopAfter {
            after: stop_at,
            done: Cell::new(0),
        },
    )
    .unwrap_err();
    assert!(matches!(err, TrainError::Cancelled { .. }), "{err:?}");
    let resumed = run_into(
        HeadKind::Hierarchical,
        &c,
        &attempt("second"),
        &mut NullObserver,
    )
    .unwrap();
    assert_eq!(resumed.best, reference.best);
    let second = root.path().join("second");
    for file in [
        "best/model.safetensors",
        "best/head.json",
        "best/config.json",
        "last/model.safetensors",
    ] {
        assert!(
            bytes(&whole.path().join(file)) == bytes(&second.join(file)),
            "{file} differs"
        );
    }
    let files = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        files(&second.join("best")),
        files(&whole.path().join("best"))
    );
    // The log holds both attempts.
    let log = std::fs::read_to_string(second.join("reports/train.log")).unwrap();
    assert_eq!(log.matches(" done: train loss").count(), 3, "{log}");
    assert!(log.contains("resumed at optimiser step"), "{log}");
    assert!(!root.path().join("resume").exists());
}

#[test]
fn stops_early_when_the_monitor_stalls() {
    let _serial = serial();
    let mut c = config(6);
    c.lr = 1e-12;
    c.monitor = Monitor::named("loss").unwrap();
    c.early_stopping = Some(EarlyStopping {
        patience: 2,
        min_delta: 1e-3,
    });
    let dir = tempfile::tempdir().unwrap();
    let summary = run(HeadKind::Direct, &c, dir.path(), &mut NullObserver).unwrap();
    // Epoch 1 sets the best loss; epochs 2 and 3 do not beat it by 1e-3.
    assert!(summary.stopped_early);
    assert_eq!(summary.history.len(), 3);
    assert_eq!(summary.best.unwrap().1, 1);
}

#[test]
fn the_annotators_majority_vote_drives_early_stopping() {
    let _serial = serial();
    let mut c = config(3);
    c.lr = 1e-12;
    c.monitor = Monitor::named("evasion-majority-macro-f1").unwrap();
    c.early_stopping = Some(EarlyStopping {
        patience: 1,
        min_delta: 1e-3,
    });
    let dir = tempfile::tempdir().unwrap();
    let summary = run(HeadKind::Hierarchical, &c, dir.path(), &mut NullObserver).unwrap();
    // Nothing is learned at lr 1e-12: epoch 1 sets the best, epoch 2 does not beat it.
    assert!(summary.stopped_early);
    assert_eq!(summary.history.len(), 2);
    let first = &summary.history[0].validation;
    assert_eq!(summary.best, Some((first["evasion-majority-macro-f1"], 1)));
    // Two of each example's three annotators gave its evasion label, so the majority-vote
    // scores are the strict ones.
    for epoch in &summary.history {
        let v = &epoch.validation;
        assert_eq!(v["evasion-majority-macro-f1"], v["evasion-macro-f1"]);
        assert_eq!(v["evasion-majority-accuracy"], v["evasion-accuracy"]);
    }
}

#[test]
fn patience_running_out_on_the_last_epoch_is_not_stopping_early() {
    let _serial = serial();
    let mut c = config(3);
    c.lr = 1e-12;
    c.monitor = Monitor::named("loss").unwrap();
    c.early_stopping = Some(EarlyStopping {
        patience: 2,
        min_delta: 1e-3,
    });
    let dir = tempfile::tempdir().unwrap();
    let summary = run(HeadKind::Direct, &c, dir.path(), &mut NullObserver).unwrap();
    // Epochs 2 and 3 do not improve on epoch 1, but 3 is the last epoch asked for anyway.
    assert_eq!(summary.history.len(), 3);
    assert!(!summary.stopped_early);
    let metrics: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("reports/metrics.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(metrics["stopped_early"], serde_json::json!(false));
    let log = std::fs::read_to_string(dir.path().join("reports/train.log")).unwrap();
    assert!(!log.contains("early stopping"), "{log}");
}

#[test]
fn a_nan_loss_stops_with_a_diagnostic() {
    let _serial = serial();
    let (mut model, model_config, head) = tiny_model(HeadKind::Multitask, 0.0, 1);
    let nan_bias = burn::tensor::Tensor::<B, 1>::from_data(
        burn::tensor::TensorData::new(vec![f32::NAN; 3], [3]),
        &Default::default(),
    );
    if let ClarityClassifier::Multitask(m) = &mut model {
        m.clarity_classifier.bias = Some(burn::module::Param::from_tensor(nan_bias));
    }
    let data = tokens(16, 3, None);
    let dir = tempfile::tempdir().unwrap();
    let source = ModelSource {
        config: &model_config,
        head: &head,
        options: ModelOptions::default(),
        tokenizer_dir: None,
        template: None,
    };
    let err = train(
        model,
        &source,
        TrainData {
            train: &data,
            validation: None,
        },
        &config(1),
        &paths(dir.path()),
        &mut NullObserver,
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::NonFiniteLoss {
                epoch: 1,
                step: 0,
                ..
            }
        ),
        "{err:?}"
    );
    let report = format!("{:?}", miette::Report::new(err));
    assert!(
        report.contains("clarity::train::non_finite_loss"),
        "{report}"
    );
}

#[test]
fn unlabelled_training_data_is_refused() {
    let _serial = serial();
    let (model, model_config, head) = tiny_model(HeadKind::Hierarchical, 0.0, 1);
    let labelled = tokens(8, 4, None);
    let meta = labelled.meta().clone();
    let records = labelled
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut labels = r.labels;
            if i % 2 == 0 {
                labels.evasion = None;
            }
            (
                clarity_data::tokenize::Record {
                    example: r.example as u32,
                    type0_len: r.type0_len,
                    window: r.window,
                    labels,
                    votes: r.votes,
                },
                r.ids.to_vec(),
            )
        })
        .collect();
    let data = clarity_data::tokenize::TokenizedDataset::new(meta, records);
    let dir = tempfile::tempdir().unwrap();
    let source = ModelSource {
        config: &model_config,
        head: &head,
        options: ModelOptions::default(),
        tokenizer_dir: None,
        template: None,
    };
    let err = train(
        model,
        &source,
        TrainData {
            train: &data,
            validation: None,
        },
        &config(1),
        &paths(dir.path()),
        &mut NullObserver,
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            TrainError::MissingLabels {
                records: 4,
                total: 8,
                label: "evasion",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn accumulating_two_half_batches_matches_one_full_batch() {
    let _serial = serial();
    let mut full = config(1);
    full.label_smoothing = 0.0;
    let mut halves = full.clone();
    full.batch_size = 8;
    halves.batch_size = 4;
    halves.grad_accum = 2;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let run0 = |c: &TrainConfig, root: &Path| {
        let (model, model_config, head) = tiny_model(HeadKind::Hierarchical, 0.0, 7);
        let data = tokens(32, 5, None);
        let source = ModelSource {
            config: &model_config,
            head: &head,
            options: ModelOptions::default(),
            tokenizer_dir: None,
            template: None,
        };
        train(
            model,
            &source,
            TrainData {
                train: &data,
                validation: None,
            },
            c,
            &paths(root),
            &mut NullObserver,
            &Default::default(),
        )
        .unwrap()
    };
    let sa = run0(&full, a.path());
    let sb = run0(&halves, b.path());
    assert_eq!(sa.steps, 4);
    assert_eq!(sb.steps, 4);
    let load = |root: &Path| {
        let file =
            clarity_train::tensor_file::TensorFile::read(&root.join("last/model.safetensors"))
                .unwrap();
        file.tensors["classifier.out_proj.weight"].values.clone()
    };
    let (wa, wb) = (load(a.path()), load(b.path()));
    let diff = wa
        .iter()
        .zip(&wb)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    assert!(diff < 1e-5, "head weights differ by {diff}");
}

#[test]
fn half_precision_compute_keeps_f32_master_weights() {
    let _serial = serial();
    let mut c = config(2);
    c.precision = clarity_models::Precision::Bf16;
    let dir = tempfile::tempdir().unwrap();
    let summary = run(HeadKind::Hierarchical, &c, dir.path(), &mut NullObserver).unwrap();
    assert_eq!(summary.steps, 2 * 24);
    let losses: Vec<f64> = summary.history.iter().map(|r| r.train_loss).collect();
    assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
    assert!(losses[1] < losses[0], "{losses:?}");
    // The checkpoint holds the f32 master weights, not bf16 copies.
    let bytes = bytes(&dir.path().join("last/model.safetensors"));
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = String::from_utf8_lossy(&bytes[8..8 + header_len]);
    assert!(
        header.contains("\"F32\"") && !header.contains("BF16"),
        "{header}"
    );
}

#[test]
fn f16_training_scales_the_loss_and_keeps_f32_master_weights() {
    let _serial = serial();
    let mut c = config(2);
    c.precision = clarity_models::Precision::F16;
    let dir = tempfile::tempdir().unwrap();
    let summary = run(HeadKind::Hierarchical, &c, dir.path(), &mut NullObserver).unwrap();
    assert_eq!(summary.steps, 2 * 24);
    let losses: Vec<f64> = summary.history.iter().map(|r| r.train_loss).collect();
    assert!(losses.iter().all(|l| l.is_finite()), "{losses:?}");
    assert!(losses[1] < losses[0], "{losses:?}");
    // Every skipped step halved the scale from 65536; none doubled it in 48 steps.
    let scale = summary.loss_scale.expect("f16 runs keep a loss scale");
    assert_eq!(scale, 65536.0 / 2f64.powi(summary.skipped_steps as i32));
    let log = std::fs::read_to_string(dir.path().join("reports/train.log")).unwrap();
    assert_eq!(
        log.matches("skipped: the f16 gradients overflowed").count() as u64,
        summary.skipped_steps
    );
    // At 65536 the first gradients of this model overflow f16: those steps are skipped and
    // the scale backs off; the rest train.
    assert!(summary.skipped_steps > 0, "{summary:?}");
    assert!(summary.skipped_steps < summary.steps / 2, "{summary:?}");

    let f32_run = run(
        HeadKind::Hierarchical,
        &config(1),
        dir.path(),
        &mut NullObserver,
    );
    assert_eq!(f32_run.unwrap().loss_scale, None);
}
