//! Fused multi-head attention: `dropout(softmax(q·kᵀ·scale + bias))·v`, one task per
//! `(batch, head)`, and its backward.

use rayon::prelude::*;

use super::{BiasView, DropoutMask, SyncPtr, product, softmax_row};

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
    /// Elements of `q` (and of the context).
    fn q_len(&self) -> usize {
        self.batch * self.seq_q * self.ld()
    }
    /// Elements of `k` and of `v`.
    fn kv_len(&self) -> usize {
        self.batch * self.seq_k * self.ld()
    }
    /// Elements of the scores `[batch, heads, seq_q, seq_k]`.
    fn scores_len(&self) -> usize {
        self.batch * self.heads * self.tile()
    }
    /// `(batch, head)` of task `bh` and the offsets of its first `q` and `k`/`v` elements.
    fn block(&self, bh: usize) -> (usize, usize, usize, usize) {
        let (b, h) = (bh / self.heads, bh % self.heads);
        let ld = self.ld();
        (
            b,
            h,
            b * self.seq_q * ld + h * self.head_dim,
            b * self.seq_k * ld + h * self.head_dim,
        )
    }
}

/// What both passes of a fused attention read: the shapes, `q`, `k`, `v` (laid out as in
/// [`AttentionDims`]), the score scale and the dropout mask on the softmax.
#[derive(Clone, Copy)]
pub struct AttentionInputs<'a> {
    /// The shapes.
    pub dims: AttentionDims,
    /// `[batch, seq_q, heads * head_dim]`.
    pub q: &'a [f32],
    /// `[batch, seq_k, heads * head_dim]`.
    pub k: &'a [f32],
    /// `[batch, seq_k, heads * head_dim]`.
    pub v: &'a [f32],
    /// Multiplies `q·kᵀ` before the bias.
    pub scale: f32,
    /// Dropout on the softmax.
    pub mask: Option<DropoutMask>,
}

impl AttentionInputs<'_> {
    /// Panics unless `q`, `k` and `v` have the lengths `dims` give them (the kernels below
    /// read through raw pointers at offsets derived from `dims`).
    fn check_lengths(&self) {
        assert_eq!(self.q.len(), self.dims.q_len(), "q");
        assert_eq!(self.k.len(), self.dims.kv_len(), "k");
        assert_eq!(self.v.len(), self.dims.kv_len(), "v");
    }

    /// The softmax weights after dropout of tile `bh` from its softmax `p` (`None` without
    /// dropout: then they are `p`).
    fn dropped(&self, bh: usize, p: &[f32]) -> Option<Vec<f32>> {
        let tile = self.dims.tile();
        self.mask.map(|mask| {
            (0..tile)
                .map(|e| p[e] * mask.at(bh * tile + e) * mask.scale)
                .collect()
        })
    }
}

/// `softmax(q·kᵀ·scale + bias)` then dropout, times `v`, per `(batch, head)` in parallel.
/// Writes the context `[batch, seq_q, heads * head_dim]` into `out` and, when `probs` is
/// given, the softmax `[batch, heads, seq_q, seq_k]` (before dropout) into it.
pub fn attention_forward(
    inputs: AttentionInputs<'_>,
    bias: BiasView<'_>,
    out: &mut [f32],
    probs: Option<&mut [f32]>,
) {
    let dims = inputs.dims;
    inputs.check_lengths();
    assert_eq!(out.len(), dims.q_len(), "out");
    let tile = dims.tile();
    let out_ptr = SyncPtr(out.as_mut_ptr());
    let probs_ptr = probs.map(|p| {
        assert_eq!(p.len(), dims.scores_len(), "probs");
        SyncPtr(p.as_mut_ptr())
    });
    (0..dims.batch * dims.heads).into_par_iter().for_each(|bh| {
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
        forward_block(&inputs, bias, bh, p, out_ptr);
    });
}

/// One `(batch, head)` block of [`attention_forward`]: the softmax into the private tile `p`,
/// the context into its block of `out`.
fn forward_block(
    inputs: &AttentionInputs<'_>,
    bias: BiasView<'_>,
    bh: usize,
    p: &mut [f32],
    out: SyncPtr,
) {
    let dims = inputs.dims;
    let (seq_q, seq_k, head_dim, ld) = (dims.seq_q, dims.seq_k, dims.head_dim, dims.ld());
    let (b, h, q_off, kv_off) = dims.block(bh);
    // SAFETY: q/k rows of this (b, h) lie inside the slices (lengths checked by the caller);
    // `p` is a private tile.
    unsafe {
        product::<false>(
            seq_q,
            seq_k,
            head_dim,
            p.as_mut_ptr(),
            seq_k,
            inputs.q[q_off..].as_ptr(),
            (ld, 1),
            inputs.k[kv_off..].as_ptr(),
            (1, ld),
            1.0,
        );
    }
    let [sb, sh, sq, sk] = bias.strides;
    for i in 0..seq_q {
        let row = &mut p[i * seq_k..(i + 1) * seq_k];
        let base = b * sb + h * sh + i * sq;
        for (j, s) in row.iter_mut().enumerate() {
            *s = *s * inputs.scale + bias.data[base + j * sk];
        }
        softmax_row(row);
    }
    let dropped = inputs.dropped(bh, p);
    let weights = dropped.as_deref().unwrap_or(p);
    // SAFETY: the output block rows b, columns of head h belong to this task alone.
    unsafe {
        product::<false>(
            seq_q,
            head_dim,
            seq_k,
            out.get().add(q_off),
            ld,
            weights.as_ptr(),
            (seq_k, 1),
            inputs.v[kv_off..].as_ptr(),
            (ld, 1),
            1.0,
        );
    }
}

/// Where [`attention_backward`] writes: `dq`, `dk`, `dv` (shaped as `q`, `k`, `v`) and, when
/// given, `dbias` `[batch, heads, seq_q, seq_k]` (the gradient of the pre-softmax scores
/// before `scale`).
pub struct AttentionGrads<'a> {
    /// Gradient of `q`.
    pub dq: &'a mut [f32],
    /// Gradient of `k`.
    pub dk: &'a mut [f32],
    /// Gradient of `v`.
    pub dv: &'a mut [f32],
    /// Gradient of the bias at full shape.
    pub dbias: Option<&'a mut [f32]>,
}

/// [`AttentionGrads`] as pointers the parallel tasks write through.
#[derive(Clone, Copy)]
struct GradPtrs {
    dq: SyncPtr,
    dk: SyncPtr,
    dv: SyncPtr,
    dbias: Option<SyncPtr>,
}

/// Gradients of [`attention_forward`] from the saved softmax `probs` and the context
/// gradient `grad` `[batch, seq_q, heads * head_dim]`, written into `grads`.
pub fn attention_backward(
    inputs: AttentionInputs<'_>,
    probs: &[f32],
    grad: &[f32],
    grads: AttentionGrads<'_>,
) {
    let dims = inputs.dims;
    inputs.check_lengths();
    assert_eq!(probs.len(), dims.scores_len(), "probs");
    assert_eq!(grad.len(), dims.q_len(), "grad");
    assert_eq!(grads.dq.len(), dims.q_len(), "dq");
    assert_eq!(grads.dk.len(), dims.kv_len(), "dk");
    assert_eq!(grads.dv.len(), dims.kv_len(), "dv");
    let ptrs = GradPtrs {
        dq: SyncPtr(grads.dq.as_mut_ptr()),
        dk: SyncPtr(grads.dk.as_mut_ptr()),
        dv: SyncPtr(grads.dv.as_mut_ptr()),
        dbias: grads.dbias.map(|d| {
            assert_eq!(d.len(), dims.scores_len(), "dbias");
            SyncPtr(d.as_mut_ptr())
        }),
    };
    let tile = dims.tile();
    (0..dims.batch * dims.heads).into_par_iter().for_each(|bh| {
        let p = &probs[bh * tile..(bh + 1) * tile];
        backward_block(&inputs, bh, p, grad, ptrs);
    });
}

/// One `(batch, head)` block of [`attention_backward`], `p` its saved softmax tile.
fn backward_block(inputs: &AttentionInputs<'_>, bh: usize, p: &[f32], grad: &[f32], out: GradPtrs) {
    let dims = inputs.dims;
    let (seq_q, seq_k, head_dim, ld) = (dims.seq_q, dims.seq_k, dims.head_dim, dims.ld());
    let (_, _, q_off, kv_off) = dims.block(bh);
    // The dropped weights the forward multiplied `v` by.
    let dropped = inputs.dropped(bh, p);
    let weights = dropped.as_deref().unwrap_or(p);
    let mut dp = vec![0.0f32; dims.tile()];
    // SAFETY (all products below): inputs are read inside their checked lengths; the
    // dq/dk/dv blocks (rows of batch b, columns of head h) and the dbias tile `bh` are
    // written by this task alone.
    unsafe {
        // dv = weightsᵀ · grad
        product::<false>(
            seq_k,
            head_dim,
            seq_q,
            out.dv.get().add(kv_off),
            ld,
            weights.as_ptr(),
            (1, seq_k),
            grad[q_off..].as_ptr(),
            (ld, 1),
            1.0,
        );
        // dweights = grad · vᵀ
        product::<false>(
            seq_q,
            seq_k,
            head_dim,
            dp.as_mut_ptr(),
            seq_k,
            grad[q_off..].as_ptr(),
            (ld, 1),
            inputs.v[kv_off..].as_ptr(),
            (1, ld),
            1.0,
        );
    }
    softmax_grad_tile(inputs, bh, p, &mut dp);
    if let Some(ptr) = out.dbias {
        let tile = dims.tile();
        // SAFETY: tile `bh` of dbias belongs to this task alone.
        let dst = unsafe { std::slice::from_raw_parts_mut(ptr.get().add(bh * tile), tile) };
        dst.copy_from_slice(&dp);
    }
    // SAFETY: as above.
    unsafe {
        // dq = scale · ds · k
        product::<false>(
            seq_q,
            head_dim,
            seq_k,
            out.dq.get().add(q_off),
            ld,
            dp.as_ptr(),
            (seq_k, 1),
            inputs.k[kv_off..].as_ptr(),
            (ld, 1),
            inputs.scale,
        );
        // dk = scale · dsᵀ · q
        product::<false>(
            seq_k,
            head_dim,
            seq_q,
            out.dk.get().add(kv_off),
            ld,
            dp.as_ptr(),
            (1, seq_k),
            inputs.q[q_off..].as_ptr(),
            (ld, 1),
            inputs.scale,
        );
    }
}

/// In place, the gradient of the dropped weights `dp` of tile `bh` becomes the gradient of
/// the scaled, biased scores: back through the dropout, then through the softmax `p`.
fn softmax_grad_tile(inputs: &AttentionInputs<'_>, bh: usize, p: &[f32], dp: &mut [f32]) {
    let (seq_q, seq_k) = (inputs.dims.seq_q, inputs.dims.seq_k);
    let tile = inputs.dims.tile();
    for i in 0..seq_q {
        let row = &mut dp[i * seq_k..(i + 1) * seq_k];
        let pr = &p[i * seq_k..(i + 1) * seq_k];
        if let Some(mask) = inputs.mask {
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
}
