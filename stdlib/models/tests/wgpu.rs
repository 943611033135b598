//! The HF parity checks of `parity.rs` and `gradients.rs` on the wgpu backend (fusion and
//! autotune on, as the `wgpu` feature builds them), on the Vulkan adapter; in CI that is
//! Mesa's software device lavapipe (`.ci/lavapipe` installs it). Then f16 where the adapter
//! has `SHADER_F16`: a forward and five mixed-precision training steps.
//!
//! Run with `cargo test -p clarity-models --features wgpu --test wgpu -- --nocapture` to see
//! the differences reached. The tolerances are the brief's bounds; what lavapipe (Mesa 22.3.6,
//! LLVM 15, 2 shared cores) reached on 2026-11-27:
//! - forward, f32: logits 8.4e-9, hidden 7.2e-7 (real tokens and padding alike);
//! - training, f32 (tiny_roberta; DeBERTa not finished within the 500 s tried): losses
//!   2.4e-7, step-0 grad norm 1.8e-8 and classifier grads 2.9e-5 (relative), logits after 5
//!   steps 1.2e-7; 134 s with `CUBECL_AUTOTUNE_LEVEL=minimal` (as `.ci/run` sets it);
//! - f16: not measured (see the ignored test).
#![cfg(feature = "wgpu")]

mod common;

use std::sync::OnceLock;

use burn::backend::wgpu::WgpuDevice;
use burn::backend::{Autodiff, Wgpu};
use burn::tensor::DType;
use burn::tensor::backend::Backend;
use clarity_models::Precision;
use clarity_models::device::{GraphicsApi, wgpu_device};
use common::MODELS;
use common::forward::{ForwardTolerances, check_all_models};
use common::training::{TrainTolerances, check_training};

const FORWARD: ForwardTolerances = ForwardTolerances {
    logits: 1e-4,
    hidden: 1e-3,
    hidden_with_padding: Some(1e-3),
};

const TRAIN: TrainTolerances = TrainTolerances {
    loss: 1e-3,
    grad_norm: 1e-3,
    classifier_grads: 1e-3,
    logits_after: 1e-3,
};

const F16_FORWARD: ForwardTolerances = ForwardTolerances {
    logits: 1e-1,
    hidden: 1e-1,
    hidden_with_padding: None,
};

const F16_TRAIN: TrainTolerances = TrainTolerances {
    loss: 1e-1,
    grad_norm: 1e-1,
    classifier_grads: 1e-1,
    logits_after: 1e-1,
};

/// The Vulkan adapter, set up once through clarity's own device code.
fn device() -> WgpuDevice {
    static ADAPTER: OnceLock<String> = OnceLock::new();
    let (device, adapter) = wgpu_device(GraphicsApi::Vulkan).unwrap_or_else(|e| {
        panic!("{e}: these tests need a Vulkan device (CPU-only: run .ci/lavapipe)")
    });
    ADAPTER.get_or_init(|| {
        eprintln!("wgpu adapter: {adapter}");
        adapter
    });
    device
}

#[test]
fn eval_outputs_match_hf_transformers_on_wgpu() {
    let device = device();
    for (name, diffs) in check_all_models::<Wgpu>(&device, "wgpu", Precision::F32, FORWARD) {
        eprintln!("{name} f32 forward: {diffs:?}");
    }
}

fn training_matches_hf_transformers_on_wgpu(name: &str) {
    let device = device();
    let diffs = check_training::<Autodiff<Wgpu>>(&device, "wgpu", name, Precision::F32, TRAIN);
    eprintln!("{name} f32 training: {diffs:?}");
}

#[test]
fn roberta_training_matches_hf_transformers_on_wgpu() {
    training_matches_hf_transformers_on_wgpu("tiny_roberta");
}

// Ignored in CI: on lavapipe every new kernel is compiled by LLVM on the CPU, and DeBERTa's
// backward pass has many; it did not finish within 500 s on 2 shared cores (2026-11-27).
#[test]
#[ignore = "slow on lavapipe (> 8 minutes on 2 cores); run with --ignored on a real GPU"]
fn deberta_training_matches_hf_transformers_on_wgpu() {
    training_matches_hf_transformers_on_wgpu("tiny_deberta_v3");
}

// Ignored: on lavapipe (2 shared cores) this test had not finished after 10 minutes
// (2026-11-27); not yet known whether the f16 kernels hang or are only slow there.
#[test]
#[ignore = "did not finish within 10 minutes on lavapipe; run with --ignored on a GPU"]
fn f16_forward_and_training_stay_close_to_hf_on_wgpu() {
    let device = device();
    if !<Wgpu as Backend>::supports_dtype(&device, DType::F16) {
        eprintln!("skipped: the wgpu adapter lacks SHADER_F16 (no f16 arithmetic)");
        return;
    }
    for (name, diffs) in check_all_models::<Wgpu>(&device, "wgpu", Precision::F16, F16_FORWARD) {
        eprintln!("{name} f16 forward: {diffs:?}");
    }
    for name in MODELS {
        let diffs =
            check_training::<Autodiff<Wgpu>>(&device, "wgpu", name, Precision::F16, F16_TRAIN);
        eprintln!("{name} f16 training: {diffs:?}");
    }
}
