use clarity_data::tokenize::TokenizedDataset;

use super::{Monitor, Objective, TrainConfig, TrainError};
use crate::heads::{HeadConfig, HeadKind};
use crate::loss::{
    ClassLoss, CrossEntropyLoss, FocalLoss, class_counts, inverse_frequency_weights,
};

/// Checks the ranges of a config.
pub(crate) fn check_config(config: &TrainConfig) -> Result<(), TrainError> {
    let bad = |what: String| Err(TrainError::InvalidConfig(what));
    if config.epochs == 0 {
        return bad("epochs must be at least 1".into());
    }
    if config.batch_size == 0 || config.eval_batch_size == 0 {
        return bad("batch sizes must be at least 1".into());
    }
    if config.grad_accum == 0 {
        return bad("grad-accum must be at least 1".into());
    }
    if !(config.lr.is_finite() && config.lr > 0.0) {
        return bad(format!("lr must be positive, not {}", config.lr));
    }
    if !(0.0..=1.0).contains(&config.warmup_ratio) {
        return bad(format!(
            "warmup-ratio must be in [0, 1], not {}",
            config.warmup_ratio
        ));
    }
    if !(0.0..1.0).contains(&config.label_smoothing) {
        return bad(format!(
            "label-smoothing must be in [0, 1), not {}",
            config.label_smoothing
        ));
    }
    if !(0.0..=1.0).contains(&config.alpha) || config.beta < 0.0 {
        return bad("alpha must be in [0, 1] and beta at least 0".into());
    }
    if config
        .max_grad_norm
        .is_some_and(|n| n <= 0.0 || !n.is_finite())
    {
        return bad("max-grad-norm must be positive".into());
    }
    if config.weight_decay < 0.0 || config.adam_eps <= 0.0 {
        return bad("weight-decay must be at least 0 and the AdamW epsilon positive".into());
    }
    Ok(())
}

/// Every training record must carry the labels the head trains on.
pub(crate) fn check_labels(kind: HeadKind, data: &TokenizedDataset) -> Result<(), TrainError> {
    let total = data.len();
    let missing = |label: &'static str, count: usize| {
        if count == 0 {
            Ok(())
        } else {
            Err(TrainError::MissingLabels {
                records: count,
                total,
                label,
                head: kind.name().into(),
            })
        }
    };
    if kind.has_evasion_head() {
        missing(
            "evasion",
            data.iter().filter(|r| r.labels.evasion.is_none()).count(),
        )?;
    }
    if kind.has_clarity_head() {
        missing(
            "clarity",
            data.iter().filter(|r| r.labels.clarity.is_none()).count(),
        )?;
    }
    Ok(())
}

/// The validation metrics a run can report: `loss` and the summary keys the head and the
/// validation labels allow.
pub(crate) fn available_metrics(kind: HeadKind, validation: &TokenizedDataset) -> Vec<String> {
    let meta = validation.meta();
    let mut names = vec!["loss".to_string()];
    let mut add = |prefix: &str| {
        names.push(format!("{prefix}-macro-f1"));
        names.push(format!("{prefix}-accuracy"));
    };
    if meta.has_clarity {
        add("clarity");
    }
    if kind.has_evasion_head() && meta.has_evasion {
        add("evasion");
    }
    if kind.has_evasion_head() && meta.has_annotators {
        add("evasion-multi");
        add("evasion-majority");
    }
    names
}

pub(crate) fn check_monitor(monitor: &Monitor, available: &[String]) -> Result<(), TrainError> {
    if available.contains(&monitor.metric) {
        Ok(())
    } else {
        Err(TrainError::MonitorUnavailable {
            metric: monitor.metric.clone(),
            available: available.join(", "),
        })
    }
}

/// The loss of each head, with inverse-frequency weights from the training labels if asked.
pub(crate) fn objective(
    config: &TrainConfig,
    head: &HeadConfig,
    data: &TokenizedDataset,
) -> Objective {
    let class_loss = |labels: Vec<usize>, classes: usize| {
        let weights = config
            .class_weights
            .then(|| inverse_frequency_weights(&class_counts(&labels, classes)));
        match config.focal_gamma {
            Some(gamma) => ClassLoss::Focal(FocalLoss::new(gamma).with_class_weights(weights)),
            None => ClassLoss::CrossEntropy(
                CrossEntropyLoss::new()
                    .with_label_smoothing(config.label_smoothing)
                    .with_class_weights(weights),
            ),
        }
    };
    let evasion: Vec<usize> = data
        .iter()
        .filter_map(|r| r.labels.evasion.map(|l| l.index()))
        .collect();
    let clarity: Vec<usize> = data
        .iter()
        .filter_map(|r| r.labels.clarity.map(|l| l.index()))
        .collect();
    Objective {
        kind: head.head,
        evasion: class_loss(evasion, head.evasion_classes.len()),
        clarity: class_loss(clarity, head.clarity_classes.len()),
        alpha: config.alpha,
        beta: config.beta,
        mapping: head.evasion_to_clarity.clone(),
        clarity_classes: head.clarity_classes.len(),
    }
}

/// The blake3 hash of the config, head and training data shape: a resumed run must match it.
pub(crate) fn fingerprint(
    config: &TrainConfig,
    head: &HeadConfig,
    data: &TokenizedDataset,
) -> String {
    let mut resumable = config.clone();
    resumable.log_every = 0;
    resumable.checkpoint_every = None;
    let meta = data.meta();
    let text = serde_json::json!({
        "config": resumable,
        "head": head,
        "records": meta.records,
        "tokens": meta.tokens,
        "examples": meta.example_ids,
    })
    .to_string();
    blake3::hash(text.as_bytes()).to_hex().to_string()
}

/// SplitMix64 of a seed and two counters: the seed of the data order of an epoch and of the
/// dropout masks of a micro-batch.
pub(crate) fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z =
        seed ^ a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b.wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use clarity_data::clarity::{EvasionLabel, ExampleLabels};
    use clarity_data::tokenize::{AnnotatorVotes, Record, TokenizedDataset, TokensMeta};

    use super::{Monitor, available_metrics};
    use crate::evaluate::{ClassNames, evaluate_clarity};
    use crate::heads::{HeadKind, clarity_names, evasion_names};
    use crate::train::references;

    /// One example with every label, as the tokenize stage writes it from a table with label
    /// and annotator columns.
    fn labelled_validation() -> TokenizedDataset {
        let meta: TokensMeta = serde_json::from_value(serde_json::json!({
            "format": "clarity-tokens", "version": 2, "examples": 1, "records": 0,
            "tokens": 0, "example_ids": ["0"], "pad_id": 1, "max_length": 64,
            "truncation": "longest_first", "stride": null, "template": "{text}",
            "pair_template": null, "tokenizer": "t", "source": "s",
            "has_evasion": true, "has_clarity": true, "has_annotators": true,
            "evasion_classes": [], "clarity_classes": [], "truncated_examples": 0
        }))
        .expect("a complete TokensMeta");
        let label = EvasionLabel::Dodging;
        let votes = AnnotatorVotes::new([Some(label), None, Some(EvasionLabel::General)]);
        let record = Record {
            example: 0,
            type0_len: 3,
            window: 0,
            labels: ExampleLabels {
                evasion: Some(label),
                clarity: Some(label.clarity()),
                annotators: votes.set(),
            },
            votes,
        };
        TokenizedDataset::new(meta, vec![(record, vec![0, 7, 2])])
    }

    #[test]
    fn every_monitor_the_schema_offers_is_computed_by_validation() {
        let validation = labelled_validation();
        let (clarity, evasion) = (clarity_names(), evasion_names());
        let names = ClassNames {
            clarity: &clarity,
            evasion: &evasion,
        };
        let mut computed = evaluate_clarity(&references(&validation), &[0], Some(&[0]), names)
            .expect("one prediction for one example")
            .summary();
        computed.insert("loss".into(), 0.0);
        for kind in [HeadKind::Hierarchical, HeadKind::Multitask] {
            let available = available_metrics(kind, &validation);
            for name in Monitor::NAMES {
                assert!(
                    available.iter().any(|a| a == name),
                    "`{name}` is offered but validation of a {} head never computes it",
                    kind.name()
                );
            }
            for name in &available {
                assert!(
                    computed.contains_key(name),
                    "`{name}` is declared available but validation's scores lack it"
                );
            }
        }
    }
}
