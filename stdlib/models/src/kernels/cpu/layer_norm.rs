//! `LayerNorm(dropout(x + bias) + residual)` and its backward.

use rayon::prelude::*;

use super::{DropoutMask, ROWS_PER_TASK, sum_partials};

/// The element-wise part before a residual LayerNorm: `dropout(x + bias) + residual`.
#[derive(Clone, Copy)]
pub struct ResidualInputs<'a> {
    /// `[rows, d]` (the dense output without its bias).
    pub x: &'a [f32],
    /// `[d]`.
    pub bias: Option<&'a [f32]>,
    /// Dropout on `x + bias`.
    pub mask: Option<DropoutMask>,
    /// `[rows, d]`.
    pub residual: &'a [f32],
}

/// LayerNorm of `dropout(x + bias) + residual` per row of `d`. Returns `(y, h, stats)` with
/// `h` the LayerNorm input and `stats` `[rows, 2]` = (mean, sqrt(var + eps)).
///
/// The arithmetic follows Burn's decomposed `layer_norm` (`(h - mean) / sqrt(var + eps) *
/// gamma + beta`, `var` the biased mean of squares) and Burn's dropout (`(v * mask) * scale`).
pub fn residual_layer_norm_forward(
    inputs: ResidualInputs<'_>,
    gamma: &[f32],
    beta: &[f32],
    eps: f32,
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let d = gamma.len();
    let rows = inputs.x.len() / d;
    let mut y = vec![0.0f32; rows * d];
    let mut h = vec![0.0f32; rows * d];
    let mut stats = vec![0.0f32; rows * 2];
    let task = d * ROWS_PER_TASK;
    y.par_chunks_mut(task)
        .zip(h.par_chunks_mut(task))
        .zip(stats.par_chunks_mut(2 * ROWS_PER_TASK))
        .enumerate()
        .for_each(|(t, ((y, h), stats))| {
            let start = t * task;
            for (r, ((y, h), st)) in y
                .chunks_exact_mut(d)
                .zip(h.chunks_exact_mut(d))
                .zip(stats.chunks_exact_mut(2))
                .enumerate()
            {
                let off = start + r * d;
                let x = &inputs.x[off..off + d];
                let res = &inputs.residual[off..off + d];
                for j in 0..d {
                    let mut v = x[j];
                    if let Some(b) = inputs.bias {
                        v += b[j];
                    }
                    if let Some(mask) = inputs.mask {
                        v = v * mask.at(off + j) * mask.scale;
                    }
                    h[j] = v + res[j];
                }
                let (mean, denom) = row_stats(h, eps);
                st[0] = mean;
                st[1] = denom;
                for j in 0..d {
                    y[j] = (h[j] - mean) / denom * gamma[j] + beta[j];
                }
            }
        });
    (y, h, stats)
}

fn row_stats(h: &[f32], eps: f32) -> (f32, f32) {
    let d = h.len() as f32;
    let mean = h.iter().sum::<f32>() / d;
    let var = h.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / d;
    (mean, (var + eps).sqrt())
}

/// Gradients of [`residual_layer_norm_forward`]: `dh` (the residual's gradient), `dx` (the
/// dense output's gradient: `dh` through the dropout), `dbias`, `dgamma`, `dbeta`.
pub struct ResidualGrads {
    /// Gradient of the LayerNorm input (and of the residual).
    pub dh: Vec<f32>,
    /// Gradient of `x` (`dh * mask * scale`); `None` without dropout (then it is `dh`).
    pub dx: Option<Vec<f32>>,
    /// `[d]`.
    pub dbias: Vec<f32>,
    /// `[d]`.
    pub dgamma: Vec<f32>,
    /// `[d]`.
    pub dbeta: Vec<f32>,
}

/// Backward of [`residual_layer_norm_forward`] from `h`, `stats` and the output gradient.
pub fn residual_layer_norm_backward(
    h: &[f32],
    stats: &[f32],
    gamma: &[f32],
    grad: &[f32],
    mask: Option<DropoutMask>,
) -> ResidualGrads {
    let d = gamma.len();
    let rows = h.len() / d;
    let task = d * ROWS_PER_TASK;
    let mut dh = vec![0.0f32; rows * d];
    let mut dx = mask.map(|_| vec![0.0f32; rows * d]);
    let dx_chunks: Vec<Option<&mut [f32]>> = match dx.as_mut() {
        Some(dx) => dx.chunks_mut(task).map(Some).collect(),
        None => (0..rows.div_ceil(ROWS_PER_TASK)).map(|_| None).collect(),
    };
    let partials: Vec<Vec<f32>> = dh
        .par_chunks_mut(task)
        .zip(dx_chunks)
        .enumerate()
        .map(|(t, (dh, mut dx))| {
            // dgamma, dbeta, dbias for this chunk of rows.
            let mut acc = vec![0.0f32; 3 * d];
            let start = t * task;
            let mut g = vec![0.0f32; d];
            for (r, dh) in dh.chunks_exact_mut(d).enumerate() {
                let off = start + r * d;
                let row = off / d;
                let (mean, denom) = (stats[2 * row], stats[2 * row + 1]);
                let h = &h[off..off + d];
                let dy = &grad[off..off + d];
                let (mut sum_g, mut sum_gx) = (0.0f32, 0.0f32);
                for j in 0..d {
                    let xhat = (h[j] - mean) / denom;
                    g[j] = dy[j] * gamma[j];
                    sum_g += g[j];
                    sum_gx += g[j] * xhat;
                    acc[j] += dy[j] * xhat;
                    acc[d + j] += dy[j];
                }
                let (mean_g, mean_gx) = (sum_g / d as f32, sum_gx / d as f32);
                for j in 0..d {
                    let xhat = (h[j] - mean) / denom;
                    dh[j] = (g[j] - mean_g - xhat * mean_gx) / denom;
                }
                let through = match (dx.as_deref_mut(), mask) {
                    (Some(dx), Some(mask)) => {
                        let dx = &mut dx[r * d..(r + 1) * d];
                        for j in 0..d {
                            dx[j] = dh[j] * mask.scale * mask.at(off + j);
                        }
                        &*dx
                    }
                    _ => &*dh,
                };
                for j in 0..d {
                    acc[2 * d + j] += through[j];
                }
            }
            acc
        })
        .collect();
    let total = sum_partials(partials, 3 * d);
    ResidualGrads {
        dh,
        dx,
        dgamma: total[..d].to_vec(),
        dbeta: total[d..2 * d].to_vec(),
        dbias: total[2 * d..].to_vec(),
    }
}
