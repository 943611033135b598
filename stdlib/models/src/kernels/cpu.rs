//! Row-parallel f32 kernels on plain slices (rayon): the arithmetic of the fused flex ops.
//!
//! Rows are split into fixed-size chunks, so reductions across rows (bias and LayerNorm
//! parameter gradients) are summed in the same order whatever the thread count.

use rayon::prelude::*;

/// Rows per rayon task: large enough to amortise scheduling, small enough to balance.
const ROWS_PER_TASK: usize = 16;

/// `1 / sqrt(2)`.
const FRAC_1_SQRT_2: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// `1 / sqrt(2π)`.
const INV_SQRT_2PI: f32 = 0.398_942_3;

/// Dropout's keep mask drawn from a counter-based hash (SplitMix64's finaliser): element
/// `i` of a tensor is kept when `hash(seed + i·φ)` falls under `keep`. Forward and backward
/// regenerate the same mask from `(seed, i)`, so it is never stored, and the draw is the same
/// whatever the thread count.
#[derive(Clone, Copy, Debug)]
pub struct DropoutMask {
    seed: u64,
    threshold: u64,
    /// `1 / keep`.
    pub scale: f32,
}

impl DropoutMask {
    /// A mask keeping each element with probability `keep` (in `(0, 1]`).
    pub fn new(seed: u64, keep: f64) -> Self {
        Self {
            seed,
            threshold: (keep * (1u64 << 32) as f64) as u64,
            scale: (1.0 / keep) as f32,
        }
    }

    /// 1.0 when element `i` is kept, else 0.0.
    #[inline]
    pub fn at(&self, i: usize) -> f32 {
        let mut z = self
            .seed
            .wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        if (z >> 32) < self.threshold { 1.0 } else { 0.0 }
    }
}

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

fn sum_partials(partials: Vec<Vec<f32>>, d: usize) -> Vec<f32> {
    let mut total = vec![0.0f32; d];
    for p in partials {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    total
}

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
                let max = o.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let mut sum = 0.0f32;
                for v in o.iter_mut() {
                    *v = (*v - max).exp();
                    sum += *v;
                }
                for v in o.iter_mut() {
                    *v /= sum;
                }
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

/// Shapes of a fused attention: `q` `[batch, seq_q, heads * head_dim]`, `k`/`v`
/// `[batch, seq_k, heads * head_dim]` (heads side by side in the last dim, as the
/// projections produce them), scores `[batch, heads, seq_q, seq_k]`.
#[derive(Clone, Copy, Debug)]
pub struct AttentionDims {
    /// Batch size.
    pub batch: usize,
    /// Heads.
    pub heads: usize,
    /// Query positions.
    pub seq_q: usize,
    /// Key positions.
    pub seq_k: usize,
    /// Per-head width.
    pub head_dim: usize,
}

impl AttentionDims {
    fn ld(&self) -> usize {
        self.heads * self.head_dim
    }
    fn tile(&self) -> usize {
        self.seq_q * self.seq_k
    }
}

/// A raw pointer that tasks write through at disjoint offsets.
#[derive(Clone, Copy)]
struct SyncPtr(*mut f32);
// SAFETY: every task derives the `(batch, head)` block it owns from this pointer; blocks of
// different tasks never overlap (checked by the offsets in the callers), and the buffer
// outlives the parallel loop that uses it.
unsafe impl Send for SyncPtr {}
unsafe impl Sync for SyncPtr {}

impl SyncPtr {
    /// The pointer (a method, so closures capture the whole `Sync` wrapper).
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// One single-threaded strided product `dst[m, n] = beta * lhs[m, k] · rhs[k, n]` (row and
/// column strides in elements).
///
/// # Safety
/// Every pointer with its strides must address valid memory for the shapes, and `dst` must
/// not be written concurrently by anyone else.
#[allow(clippy::too_many_arguments)]
unsafe fn product(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut f32,
    dst_rs: usize,
    lhs: *const f32,
    (lhs_rs, lhs_cs): (usize, usize),
    rhs: *const f32,
    (rhs_rs, rhs_cs): (usize, usize),
    beta: f32,
) {
    // SAFETY: forwarded from the caller's contract.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            1,
            dst_rs as isize,
            false,
            lhs,
            lhs_cs as isize,
            lhs_rs as isize,
            rhs,
            rhs_cs as isize,
            rhs_rs as isize,
            0.0,
            beta,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// Softmax of one row of scores in place (`row * 1 + bias` already in it), as Burn's
/// decomposition: subtract the max, `exp`, divide by the sum.
fn softmax_row(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in row.iter_mut() {
        *v /= sum;
    }
}

/// `softmax(q·kᵀ·scale + bias)` then dropout, times `v`, per `(batch, head)` in parallel.
/// Writes the context `[batch, seq_q, heads * head_dim]` into `out` and, when `probs` is
/// given, the softmax `[batch, heads, seq_q, seq_k]` (before dropout) into it.
#[allow(clippy::too_many_arguments)]
pub fn attention_forward(
    dims: AttentionDims,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    scale: f32,
    bias: BiasView<'_>,
    mask: Option<DropoutMask>,
    out: &mut [f32],
    probs: Option<&mut [f32]>,
) {
    let AttentionDims {
        batch,
        heads,
        seq_q,
        seq_k,
        head_dim,
    } = dims;
    let ld = dims.ld();
    let tile = dims.tile();
    assert_eq!(q.len(), batch * seq_q * ld);
    assert_eq!(k.len(), batch * seq_k * ld);
    assert_eq!(v.len(), batch * seq_k * ld);
    assert_eq!(out.len(), batch * seq_q * ld);
    let out_ptr = SyncPtr(out.as_mut_ptr());
    let probs_ptr = probs.map(|p| {
        assert_eq!(p.len(), batch * heads * tile);
        SyncPtr(p.as_mut_ptr())
    });
    (0..batch * heads).into_par_iter().for_each(|bh| {
        let (b, h) = (bh / heads, bh % heads);
        let mut scratch = Vec::new();
        // The scores tile: the stored probabilities when training, else scratch.
        let p: &mut [f32] = match probs_ptr {
            // SAFETY: tile `bh` of `probs` belongs to this task alone.
            Some(ptr) => unsafe { std::slice::from_raw_parts_mut(ptr.get().add(bh * tile), tile) },
            None => {
                scratch.resize(tile, 0.0);
                &mut scratch
            }
        };
        let q_bh = &q[b * seq_q * ld + h * head_dim..];
        let k_bh = &k[b * seq_k * ld + h * head_dim..];
        let v_bh = &v[b * seq_k * ld + h * head_dim..];
        // SAFETY: q/k rows of this (b, h) lie inside the slices (lengths asserted above);
        // `p` is a private tile.
        unsafe {
            product(
                seq_q,
                seq_k,
                head_dim,
                p.as_mut_ptr(),
                seq_k,
                q_bh.as_ptr(),
                (ld, 1),
                k_bh.as_ptr(),
                (1, ld),
                1.0,
            );
        }
        let [sb, sh, sq, sk] = bias.strides;
        let mut dropped = mask.map(|_| vec![0.0f32; tile]);
        for i in 0..seq_q {
            let row = &mut p[i * seq_k..(i + 1) * seq_k];
            let base = b * sb + h * sh + i * sq;
            for (j, s) in row.iter_mut().enumerate() {
                *s = *s * scale + bias.data[base + j * sk];
            }
            softmax_row(row);
            if let (Some(d), Some(mask)) = (dropped.as_mut(), mask) {
                let first = (bh * seq_q + i) * seq_k;
                for j in 0..seq_k {
                    d[i * seq_k + j] = row[j] * mask.at(first + j) * mask.scale;
                }
            }
        }
        let weights = dropped.as_deref().unwrap_or(p);
        // SAFETY: the output block rows b, columns of head h belong to this task alone.
        unsafe {
            product(
                seq_q,
                head_dim,
                seq_k,
                out_ptr.get().add(b * seq_q * ld + h * head_dim),
                ld,
                weights.as_ptr(),
                (seq_k, 1),
                v_bh.as_ptr(),
                (ld, 1),
                1.0,
            );
        }
    });
}

/// Gradients of [`attention_forward`] from the saved softmax `probs` and the context
/// gradient `grad` `[batch, seq_q, heads * head_dim]`: writes `dq`, `dk`, `dv` (shaped as
/// `q`, `k`, `v`) and, when given, `dbias` `[batch, heads, seq_q, seq_k]` (the gradient of
/// the pre-softmax scores before `scale`).
#[allow(clippy::too_many_arguments)]
pub fn attention_backward(
    dims: AttentionDims,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    probs: &[f32],
    grad: &[f32],
    scale: f32,
    mask: Option<DropoutMask>,
    dq: &mut [f32],
    dk: &mut [f32],
    dv: &mut [f32],
    dbias: Option<&mut [f32]>,
) {
    let AttentionDims {
        batch,
        heads,
        seq_q,
        seq_k,
        head_dim,
    } = dims;
    let ld = dims.ld();
    let tile = dims.tile();
    assert_eq!(probs.len(), batch * heads * tile);
    assert_eq!(grad.len(), batch * seq_q * ld);
    assert!(dq.len() == q.len() && dk.len() == k.len() && dv.len() == v.len());
    assert_eq!(q.len(), batch * seq_q * ld);
    assert!(k.len() == batch * seq_k * ld && v.len() == k.len());
    let (dq_ptr, dk_ptr, dv_ptr) = (
        SyncPtr(dq.as_mut_ptr()),
        SyncPtr(dk.as_mut_ptr()),
        SyncPtr(dv.as_mut_ptr()),
    );
    let dbias_ptr = dbias.map(|d| {
        assert_eq!(d.len(), batch * heads * tile);
        SyncPtr(d.as_mut_ptr())
    });
    (0..batch * heads).into_par_iter().for_each(|bh| {
        let (b, h) = (bh / heads, bh % heads);
        let p = &probs[bh * tile..(bh + 1) * tile];
        let q_off = b * seq_q * ld + h * head_dim;
        let kv_off = b * seq_k * ld + h * head_dim;
        // The dropped weights the forward multiplied `v` by.
        let dropped: Option<Vec<f32>> = mask.map(|mask| {
            (0..tile)
                .map(|e| p[e] * mask.at(bh * tile + e) * mask.scale)
                .collect()
        });
        let weights = dropped.as_deref().unwrap_or(p);
        let mut dp = vec![0.0f32; tile];
        // SAFETY (all products below): inputs are read inside their asserted lengths; the
        // dq/dk/dv blocks (rows of batch b, columns of head h) and the dbias tile `bh` are
        // written by this task alone.
        unsafe {
            // dv = weightsᵀ · grad
            product(
                seq_k,
                head_dim,
                seq_q,
                dv_ptr.get().add(kv_off),
                ld,
                weights.as_ptr(),
                (1, seq_k),
                grad[q_off..].as_ptr(),
                (ld, 1),
                1.0,
            );
            // dweights = grad · vᵀ
            product(
                seq_q,
                seq_k,
                head_dim,
                dp.as_mut_ptr(),
                seq_k,
                grad[q_off..].as_ptr(),
                (ld, 1),
                v[kv_off..].as_ptr(),
                (1, ld),
                1.0,
            );
        }
        for i in 0..seq_q {
            let row = &mut dp[i * seq_k..(i + 1) * seq_k];
            let pr = &p[i * seq_k..(i + 1) * seq_k];
            if let Some(mask) = mask {
                let first = bh * tile + i * seq_k;
                for (j, d) in row.iter_mut().enumerate() {
                    *d = *d * mask.scale * mask.at(first + j);
                }
            }
            let dot: f32 = row.iter().zip(pr).map(|(a, b)| a * b).sum();
            for (d, p) in row.iter_mut().zip(pr) {
                *d = p * (*d - dot);
            }
        }
        if let Some(ptr) = dbias_ptr {
            // SAFETY: tile `bh` of dbias belongs to this task alone.
            let dst = unsafe { std::slice::from_raw_parts_mut(ptr.get().add(bh * tile), tile) };
            dst.copy_from_slice(&dp);
        }
        // SAFETY: as above.
        unsafe {
            // dq = scale · ds · k
            product(
                seq_q,
                head_dim,
                seq_k,
                dq_ptr.get().add(q_off),
                ld,
                dp.as_ptr(),
                (seq_k, 1),
                k[kv_off..].as_ptr(),
                (ld, 1),
                scale,
            );
            // dk = scale · dsᵀ · q
            product(
                seq_k,
                head_dim,
                seq_q,
                dk_ptr.get().add(kv_off),
                ld,
                dp.as_ptr(),
                (1, seq_k),
                q[q_off..].as_ptr(),
                (ld, 1),
                scale,
            );
        }
    });
}
