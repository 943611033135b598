//! `gelu(x + bias)` and its backward.

use rayon::prelude::*;

use super::{ROWS_PER_TASK, simd, sum_partials};

/// `1 / sqrt(2)`.
const FRAC_1_SQRT_2: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// `1 / sqrt(2π)`.
const INV_SQRT_2PI: f32 = 0.398_942_3;

/// `erf(x)` as a rational function on `[-4, 4]` (odd numerator of degree 13 over an even
/// denominator of degree 8; beyond, erf is ±1 in f32): at most 6.5e-8 from the exact value
/// there (libm's `erff` is within one ulp), and straight-line arithmetic that the compiler
/// vectorises, where `erff` is a branching scalar call that was ~5 % of an inference step.
#[inline(always)]
pub fn erf(x: f32) -> f32 {
    const ALPHA: [f32; 7] = [
        -2.726_142_3e-10,
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906e-4,
        -2.954_600_1e-3,
        -1.609_603_3e-2,
    ];
    const BETA: [f32; 5] = [
        -1.456_607_2e-5,
        -2.133_740_6e-4,
        -1.682_827e-3,
        -7.373_329_2e-3,
        -1.426_474e-2,
    ];
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = ALPHA[1..].iter().fold(ALPHA[0], |acc, c| acc * x2 + c);
    let q = BETA[1..].iter().fold(BETA[0], |acc, c| acc * x2 + c);
    x * p / q
}

/// Exact GELU: `0.5 * x * (1 + erf(x / sqrt 2))`.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * FRAC_1_SQRT_2))
}

/// The derivative of exact GELU, as flex's `gelu_backward` computes it.
#[inline(always)]
fn gelu_grad(x: f32) -> f32 {
    let cdf = 0.5 * (1.0 + erf(x * FRAC_1_SQRT_2));
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
            simd(|| {
                for (x, out) in x.chunks_exact_mut(d).zip(out.chunks_exact_mut(d)) {
                    for ((x, o), b) in x.iter_mut().zip(out.iter_mut()).zip(bias) {
                        let h = *x + *b;
                        if keep_pre_activation {
                            *x = h;
                        }
                        *o = gelu(h);
                    }
                }
            })
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
            simd(|| {
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
            });
            db
        })
        .collect();
    (dh, sum_partials(partials, d))
}
