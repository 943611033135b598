//! Training vs evaluation mode (dropout), precisions, and attention paths.

mod common;

use burn::backend::Autodiff;
use burn::module::AutodiffModule;
use burn::tensor::DType;
use burn::tensor::backend::Backend;
use clarity_models::config::ModelConfig;
use clarity_models::nn::{ResolvedAttention, resolve_attention};
use clarity_models::{Attention, ModelOptions, Precision, SequenceClassifier, ToDType};
use common::*;

/// The tiny RoBERTa fixture with every dropout set to `p`.
fn with_dropout(name: &str, p: f64) -> ModelConfig {
    let mut config = ModelConfig::from_dir(&fixture_dir(name)).unwrap();
    config.set_dropout(p);
    config
}

fn dropout_is_real_in_training_only<B: Backend>(device: B::Device, backend: &str) {
    for name in MODELS {
        let config = with_dropout(name, 0.3);
        let options = ModelOptions::default();
        let case = &eval_cases(name)[0];
        let model = SequenceClassifier::<Autodiff<B>>::init(&config, &options, &device);
        let ids = int_tensor::<Autodiff<B>>(&case.input_ids, &device);
        let mask = int_tensor::<Autodiff<B>>(&case.attention_mask, &device);
        let a = values(model.forward(ids.clone(), mask.clone()).last_hidden_state);
        let b = values(model.forward(ids.clone(), mask.clone()).last_hidden_state);
        assert_ne!(
            a, b,
            "{name} on {backend}: training forwards must differ (dropout)"
        );

        let eval = model.valid();
        let a = values(
            eval.forward(ids.clone().inner(), mask.clone().inner())
                .last_hidden_state,
        );
        let b = values(eval.forward(ids.inner(), mask.inner()).last_hidden_state);
        assert_eq!(
            a, b,
            "{name} on {backend}: eval forwards must be deterministic"
        );
    }
}

#[test]
fn dropout_is_active_on_autodiff_and_off_in_eval() {
    for_each_cpu_backend!(dropout_is_real_in_training_only);
}

#[test]
fn attention_dropout_forces_the_eager_path() {
    assert_eq!(
        resolve_attention(Attention::Auto, false),
        ResolvedAttention::Fused
    );
    assert_eq!(
        resolve_attention(Attention::Fused, false),
        ResolvedAttention::Fused
    );
    assert_eq!(
        resolve_attention(Attention::Eager, false),
        ResolvedAttention::Eager
    );
    assert_eq!(
        resolve_attention(Attention::Auto, true),
        ResolvedAttention::Eager
    );
    assert_eq!(
        resolve_attention(Attention::Fused, true),
        ResolvedAttention::Eager
    );
    for (text, value) in [
        ("auto", Attention::Auto),
        ("sdpa", Attention::Fused),
        ("EAGER", Attention::Eager),
    ] {
        assert_eq!(text.parse::<Attention>().unwrap(), value);
    }
    assert!("flash".parse::<Attention>().is_err());
}

fn half_precisions_run_close_to_f32<B: Backend>(device: B::Device, backend: &str) {
    for name in MODELS {
        for (precision, tol) in [(Precision::F16, 2e-3), (Precision::Bf16, 2e-2)] {
            if backend == "candle" && precision == Precision::Bf16 {
                continue;
            }
            let options = ModelOptions::default().with_precision(precision);
            let (model, _, report) =
                SequenceClassifier::<B>::from_pretrained(&fixture_dir(name), &options, &device)
                    .unwrap();
            assert_eq!(report.cast_from, vec!["F32".to_string()]);
            let case = &eval_cases(name)[1];
            let out = model.forward(
                int_tensor::<B>(&case.input_ids, &device),
                int_tensor::<B>(&case.attention_mask, &device),
            );
            assert_eq!(out.logits.dtype(), precision.dtype(), "{name} on {backend}");
            let logits = values(out.logits);
            assert!(
                logits.iter().all(|v| v.is_finite()),
                "{name} {precision} on {backend}: {logits:?}"
            );
            let hf: Vec<f64> = case.flat_logits();
            let d = max_abs_diff(&logits, &hf);
            assert!(
                d <= tol,
                "{name} {precision} on {backend}: logits differ by {d}"
            );
        }
    }
}

#[test]
fn f16_and_bf16_models_run_close_to_hf() {
    for_each_cpu_backend!(half_precisions_run_close_to_f32);
}

#[test]
fn precision_names_parse() {
    for (text, value, dtype) in [
        ("f32", Precision::F32, DType::F32),
        ("fp16", Precision::F16, DType::F16),
        ("bf16", Precision::Bf16, DType::BF16),
    ] {
        let p: Precision = text.parse().unwrap();
        assert_eq!(p, value);
        assert_eq!(p.dtype(), dtype);
        assert_eq!(p.to_string().parse::<Precision>().unwrap(), p);
    }
    assert!("int8".parse::<Precision>().is_err());
}

/// On an autodiff backend (what `clarity forward` and `bench` build on), a half-precision
/// model's parameters are leaves that take gradients: casting them used to record a cast op
/// and panic ("Can't convert a non leaf tensor into a tracked tensor").
fn half_precision_parameters_are_trainable_leaves<B: Backend>(device: B::Device, backend: &str) {
    use burn::module::Module;
    for name in MODELS {
        for precision in [Precision::F16, Precision::Bf16] {
            if backend == "candle" && precision == Precision::Bf16 {
                continue;
            }
            let options = ModelOptions::default().with_precision(precision);
            let (model, _, _) = SequenceClassifier::<Autodiff<B>>::from_pretrained(
                &fixture_dir(name),
                &options,
                &device,
            )
            .unwrap();
            let case = &eval_cases(name)[0];
            let ids = int_tensor::<Autodiff<B>>(&case.input_ids, &device);
            let mask = int_tensor::<Autodiff<B>>(&case.attention_mask, &device);
            let out = model.forward(ids.clone(), mask.clone());
            assert_eq!(out.logits.dtype(), precision.dtype(), "{name} on {backend}");
            // Reduce in f32, as mixed-precision training does (candle's full sum of an f16
            // tensor reads its result as f32 and panics).
            let grads = out.logits.cast(burn::tensor::DType::F32).sum().backward();
            let mut with_grad = 0;
            let mut total = 0;
            model.visit(&mut CountGrads {
                grads: &grads,
                with_grad: &mut with_grad,
                total: &mut total,
            });
            assert!(
                total > 0 && with_grad == total,
                "{name} {precision} on {backend}: {with_grad}/{total} parameters got gradients"
            );
            // Evaluation drops autodiff and stays close to HF.
            let logits = values(model.valid().forward(ids.inner(), mask.inner()).logits);
            let d = max_abs_diff(&logits, &case.flat_logits());
            assert!(
                d <= 1e-3,
                "{name} {precision} on {backend}: logits differ by {d}"
            );
        }
    }
}

struct CountGrads<'a, B: burn::tensor::backend::AutodiffBackend> {
    grads: &'a <B as burn::tensor::backend::AutodiffBackend>::Gradients,
    with_grad: &'a mut usize,
    total: &'a mut usize,
}

impl<B: burn::tensor::backend::AutodiffBackend> burn::module::ModuleVisitor<B>
    for CountGrads<'_, B>
{
    fn visit_float<const D: usize>(
        &mut self,
        param: &burn::module::Param<burn::tensor::Tensor<B, D>>,
    ) {
        *self.total += 1;
        if param.val().grad(self.grads).is_some() {
            *self.with_grad += 1;
        }
    }
}

#[test]
fn half_precision_models_build_and_train_on_autodiff_backends() {
    for_each_cpu_backend!(half_precision_parameters_are_trainable_leaves);
}
