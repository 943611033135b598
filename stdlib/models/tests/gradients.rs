//! Training-mode parity with HF transformers (fixture `train` section): the loss, the global
//! gradient norm and the classifier gradients at step 0 (1e-4 relative), then five AdamW
//! steps (torch.optim.AdamW semantics, weight decay on all parameters) of losses and logits.

mod common;

use burn::module::{AutodiffModule, Module, ModuleVisitor, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Int, Tensor, TensorData};
use clarity_models::{ModelOptions, SequenceClassifier};
use common::*;

/// Gradients of every float parameter, keyed by Burn module path.
struct GradCollector<'a, B: AutodiffBackend> {
    grads: &'a B::Gradients,
    path: Vec<String>,
    out: Vec<(String, Vec<usize>, Vec<f32>)>,
    without_grad: Vec<String>,
}

impl<B: AutodiffBackend> ModuleVisitor<B> for GradCollector<'_, B> {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        if !container_type.starts_with("Enum:") {
            self.path.push(name.to_string());
        }
    }

    fn exit_module(&mut self, _name: &str, container_type: &str) {
        if !container_type.starts_with("Enum:") {
            self.path.pop();
        }
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
        match param.val().grad(self.grads) {
            Some(grad) => {
                let shape = grad.dims().to_vec();
                self.out.push((self.path.join("."), shape, values(grad)));
            }
            None => self.without_grad.push(self.path.join(".")),
        }
    }
}

fn labels<B: Backend>(expected: &serde_json::Value, device: &B::Device) -> Tensor<B, 1, Int> {
    let labels: Vec<i64> = serde_json::from_value(expected["train"]["labels"].clone()).unwrap();
    let n = labels.len();
    Tensor::from_data(TensorData::new(labels, [n]), device)
}

/// The HF gradient of a classifier tensor in Burn's layout (Linear weights transposed).
fn hf_grad_in_burn_layout(value: &serde_json::Value) -> Vec<f64> {
    if value.as_array().unwrap()[0].is_array() {
        let rows: Vec<Vec<f64>> = serde_json::from_value(value.clone()).unwrap();
        let (r, c) = (rows.len(), rows[0].len());
        (0..c)
            .flat_map(|j| (0..r).map(move |i| (i, j)))
            .map(|(i, j)| rows[i][j])
            .collect()
    } else {
        serde_json::from_value(value.clone()).unwrap()
    }
}

fn burn_path(hf_key: &str) -> String {
    clarity_models::weights::hf_to_burn(hf_key)
}

fn relative_max_diff(actual: &[f32], expected: &[f64]) -> f64 {
    let scale = expected.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    max_abs_diff(actual, expected) / scale
}

fn check_training<B: AutodiffBackend>(device: B::Device, backend: &str) {
    for name in MODELS {
        let dir = fixture_dir(name);
        let expected = expected(name);
        let train = &expected["train"];
        let case = &eval_cases(name)[0];
        let options = ModelOptions::default();
        let (mut model, _, _) =
            SequenceClassifier::<B>::from_pretrained(&dir, &options, &device).unwrap();
        let ids = int_tensor::<B>(&case.input_ids, &device);
        let mask = int_tensor::<B>(&case.attention_mask, &device);
        let targets = labels::<B>(&expected, &device);
        let loss_fn = CrossEntropyLossConfig::new().init(&device);
        let mut optim = AdamWConfig::new()
            .with_beta_1(0.9)
            .with_beta_2(0.999)
            .with_epsilon(1e-8)
            .with_weight_decay(0.01)
            .init::<B, SequenceClassifier<B>>();
        let losses: Vec<f64> =
            serde_json::from_value(train["losses_before_each_step"].clone()).unwrap();
        for (step, expected_loss) in losses.iter().enumerate() {
            let out = model.forward(ids.clone(), mask.clone());
            let loss = loss_fn.forward(out.logits, targets.clone());
            let loss_value = f64::from(values(loss.clone())[0]);
            assert!(
                (loss_value - expected_loss).abs() <= 1e-4,
                "{name} on {backend}: loss before step {step} is {loss_value}, HF {expected_loss}"
            );
            let grads = loss.backward();
            if step == 0 {
                let mut collector = GradCollector::<B> {
                    grads: &grads,
                    path: Vec::new(),
                    out: Vec::new(),
                    without_grad: Vec::new(),
                };
                model.visit(&mut collector);
                assert!(
                    collector.without_grad.is_empty(),
                    "{name} on {backend}: parameters without gradient: {:?}",
                    collector.without_grad
                );
                let norm = collector
                    .out
                    .iter()
                    .flat_map(|(_, _, g)| g.iter().map(|v| f64::from(*v).powi(2)))
                    .sum::<f64>()
                    .sqrt();
                let hf_norm = train["grad_global_norm_step0"].as_f64().unwrap();
                assert!(
                    ((norm - hf_norm) / hf_norm).abs() <= 1e-4,
                    "{name} on {backend}: global grad norm {norm}, HF {hf_norm}"
                );
                for (hf_key, hf_grad) in train["classifier_grads_step0"].as_object().unwrap() {
                    let want = burn_path(hf_key);
                    let (_, _, grad) = collector
                        .out
                        .iter()
                        .find(|(path, _, _)| *path == want)
                        .unwrap_or_else(|| panic!("no gradient for {want}"));
                    let rel = relative_max_diff(grad, &hf_grad_in_burn_layout(hf_grad));
                    assert!(
                        rel <= 1e-4,
                        "{name} on {backend}: grad of {hf_key} off by {rel} (relative)"
                    );
                }
            }
            let grads = GradientsParams::from_grads(grads, &model);
            model = optim.step(1e-3, model, grads);
        }
        let logits = model.valid().forward(ids.inner(), mask.inner()).logits;
        let hf: Vec<Vec<f64>> =
            serde_json::from_value(train["logits_after_5_steps"].clone()).unwrap();
        let hf: Vec<f64> = hf.into_iter().flatten().collect();
        let diff = max_abs_diff(&values(logits), &hf);
        assert!(
            diff <= 1e-4,
            "{name} on {backend}: logits after 5 steps differ by {diff}"
        );
    }
}

fn autodiff_cases<B: Backend>(device: B::Device, backend: &str) {
    check_training::<burn::backend::Autodiff<B>>(device, backend);
}

#[test]
fn training_step_matches_hf_transformers() {
    for_each_cpu_backend!(autodiff_cases);
}
