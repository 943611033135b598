//! Training parity with HF transformers (fixture `train` section): five steps of this crate's
//! AdamW (lr 1e-3, weight decay 0.01 on all parameters, no schedule) with this crate's
//! cross-entropy reproduce the losses before each step and the logits after the fifth. The
//! model is the CLARITY `direct` model (the fixtures' heads have its 3 classes): HF's
//! `*ForSequenceClassification`, head included.

use std::path::PathBuf;

use burn::backend::{Autodiff, Flex};
use burn::module::AutodiffModule;
use burn::tensor::{Int, Tensor, TensorData, backend::Backend};
use clarity_models::{ModelOptions, SequenceClassifier};
use clarity_train::heads::ClarityClassifier;
use clarity_train::loss::CrossEntropyLoss;
use clarity_train::optim::{AdamW, AdamWConfig, DecayPolicy, Gradients};
use serde_json::Value;

type B = Autodiff<Flex>;

fn fixture(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures")
    .join(name)
}

fn int_tensor<const D: usize>(value: &Value, shape: [usize; D]) -> Tensor<B, D, Int> {
    let flat: Vec<i64> = flatten(value).into_iter().map(|v| v as i64).collect();
    Tensor::from_data(TensorData::new(flat, shape), &Default::default())
}

fn flatten(value: &Value) -> Vec<f64> {
    match value {
        Value::Array(items) => items.iter().flat_map(flatten).collect(),
        other => vec![other.as_f64().expect("numbers only")],
    }
}

fn values<const D: usize, E: Backend>(t: Tensor<E, D>) -> Vec<f64> {
    t.into_data().convert::<f64>().to_vec().unwrap()
}

fn check(name: &str) {
    let dir = fixture(name);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let train = &expected["train"];
    let case = &expected["eval_cases"][0];
    let rows = case["input_ids"].as_array().unwrap().len();
    let cols = case["input_ids"][0].as_array().unwrap().len();
    let ids = int_tensor(&case["input_ids"], [rows, cols]);
    let mask = int_tensor(&case["attention_mask"], [rows, cols]);
    let labels = int_tensor(&train["labels"], [rows]);

    let device = Default::default();
    let (model, _, _) =
        SequenceClassifier::<B>::from_pretrained(&dir, &ModelOptions::default(), &device).unwrap();
    let mut model = ClarityClassifier::Direct(model);
    let mut optim = AdamW::<Flex>::new(AdamWConfig {
        weight_decay: 0.01,
        decay: DecayPolicy::All,
        ..AdamWConfig::default()
    });
    let loss_fn = CrossEntropyLoss::new();
    let hf_losses = flatten(&train["losses_before_each_step"]);
    assert_eq!(hf_losses.len(), 5);
    let mut max_loss_diff = 0.0f64;
    for (step, hf_loss) in hf_losses.iter().enumerate() {
        let logits = model.forward(ids.clone(), mask.clone()).clarity.unwrap();
        let loss = loss_fn.forward(logits, labels.clone());
        let value = values(loss.clone())[0];
        max_loss_diff = max_loss_diff.max((value - hf_loss).abs());
        assert!(
            (value - hf_loss).abs() <= 1e-4,
            "{name}: loss before step {step} is {value}, HF {hf_loss}"
        );
        let grads = Gradients::from_backward::<B, _>(&model, loss.backward());
        if step == 0 {
            let norm = grads.global_norm();
            let hf_norm = train["grad_global_norm_step0"].as_f64().unwrap();
            assert!(
                ((norm - hf_norm) / hf_norm).abs() <= 1e-4,
                "{name}: global gradient norm {norm}, HF {hf_norm}"
            );
        }
        model = optim.step(1e-3, model, grads);
    }
    let logits = model
        .valid()
        .forward(ids.inner(), mask.inner())
        .clarity
        .unwrap();
    let hf = flatten(&train["logits_after_5_steps"]);
    let got = values(logits);
    let diff = got
        .iter()
        .zip(&hf)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert_eq!(got.len(), hf.len());
    eprintln!(
        "{name}: max |loss - HF| {max_loss_diff:.2e}, max |logits after 5 steps - HF| {diff:.2e}"
    );
    assert!(
        diff <= 1e-4,
        "{name}: logits after 5 steps differ by {diff}"
    );
}

#[test]
fn five_adamw_steps_match_hf_on_tiny_roberta() {
    check("tiny_roberta");
}

#[test]
fn five_adamw_steps_match_hf_on_tiny_deberta_v3() {
    check("tiny_deberta_v3");
}
