//! Training-mode parity with HF transformers (fixture `train` section) on every CPU backend
//! built in: the loss, the global gradient norm and the classifier gradients at step 0 (1e-4
//! relative), then five AdamW steps of losses and logits (1e-4).

mod common;

use burn::tensor::backend::Backend;
use clarity_models::Precision;
use common::training::{TrainTolerances, check_training};

const TOLERANCES: TrainTolerances = TrainTolerances {
    loss: 1e-4,
    grad_norm: 1e-4,
    classifier_grads: 1e-4,
    logits_after: 1e-4,
};

fn autodiff_cases<B: Backend>(device: B::Device, backend: &str) {
    for name in common::MODELS {
        check_training::<burn::backend::Autodiff<B>>(
            &device,
            backend,
            name,
            Precision::F32,
            TOLERANCES,
        );
    }
}

#[test]
fn training_step_matches_hf_transformers() {
    for_each_cpu_backend!(autodiff_cases);
}
