//! One AdamW update of a parameter, in place, in one parallel pass.

use rayon::prelude::*;

use super::simd;

/// Elements per rayon task.
const CHUNK: usize = 1 << 14;

/// The scalars of one AdamW update, already in f32 as the tensor ops would use them.
#[derive(Clone, Copy, Debug)]
pub struct AdamWScalars {
    /// `beta1`.
    pub beta1: f32,
    /// `1 - beta1`.
    pub one_minus_beta1: f32,
    /// `beta2`.
    pub beta2: f32,
    /// `1 - beta2`.
    pub one_minus_beta2: f32,
    /// `1 - lr * weight_decay` (`None`: no decay).
    pub decay: Option<f32>,
    /// `sqrt(1 - beta2^t)`.
    pub bias_correction2_sqrt: f32,
    /// `eps`.
    pub eps: f32,
    /// `lr / (1 - beta1^t)`.
    pub step_size: f32,
    /// Whether the moments start from zero (the first update).
    pub first: bool,
}

/// `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, `p ← p·decay − step_size·m / (√v / bc2 +
/// eps)`, element by element in the same order of f32 operations as the tensor-op
/// composition it replaces.
pub fn adamw_update(
    s: AdamWScalars,
    param: &mut [f32],
    grad: &[f32],
    m: &mut [f32],
    v: &mut [f32],
) {
    let n = param.len();
    assert!(
        grad.len() == n && m.len() == n && v.len() == n,
        "adamw lengths"
    );
    param
        .par_chunks_mut(CHUNK)
        .zip(grad.par_chunks(CHUNK))
        .zip(m.par_chunks_mut(CHUNK))
        .zip(v.par_chunks_mut(CHUNK))
        .for_each(|(((p, g), m), v)| {
            simd(|| {
                for (((p, g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                    let (mg, vg) = (*g * s.one_minus_beta1, (*g * *g) * s.one_minus_beta2);
                    if s.first {
                        (*m, *v) = (mg, vg);
                    } else {
                        (*m, *v) = (*m * s.beta1 + mg, *v * s.beta2 + vg);
                    }
                    let decayed = s.decay.map_or(*p, |d| *p * d);
                    let denom = v.sqrt() / s.bias_correction2_sqrt + s.eps;
                    *p = decayed - (*m / denom) * s.step_size;
                }
            })
        });
}
