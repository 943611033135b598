//! `gelu(x + bias)` and its backward.

use rayon::prelude::*;

use super::{ROWS_PER_TASK, sum_partials};

/// `1 / sqrt(2)`.
const FRAC_1_SQRT_2: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// `1 / sqrt(2π)`.
const INV_SQRT_2PI: f32 = 0.398_942_3;

/// Exact GELU, as flex computes it: `0.5 * x * (1 + erf(x / sqrt 2))`.
#[inline]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + libm::erff(x * FRAC_1_SQRT_2))
}

/// The derivative of exact GELU, as flex's `gelu_backward` computes it.
#[inline]
fn gelu_grad(x: f32) -> f32 {
    let cdf = 0.5 * (1.0 + libm::erff(x * FRAC_1_SQRT_2));
    let pdf = INV_SQRT_2PI * (-0.5 * x * x).exp();
    cdf + x * pdf
}

/// In place: `h = x + bias` (kept in `x`), returns `gelu(h)`.
pub fn bias_gelu_forward(x: &mut [f32], bias: &[f32], keep_pre_activation: bool) -> Vec<f32> {
    let d = bias.len();
    let mut out = vec![0.0f32; x.len()];
    x.par_chunks_mut(d * ROWS_PER_TASK)
        .zip(out.par_chunks_mut(d * ROWS_PER_TASK))
        .for_each(|(x, out)| {
            for (x, out) in x.chunks_exact_mut(d).zip(out.chunks_exact_mut(d)) {
                for ((x, o), b) in x.iter_mut().zip(out.iter_mut()).zip(bias) {
                    let h = *x + *b;
                    if keep_pre_activation {
                        *x = h;
                    }
                    *o = gelu(h);
                }
            }
        });
    out
}

/// Given the pre-activation `h` and the output gradient, returns `(dh, dbias)`.
pub fn bias_gelu_backward(h: &[f32], grad: &[f32], d: usize) -> (Vec<f32>, Vec<f32>) {
    let mut dh = vec![0.0f32; h.len()];
    let partials: Vec<Vec<f32>> = dh
        .par_chunks_mut(d * ROWS_PER_TASK)
        .zip(h.par_chunks(d * ROWS_PER_TASK))
        .zip(grad.par_chunks(d * ROWS_PER_TASK))
        .map(|((dh, h), g)| {
            let mut db = vec![0.0f32; d];
            for ((dh, h), g) in dh
                .chunks_exact_mut(d)
                .zip(h.chunks_exact(d))
                .zip(g.chunks_exact(d))
            {
                for (((dh, h), g), db) in dh.iter_mut().zip(h).zip(g).zip(db.iter_mut()) {
                    let v = *g * gelu_grad(*h);
                    *dh = v;
                    *db += v;
                }
            }
            db
        })
        .collect();
    (dh, sum_partials(partials, d))
}
