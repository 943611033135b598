//! `dropout(softmax(scores * scale + bias))` over the last dim and its backward.

use rayon::prelude::*;

use super::{DropoutMask, softmax_row};

/// An additive attention bias broadcast to `[batch, heads, seq_q, seq_k]`: element strides
/// per dim, 0 where the bias has size 1.
#[derive(Clone, Copy)]
pub struct BiasView<'a> {
    /// The bias values.
    pub data: &'a [f32],
    /// Strides of batch, head, query, key (0 = broadcast).
    pub strides: [usize; 4],
}

/// Rows per task for rows of `k` elements: about 16 K elements a task.
fn rows_per_task(k: usize) -> usize {
    (16 * 1024 / k.max(1)).max(1)
}

/// `dropout(softmax(scores * scale + bias))` over the last dim of `scores`
/// `[batch, heads, seq_q, seq_k]` (`dims`). Returns `(out, probs)`: `probs` the softmax
/// (only when `mask` is set; without dropout `out` is the softmax).
///
/// Arithmetic as Burn's decomposed softmax: subtract the row max, `exp`, divide by the sum.
pub fn softmax_forward(
    scores: &[f32],
    dims: [usize; 4],
    scale: f32,
    bias: Option<BiasView<'_>>,
    mask: Option<DropoutMask>,
) -> (Vec<f32>, Option<Vec<f32>>) {
    let [_, heads, seq_q, k] = dims;
    let rows_task = rows_per_task(k);
    let mut out = vec![0.0f32; scores.len()];
    let mut probs = mask.map(|_| vec![0.0f32; scores.len()]);
    let probs_chunks: Vec<Option<&mut [f32]>> = match probs.as_mut() {
        Some(p) => p.chunks_mut(rows_task * k).map(Some).collect(),
        None => (0..scores.len().div_ceil(rows_task * k))
            .map(|_| None)
            .collect(),
    };
    out.par_chunks_mut(rows_task * k)
        .zip(probs_chunks)
        .enumerate()
        .for_each(|(t, (out, mut probs))| {
            let first_row = t * rows_task;
            for (r, o) in out.chunks_exact_mut(k).enumerate() {
                let row = first_row + r;
                let off = row * k;
                let s = &scores[off..off + k];
                match bias {
                    Some(bias) => {
                        let (i, bh) = (row % seq_q, row / seq_q);
                        let (h, b) = (bh % heads, bh / heads);
                        let [sb, sh, sq, sk] = bias.strides;
                        let base = b * sb + h * sh + i * sq;
                        for j in 0..k {
                            o[j] = s[j] * scale + bias.data[base + j * sk];
                        }
                    }
                    None => {
                        for j in 0..k {
                            o[j] = s[j] * scale;
                        }
                    }
                }
                softmax_row(o);
                if let (Some(p), Some(mask)) = (probs.as_deref_mut(), mask) {
                    let p = &mut p[r * k..(r + 1) * k];
                    for j in 0..k {
                        p[j] = o[j];
                        o[j] = o[j] * mask.at(off + j) * mask.scale;
                    }
                }
            }
        });
    (out, probs)
}

/// Backward of [`softmax_forward`]: from the softmax `probs` and the output gradient,
/// returns the gradient of the pre-scale scores and of the (full-shape) bias input
/// `ds` (`d_scores = ds * scale`).
pub fn softmax_backward(
    probs: &[f32],
    grad: &[f32],
    k: usize,
    scale: f32,
    mask: Option<DropoutMask>,
) -> (Vec<f32>, Vec<f32>) {
    let rows_task = rows_per_task(k);
    let mut d_scores = vec![0.0f32; probs.len()];
    let mut ds = vec![0.0f32; probs.len()];
    d_scores
        .par_chunks_mut(rows_task * k)
        .zip(ds.par_chunks_mut(rows_task * k))
        .enumerate()
        .for_each(|(t, (d_scores, ds))| {
            let mut dp = vec![0.0f32; k];
            for (r, (d_scores, ds)) in d_scores
                .chunks_exact_mut(k)
                .zip(ds.chunks_exact_mut(k))
                .enumerate()
            {
                let off = (t * rows_task + r) * k;
                let p = &probs[off..off + k];
                let g = &grad[off..off + k];
                match mask {
                    Some(mask) => {
                        for j in 0..k {
                            dp[j] = g[j] * mask.scale * mask.at(off + j);
                        }
                    }
                    None => dp.copy_from_slice(g),
                }
                let dot: f32 = dp.iter().zip(p).map(|(a, b)| a * b).sum();
                for j in 0..k {
                    let v = p[j] * (dp[j] - dot);
                    ds[j] = v;
                    d_scores[j] = v * scale;
                }
            }
        });
    (d_scores, ds)
}
