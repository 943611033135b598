//! Training-mode parity with HF transformers (fixture `train` section), generic over backend,
//! compute precision and tolerances: the loss, the global gradient norm and the classifier
//! gradients at step 0, then five AdamW steps (torch.optim.AdamW semantics, weight decay on
//! all parameters) of losses and the logits after them.

use burn::module::{AutodiffModule, ModuleMapper, Param};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamWConfig, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{DType, Int, Tensor, TensorData};
use clarity_models::commands::parity::collect_grads;
use clarity_models::{ModelOptions, Precision, SequenceClassifier, ToDType};

use super::*;

/// The largest differences a backend may show against HF.
#[derive(Debug, Clone, Copy)]
pub struct TrainTolerances {
    /// |loss - HF loss| before each of the five steps.
    pub loss: f64,
    /// Relative difference of the step-0 global gradient norm.
    pub grad_norm: f64,
    /// Largest classifier-gradient difference at step 0, relative to HF's largest magnitude.
    pub classifier_grads: f64,
    /// Logits after the five steps.
    pub logits_after: f64,
}

/// The largest differences seen on one fixture.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrainDiffs {
    pub loss: f64,
    pub grad_norm: f64,
    pub classifier_grads: f64,
    pub logits_after: f64,
}

/// A copy of `module` whose float parameters are cast to `dtype`, keeping their ids so
/// its gradients step the original (mixed precision, as clarity-train's trainer does).
fn compute_copy<B: AutodiffBackend, M: AutodiffModule<B>>(module: &M, dtype: DType) -> M {
    struct Cast(DType);
    impl<B: AutodiffBackend> ModuleMapper<B> for Cast {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
            let dtype = self.0;
            param.map(|tensor| Tensor::from_inner(tensor.inner().cast(dtype)).require_grad())
        }
    }
    module.clone().map(&mut Cast(dtype))
}

fn labels<B: Backend>(expected: &serde_json::Value, device: &B::Device) -> Tensor<B, 1, Int> {
    let labels: Vec<i64> = serde_json::from_value(expected["train"]["labels"].clone()).unwrap();
    let n = labels.len();
    Tensor::from_data(TensorData::new(labels, [n]), device)
}

/// Trains fixture `name` for the fixture's five steps with f32 master weights and the
/// forward/backward in `compute`, checking each figure against HF; returns the differences.
pub fn check_training<B: AutodiffBackend>(
    device: &B::Device,
    backend: &str,
    name: &str,
    compute: Precision,
    tol: TrainTolerances,
) -> TrainDiffs {
    let dir = fixture_dir(name);
    let expected = expected(name);
    let train = &expected["train"];
    let case = &eval_cases(name)[0];
    let what = format!("{name} on {backend} ({compute} compute)");
    let (mut model, _, _) =
        SequenceClassifier::<B>::from_pretrained(&dir, &ModelOptions::default(), device).unwrap();
    let ids = int_tensor::<B>(&case.input_ids, device);
    let mask = int_tensor::<B>(&case.attention_mask, device);
    let targets = labels::<B>(&expected, device);
    let loss_fn = CrossEntropyLossConfig::new().init(device);
    let mut optim = AdamWConfig::new()
        .with_beta_1(0.9)
        .with_beta_2(0.999)
        .with_epsilon(1e-8)
        .with_weight_decay(0.01)
        .init::<B, SequenceClassifier<B>>();
    let losses: Vec<f64> =
        serde_json::from_value(train["losses_before_each_step"].clone()).unwrap();
    let mut seen = TrainDiffs::default();
    for (step, expected_loss) in losses.iter().enumerate() {
        let half = (compute != Precision::F32).then(|| compute_copy(&model, compute.dtype()));
        let logits = half
            .as_ref()
            .unwrap_or(&model)
            .forward(ids.clone(), mask.clone())
            .logits;
        assert_eq!(logits.dtype(), compute.dtype(), "{what}");
        let loss = loss_fn.forward(logits.cast(DType::F32), targets.clone());
        let loss_value = f64::from(values(loss.clone())[0]);
        let d_loss = (loss_value - expected_loss).abs();
        assert!(
            d_loss <= tol.loss,
            "{what}: loss before step {step} is {loss_value}, HF {expected_loss}"
        );
        seen.loss = seen.loss.max(d_loss);
        let grads = loss.backward();
        let (collected, params) = collect_grads(half.as_ref().unwrap_or(&model), &grads, step == 0);
        assert!(
            collected.without_grad.is_empty(),
            "{what}: parameters without gradient: {:?}",
            collected.without_grad
        );
        if step == 0 {
            let norm = collected.global_norm();
            let hf_norm = train["grad_global_norm_step0"].as_f64().unwrap();
            seen.grad_norm = ((norm - hf_norm) / hf_norm).abs();
            assert!(
                seen.grad_norm <= tol.grad_norm,
                "{what}: global grad norm {norm}, HF {hf_norm}"
            );
            for (hf_key, hf_grad) in train["classifier_grads_step0"].as_object().unwrap() {
                let want = clarity_models::weights::hf_to_burn(hf_key);
                let grad = collected
                    .get(&want)
                    .unwrap_or_else(|| panic!("no gradient for {want}"));
                let rel = relative_max_diff(
                    grad,
                    &hf_grad_in_burn_layout(hf_grad).expect("an HF gradient"),
                );
                assert!(
                    rel <= tol.classifier_grads,
                    "{what}: grad of {hf_key} off by {rel} (relative)"
                );
                seen.classifier_grads = seen.classifier_grads.max(rel);
            }
        }
        model = optim.step(1e-3, model, params);
    }
    let logits = model.valid().forward(ids.inner(), mask.inner()).logits;
    let hf: Vec<Vec<f64>> = serde_json::from_value(train["logits_after_5_steps"].clone()).unwrap();
    let hf: Vec<f64> = hf.into_iter().flatten().collect();
    seen.logits_after = max_abs_diff(&values(logits), &hf);
    assert!(
        seen.logits_after <= tol.logits_after,
        "{what}: logits after 5 steps differ by {}",
        seen.logits_after
    );
    seen
}
