//! What `clarity parity` checks against (tolerances) and what it reports.

use std::fmt;

use clarity_device::Backend as DeviceBackend;
use serde::Serialize;

use super::{EvalDiff, GradDiff, TrainReference, TrainTrace, max_abs_diff};
use crate::Precision;

/// The tolerances of a parity check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerances {
    /// Eval logits, absolute.
    pub logits: f64,
    /// Eval `last_hidden_state`, absolute.
    pub hidden: f64,
    /// Each training loss, absolute, against HF's (f32) losses.
    pub loss: f64,
    /// Step-0 gradients (global norm, classifier), relative. In f16/bf16 only a sanity bound
    /// (1): half-precision gradients of a tiny model are off by 5-40% of their largest value.
    pub grad: f64,
    /// Logits after the training steps, absolute.
    pub logits_after: f64,
}

impl Tolerances {
    /// The tolerances of `clarity parity` on a backend: [`Self::for_precision`], except f32 on
    /// CUDA, whose f32 matmuls Burn's autotune may run on TF32 tensor cores (10-bit mantissa,
    /// like PyTorch with `torch.backends.cuda.matmul.allow_tf32 = True`). Measured on an H200:
    /// DeBERTa hidden states 1.6e-3 off HF's, RoBERTa step-0 gradients 1.0e-2 relative, where
    /// Vulkan on the same card (plain f32) reached 6e-7.
    pub fn for_run(backend: DeviceBackend, precision: Precision) -> Self {
        match (backend, precision) {
            (DeviceBackend::Cuda, Precision::F32) => Self {
                hidden: 5e-3,
                grad: 3e-2,
                ..Self::for_precision(precision)
            },
            _ => Self::for_precision(precision),
        }
    }

    /// Whether f32 matmuls may run as TF32 on this backend.
    pub fn tf32_matmuls(backend: DeviceBackend, precision: Precision) -> bool {
        backend == DeviceBackend::Cuda && precision == Precision::F32
    }

    /// The defaults of `clarity parity`: looser than the CPU tests' (1e-5 logits, 1e-4 loss)
    /// for GPU reductions, and for half precisions by the loss of mantissa bits.
    pub fn for_precision(precision: Precision) -> Self {
        match precision {
            Precision::F32 => Self {
                logits: 1e-4,
                hidden: 1e-3,
                loss: 1e-3,
                grad: 1e-3,
                logits_after: 1e-3,
            },
            Precision::F16 => Self {
                logits: 1e-2,
                hidden: 5e-2,
                loss: 1e-2,
                grad: 1.0,
                logits_after: 2e-2,
            },
            Precision::Bf16 => Self {
                logits: 5e-2,
                hidden: 2e-1,
                loss: 1e-2,
                grad: 1.0,
                logits_after: 5e-2,
            },
        }
    }
}

/// One eval case's result.
#[derive(Debug, Clone, Serialize)]
pub struct EvalCheck {
    /// Index in `eval_cases`.
    pub case: usize,
    /// The differences.
    #[serde(flatten)]
    pub diff: EvalDiff,
    /// Within tolerance.
    pub pass: bool,
}

impl EvalCheck {
    /// Case `case`'s differences judged by `tol`.
    pub fn of(case: usize, diff: EvalDiff, tol: &Tolerances) -> Self {
        Self {
            case,
            diff,
            pass: diff.logits <= tol.logits && diff.hidden <= tol.hidden,
        }
    }
}

/// The training steps' result.
#[derive(Debug, Clone, Serialize)]
pub struct TrainCheck {
    /// Our loss before each step.
    pub losses: Vec<f64>,
    /// HF's.
    pub hf_losses: Vec<f64>,
    /// Largest loss difference.
    pub max_loss_diff: f64,
    /// Step-0 gradients against HF's.
    pub grads: GradDiff,
    /// The largest relative step-0 gradient difference ([`GradDiff::max_rel`]).
    pub max_grad_rel: f64,
    /// Largest logits difference after the steps.
    pub logits_after_diff: f64,
    /// Within tolerance.
    pub pass: bool,
}

impl TrainCheck {
    /// Our training `trace` against HF's reference `hf`, judged by `tol`.
    pub fn of(trace: TrainTrace, hf: &TrainReference, tol: &Tolerances) -> Self {
        let max_loss_diff = trace
            .losses
            .iter()
            .zip(&hf.losses_before_each_step)
            .map(|(ours, theirs)| (ours - theirs).abs())
            .map(|d| if d.is_nan() { f64::INFINITY } else { d })
            .fold(0.0, f64::max);
        let grads = GradDiff::of(&trace.step0, hf);
        let hf_after: Vec<f64> = hf.logits_after_5_steps.iter().flatten().copied().collect();
        let logits_after_diff = max_abs_diff(&trace.logits_after, &hf_after);
        Self {
            pass: max_loss_diff <= tol.loss
                && grads.max_rel() <= tol.grad
                && logits_after_diff <= tol.logits_after,
            losses: trace.losses,
            hf_losses: hf.losses_before_each_step.clone(),
            max_loss_diff,
            max_grad_rel: grads.max_rel(),
            grads,
            logits_after_diff,
        }
    }
}

/// What `clarity parity` prints.
#[derive(Debug, Clone, Serialize)]
pub struct ParityReport {
    /// The fixture directory.
    pub fixture: String,
    /// Resolved device.
    pub device: String,
    /// Float precision.
    pub precision: String,
    /// Attention path asked for.
    pub attention: String,
    /// The tolerances applied.
    pub tolerances: Tolerances,
    /// f32 matmuls may run as TF32 (CUDA), so `tolerances` are TF32's.
    pub tf32_matmuls: bool,
    /// Eval-mode cases.
    pub eval: Vec<EvalCheck>,
    /// Training steps: `None` when skipped or the fixture has no `train` section.
    pub train: Option<TrainCheck>,
    /// Every check within tolerance.
    pub pass: bool,
}

fn mark(pass: bool) -> &'static str {
    if pass { "ok" } else { "FAIL" }
}

impl fmt::Display for ParityReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tol = &self.tolerances;
        writeln!(
            f,
            "{} on {} ({}{}, {} attention): {}",
            self.fixture,
            self.device,
            self.precision,
            if self.tf32_matmuls {
                " with TF32 matmuls"
            } else {
                ""
            },
            self.attention,
            if self.pass { "PASS" } else { "FAIL" }
        )?;
        for c in &self.eval {
            writeln!(
                f,
                "  eval case {}: logits {:.2e} (tol {:.0e}), hidden {:.2e} (tol {:.0e}) {}",
                c.case,
                c.diff.logits,
                tol.logits,
                c.diff.hidden,
                tol.hidden,
                mark(c.pass)
            )?;
        }
        match &self.train {
            None => writeln!(f, "  training: not checked")?,
            Some(t) => {
                let losses: Vec<String> = t.losses.iter().map(|l| format!("{l:.5}")).collect();
                writeln!(
                    f,
                    "  training: losses [{}], max diff {:.2e} (tol {:.0e}); step-0 grads {:.2e} relative (tol {:.0e}); logits after {:.2e} (tol {:.0e}) {}",
                    losses.join(", "),
                    t.max_loss_diff,
                    tol.loss,
                    t.max_grad_rel,
                    tol.grad,
                    t.logits_after_diff,
                    tol.logits_after,
                    mark(t.pass)
                )?;
                if !t.grads.without_grad.is_empty() {
                    writeln!(f, "  without gradient: {}", t.grads.without_grad.join(", "))?;
                }
            }
        }
        Ok(())
    }
}
