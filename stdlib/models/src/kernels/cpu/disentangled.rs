//! DeBERTa's disentangled attention bias: the content-to-position and position-to-content
//! scores gathered at each pair's relative position, plus the attention mask, and their
//! backward, one task per `(batch, head)` (per head in the backward).
//!
//! HF (and the eager path) compute `q·pos_keyᵀ` for all heads, gather along the last dim,
//! divide, do the same for `k·pos_queryᵀ`, transpose, add both and add the mask: six passes
//! over `[batch, heads, seq, seq]`, most of them on one thread. Here each tile's two small
//! products go to a scratch buffer and the gathers, divisions and additions are one pass.

use rayon::prelude::*;

use super::{BiasView, SyncPtr, product};
use crate::kernels::RelativeGather;

/// What both passes read. `q`, `k` are `[batch, seq, heads * head_dim]` (the projections'
/// layout), `pos_key`, `pos_query` `[width, heads * head_dim]`; a term is skipped when its
/// position projection is absent.
#[derive(Clone, Copy)]
pub struct DisentangledInputs<'a> {
    /// Batch size.
    pub batch: usize,
    /// Heads.
    pub heads: usize,
    /// `[batch, seq, heads * head_dim]`.
    pub q: &'a [f32],
    /// `[batch, seq, heads * head_dim]`.
    pub k: &'a [f32],
    /// `[width, heads * head_dim]`, for the content-to-position term.
    pub pos_key: Option<&'a [f32]>,
    /// `[width, heads * head_dim]`, for the position-to-content term.
    pub pos_query: Option<&'a [f32]>,
    /// The gathers.
    pub gather: &'a RelativeGather,
    /// Each term is divided by it.
    pub scale: f32,
}

impl DisentangledInputs<'_> {
    fn seq(&self) -> usize {
        self.gather.seq
    }
    fn ld(&self) -> usize {
        self.q.len() / (self.batch * self.seq())
    }
    fn head_dim(&self) -> usize {
        self.ld() / self.heads
    }
    /// Panics unless the slices have the lengths the shapes give them and every index is
    /// inside the score matrix (the products read through raw pointers).
    fn check(&self) {
        let (seq, width, g) = (self.seq(), self.gather.width, self.gather);
        assert!(self.batch > 0 && self.heads > 0 && seq > 0, "empty shapes");
        assert_eq!(self.q.len() % (self.batch * seq * self.heads), 0, "q");
        assert_eq!(self.k.len(), self.q.len(), "k");
        for pos in [self.pos_key, self.pos_query].into_iter().flatten() {
            assert_eq!(pos.len(), width * self.ld(), "position projection");
        }
        for index in [&g.c2p, &g.p2c] {
            assert_eq!(index.len(), seq * seq, "index length");
            assert!(index.iter().all(|&i| i < seq * width), "index range");
        }
    }

    /// `content[b, :, h] · pos[:, h]ᵀ` (`[seq, width]`) into `scratch`.
    fn scores(&self, content: &[f32], pos: &[f32], b: usize, h: usize, scratch: &mut [f32]) {
        let (seq, width, ld, d) = (self.seq(), self.gather.width, self.ld(), self.head_dim());
        // SAFETY: `check` established the lengths; the block of (b, h) and the columns of
        // head h lie inside `content` and `pos`; `scratch` is `seq * width` and private.
        unsafe {
            product::<false>(
                seq,
                width,
                d,
                scratch.as_mut_ptr(),
                width,
                content[b * seq * ld + h * d..].as_ptr(),
                (ld, 1),
                pos[h * d..].as_ptr(),
                (1, ld),
                1.0,
            );
        }
    }
}

/// `c2p / scale + p2c / scale + mask` at `[batch, heads, seq, seq]` (HF's order of
/// operations), `mask` broadcast from its view.
pub fn disentangled_forward(inputs: DisentangledInputs<'_>, mask: BiasView<'_>) -> Vec<f32> {
    inputs.check();
    let (seq, width, heads) = (inputs.seq(), inputs.gather.width, inputs.heads);
    let tile = seq * seq;
    let mut out = vec![0.0f32; inputs.batch * heads * tile];
    out.par_chunks_mut(tile).enumerate().for_each(|(bh, out)| {
        let (b, h) = (bh / heads, bh % heads);
        let mut scratch = vec![0.0f32; seq * width];
        if let Some(pos_key) = inputs.pos_key {
            inputs.scores(inputs.q, pos_key, b, h, &mut scratch);
            for (o, &at) in out.iter_mut().zip(&inputs.gather.c2p) {
                *o = scratch[at] / inputs.scale;
            }
        }
        if let Some(pos_query) = inputs.pos_query {
            inputs.scores(inputs.k, pos_query, b, h, &mut scratch);
            let c2p = inputs.pos_key.is_some();
            for i in 0..seq {
                for j in 0..seq {
                    let v = scratch[inputs.gather.p2c[j * seq + i]] / inputs.scale;
                    let o = &mut out[i * seq + j];
                    *o = if c2p { *o + v } else { v };
                }
            }
        }
        let [sb, sh, sq, sk] = mask.strides;
        for i in 0..seq {
            let base = b * sb + h * sh + i * sq;
            for (j, o) in out[i * seq..(i + 1) * seq].iter_mut().enumerate() {
                *o += mask.data[base + j * sk];
            }
        }
    });
    out
}

/// Gradients of [`disentangled_forward`]'s inputs (the mask has none): `dq`/`dk` shaped
/// as `q`/`k`, `dpos_key`/`dpos_query` as the position projections (`None` for an absent
/// term).
pub struct DisentangledGrads {
    /// Gradient of `q` (zero without the c2p term).
    pub dq: Vec<f32>,
    /// Gradient of `k` (zero without the p2c term).
    pub dk: Vec<f32>,
    /// Gradient of `pos_key`.
    pub dpos_key: Option<Vec<f32>>,
    /// Gradient of `pos_query`.
    pub dpos_query: Option<Vec<f32>>,
}

/// Backward of [`disentangled_forward`] given `grad` `[batch, heads, seq, seq]`: each term's
/// gradient is scattered back onto its `[seq, width]` scores, then through the two products.
/// One task per head, so the position gradients (shared by the batch) need no reduction.
pub fn disentangled_backward(inputs: DisentangledInputs<'_>, grad: &[f32]) -> DisentangledGrads {
    inputs.check();
    let (seq, width, heads) = (inputs.seq(), inputs.gather.width, inputs.heads);
    let tile = seq * seq;
    assert_eq!(grad.len(), inputs.batch * heads * tile, "grad");
    let mut grads = DisentangledGrads {
        dq: vec![0.0; inputs.q.len()],
        dk: vec![0.0; inputs.k.len()],
        dpos_key: inputs.pos_key.map(|p| vec![0.0; p.len()]),
        dpos_query: inputs.pos_query.map(|p| vec![0.0; p.len()]),
    };
    let ptr = |v: &mut Vec<f32>| SyncPtr(v.as_mut_ptr());
    let (dq, dk) = (ptr(&mut grads.dq), ptr(&mut grads.dk));
    let dpos_key = grads.dpos_key.as_mut().map(ptr);
    let dpos_query = grads.dpos_query.as_mut().map(ptr);
    let terms: Vec<Term<'_>> = [
        inputs.pos_key.zip(dpos_key).map(|(pos, dpos)| Term {
            content: inputs.q,
            dcontent: dq,
            pos,
            dpos,
            transposed: false,
        }),
        inputs.pos_query.zip(dpos_query).map(|(pos, dpos)| Term {
            content: inputs.k,
            dcontent: dk,
            pos,
            dpos,
            transposed: true,
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    (0..heads).into_par_iter().for_each(|h| {
        let mut dscores = vec![0.0f32; seq * width];
        for term in &terms {
            for b in 0..inputs.batch {
                let g = &grad[(b * heads + h) * tile..][..tile];
                inputs.backward_tile(term, g, (b, h), &mut dscores);
            }
        }
    });
    grads
}

/// One relative term in the backward: the content it multiplies (`q` or `k`), the position
/// projection, where their gradients go, and whether the term lands transposed (p2c).
struct Term<'a> {
    content: &'a [f32],
    dcontent: SyncPtr,
    pos: &'a [f32],
    dpos: SyncPtr,
    transposed: bool,
}

impl DisentangledInputs<'_> {
    /// Tile `(b, h)` of `term`'s backward, given that tile's gradient `g` `[seq, seq]`: the
    /// gradient scattered back onto the `[seq, width]` scores (`dscores`, scratch), then
    /// `dcontent[b, :, h] = dscores · pos[:, h]` and `dpos[:, h] += dscoresᵀ · content[b, :, h]`.
    fn backward_tile(
        &self,
        term: &Term<'_>,
        g: &[f32],
        (b, h): (usize, usize),
        dscores: &mut [f32],
    ) {
        let (seq, width, ld, d) = (self.seq(), self.gather.width, self.ld(), self.head_dim());
        let index = if term.transposed {
            &self.gather.p2c
        } else {
            &self.gather.c2p
        };
        assert_eq!(dscores.len(), seq * width, "scratch");
        dscores.fill(0.0);
        for i in 0..seq {
            for j in 0..seq {
                let at = if term.transposed {
                    index[j * seq + i]
                } else {
                    index[i * seq + j]
                };
                dscores[at] += g[i * seq + j] / self.scale;
            }
        }
        let block = b * seq * ld + h * d;
        // SAFETY: `check` established the lengths; the (b, h) block of the content gradient
        // and head h's columns of the position gradient are written by the task of head h
        // alone; `dscores` (`seq * width`) is the caller's scratch.
        unsafe {
            product::<false>(
                seq,
                d,
                width,
                term.dcontent.get().add(block),
                ld,
                dscores.as_ptr(),
                (width, 1),
                term.pos[h * d..].as_ptr(),
                (ld, 1),
                1.0,
            );
            product::<true>(
                width,
                d,
                seq,
                term.dpos.get().add(h * d),
                ld,
                dscores.as_ptr(),
                (1, width),
                term.content[block..].as_ptr(),
                (ld, 1),
                1.0,
            );
        }
    }
}
