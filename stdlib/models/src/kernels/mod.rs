//! Fused CPU ops for the flex backend, with their own backward under `Autodiff<Flex>`.
//!
//! Flex runs element-wise ops on one thread and Burn's autodiff differentiates LayerNorm as
//! nine separate ops; the transformer's glue between the matrix products therefore ran
//! mostly serial. Each op here is one row-parallel pass (rayon) forward and one backward.
//! On any other backend, or another dtype than f32, the same function composes Burn ops
//! exactly as the layers did before, so numbers match the eager composition within f32
//! rounding (the fused ops follow the same arithmetic order).

#[cfg(feature = "flex")]
mod cpu;
#[cfg(feature = "flex")]
mod flex;

use std::sync::Arc;

use burn::nn::{Dropout, LayerNorm};
use burn::tensor::Tensor;
use burn::tensor::activation::softmax;
use burn::tensor::backend::Backend;

use crate::nn::{AttentionInputs, gelu_exact};

/// The dense layer `x·w (+ bias)` for `x` `[rows, d_input]`, `w` `[d_input, d_output]`: what
/// [`burn::tensor::module::linear`] computes. On flex each product is one gemm call into a
/// fresh buffer with the bias written first (flex zeroes, then copies, every matmul output,
/// and adds the bias on one thread).
pub fn linear<B: Backend>(
    x: Tensor<B, 2>,
    w: Tensor<B, 2>,
    bias: Option<Tensor<B, 1>>,
) -> Tensor<B, 2> {
    #[cfg(feature = "flex")]
    if flex::applies::<B>(x.dtype()) {
        return flex::linear(x, w, bias);
    }
    burn::tensor::module::linear(x, w, bias)
}

/// `gelu(x + bias)` (exact, erf) for `x` `[rows, d]`, `bias` `[d]`.
pub fn bias_gelu<B: Backend>(x: Tensor<B, 2>, bias: Tensor<B, 1>) -> Tensor<B, 2> {
    #[cfg(feature = "flex")]
    if flex::applies::<B>(x.dtype()) {
        return flex::bias_gelu(x, bias);
    }
    gelu_exact(x + bias.unsqueeze_dim(0))
}

/// `LayerNorm(dropout(x + bias) + residual)` for `x`, `residual` `[rows, d]`: BERT's
/// `*Output` blocks after their dense product; `eps` is the LayerNorm's epsilon.
///
/// `dropout` acts as [`burn::nn::Dropout`] does (only on an autodiff backend); the fused
/// path draws its mask from its own counter-based generator seeded by the backend's.
pub fn residual_layer_norm<B: Backend>(
    x: Tensor<B, 2>,
    bias: Option<Tensor<B, 1>>,
    dropout: &Dropout,
    residual: Tensor<B, 2>,
    layer_norm: &LayerNorm<B>,
    eps: f64,
) -> Tensor<B, 2> {
    #[cfg(feature = "flex")]
    if let (true, Some(b), Some(beta)) = (
        flex::applies::<B>(x.dtype()),
        bias.as_ref(),
        layer_norm.beta.as_ref(),
    ) {
        let gamma = layer_norm.gamma.val();
        let (b, beta) = (b.clone(), beta.val());
        let keep = keep_probability(dropout, &x);
        return flex::residual_layer_norm(x, b, keep, residual, gamma, beta, eps);
    }
    let _ = eps;
    let h = match bias {
        Some(bias) => x + bias.unsqueeze_dim(0),
        None => x,
    };
    layer_norm.forward(dropout.forward(h) + residual)
}

/// `dropout(softmax(scores * scale + bias, 3))` for attention scores `[batch, heads, seq_q,
/// seq_k]` and a `bias` that broadcasts to them; `dropout` as in [`residual_layer_norm`].
pub fn softmax_dropout<B: Backend>(
    scores: Tensor<B, 4>,
    bias: Tensor<B, 4>,
    scale: f64,
    dropout: &Dropout,
) -> Tensor<B, 4> {
    #[cfg(feature = "flex")]
    if flex::applies::<B>(scores.dtype()) {
        let keep = keep_probability(dropout, &scores);
        return flex::softmax_dropout(scores, bias, scale, keep);
    }
    dropout.forward(softmax(scores * scale + bias, 3))
}

/// `Some(1 - p)` when `dropout` is active for `x` (autodiff backend, `p > 0`).
#[cfg(feature = "flex")]
fn keep_probability<B: Backend, const D: usize>(
    dropout: &Dropout,
    x: &Tensor<B, D>,
) -> Option<f64> {
    (B::ad_enabled(&x.device()) && dropout.prob > 0.0).then_some(1.0 - dropout.prob)
}

/// Fused multi-head attention on flex in f32 (`None` elsewhere): `q` `[batch, seq_q, heads *
/// head_dim]`, `k`/`v` `[batch, seq_k, heads * head_dim]` as the projections produce them,
/// `bias` broadcastable to `[batch, heads, seq_q, seq_k]`; returns the context `[batch, seq_q,
/// heads * head_dim]`. One parallel task per `(batch, head)` computes `softmax(q·kᵀ·scale +
/// bias)`, dropout and `·v` without splitting or merging the heads in memory, and its
/// backward recomputes the dropout mask instead of storing it.
pub fn attention<B: Backend>(
    inputs: AttentionInputs<B, 3>,
    heads: usize,
    dropout: &Dropout,
) -> Result<Tensor<B, 3>, AttentionInputs<B, 3>> {
    #[cfg(feature = "flex")]
    if flex::applies::<B>(inputs.q.dtype()) {
        let keep = keep_probability(dropout, &inputs.q);
        return Ok(flex::attention(inputs, heads, keep));
    }
    let _ = (heads, dropout);
    Err(inputs)
}

/// The relative-position gathers as indices into a row-major `[seq, width]` score matrix:
/// pair `(i, j)` reads `c2p[i * seq + j]` of `q·pos_keyᵀ` and `p2c[i * seq + j]` of
/// `k·pos_queryᵀ` (then transposed: it lands on pair `(j, i)`).
#[derive(Debug)]
pub struct RelativeGather {
    /// Sequence length.
    pub seq: usize,
    /// Relative positions (rows of `pos_key` / `pos_query`).
    pub width: usize,
    /// `[seq * seq]` indices below `seq * width`.
    pub c2p: Vec<usize>,
    /// `[seq * seq]` indices below `seq * width`.
    pub p2c: Vec<usize>,
}

/// The inputs of [`disentangled_bias`]: `q`, `k` `[batch, seq, heads * head_dim]` as the
/// projections produce them, the position projections `pos_key`, `pos_query`
/// `[width, heads * head_dim]`, the gathers, and `mask` broadcastable to
/// `[batch, heads, seq, seq]` (no gradient flows to it).
pub struct DisentangledBias<B: Backend> {
    /// Query projection.
    pub q: Tensor<B, 3>,
    /// Key projection.
    pub k: Tensor<B, 3>,
    /// The relative embeddings through the key projection.
    pub pos_key: Tensor<B, 2>,
    /// The relative embeddings through the query projection.
    pub pos_query: Tensor<B, 2>,
    /// Where each pair reads its relative scores.
    pub gather: Arc<RelativeGather>,
    /// Attention heads.
    pub heads: usize,
    /// Each term is divided by it.
    pub scale: f64,
    /// The attention mask bias.
    pub mask: Tensor<B, 4>,
}

/// DeBERTa's attention bias with both relative terms, `c2p / scale + p2c / scale + mask`
/// `[batch, heads, seq, seq]`, as one op with its own backward on flex in f32; elsewhere the
/// inputs come back for the caller to compose Burn ops.
pub fn disentangled_bias<B: Backend>(
    inputs: DisentangledBias<B>,
) -> Result<Tensor<B, 4>, DisentangledBias<B>> {
    #[cfg(feature = "flex")]
    if flex::applies::<B>(inputs.q.dtype()) {
        return Ok(flex::disentangled_bias(inputs));
    }
    Err(inputs)
}

/// The hyperparameters of one AdamW update (`torch.optim.AdamW` semantics) at step `step`
/// (1 for the first update of a parameter).
#[derive(Clone, Copy, Debug)]
pub struct AdamWStep {
    /// Learning rate.
    pub lr: f64,
    /// Decay rate of the first moment.
    pub beta1: f64,
    /// Decay rate of the second moment.
    pub beta2: f64,
    /// Added to the denominator.
    pub eps: f64,
    /// Decoupled weight decay (`None` or 0: the parameter is not decayed).
    pub weight_decay: Option<f64>,
    /// This update's number, from 1.
    pub step: i32,
}

impl AdamWStep {
    fn bias_corrections(&self) -> (f64, f64) {
        (
            1.0 - self.beta1.powi(self.step),
            (1.0 - self.beta2.powi(self.step)).sqrt(),
        )
    }

    /// The update's scalars in f32, computed in f64 first as the tensor ops take them.
    #[cfg(feature = "flex")]
    fn scalars(&self, first: bool) -> cpu::AdamWScalars {
        let (bc1, bc2_sqrt) = self.bias_corrections();
        cpu::AdamWScalars {
            beta1: self.beta1 as f32,
            one_minus_beta1: (1.0 - self.beta1) as f32,
            beta2: self.beta2 as f32,
            one_minus_beta2: (1.0 - self.beta2) as f32,
            decay: self
                .weight_decay
                .filter(|wd| *wd != 0.0)
                .map(|wd| (1.0 - self.lr * wd) as f32),
            bias_correction2_sqrt: bc2_sqrt as f32,
            eps: self.eps as f32,
            step_size: (self.lr / bc1) as f32,
            first,
        }
    }
}

/// One AdamW update of a flattened parameter: returns `(param, exp_avg, exp_avg_sq)`;
/// `moments` is `None` before the first update. On flex (f32, not autodiff) one parallel
/// pass updates the three buffers in place; elsewhere twelve tensor ops do the same
/// arithmetic:
///
/// ```text
/// m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²
/// p ← p·(1 − lr·wd) − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps)
/// ```
pub fn adamw_update<B: Backend>(
    param: Tensor<B, 1>,
    grad: Tensor<B, 1>,
    moments: Option<(Tensor<B, 1>, Tensor<B, 1>)>,
    step: &AdamWStep,
) -> (Tensor<B, 1>, Tensor<B, 1>, Tensor<B, 1>) {
    #[cfg(feature = "flex")]
    let (param, grad, moments) = match flex::adamw_update(param, grad, moments, step) {
        Ok(updated) => return updated,
        Err(inputs) => inputs,
    };
    let AdamWStep {
        lr,
        beta1,
        beta2,
        eps,
        weight_decay,
        ..
    } = *step;
    let (exp_avg, exp_avg_sq) = match moments {
        Some((m, v)) => (
            m.mul_scalar(beta1) + grad.clone().mul_scalar(1.0 - beta1),
            v.mul_scalar(beta2) + grad.square().mul_scalar(1.0 - beta2),
        ),
        None => (
            grad.clone().mul_scalar(1.0 - beta1),
            grad.square().mul_scalar(1.0 - beta2),
        ),
    };
    let (bc1, bc2_sqrt) = step.bias_corrections();
    let decayed = match weight_decay.filter(|wd| *wd != 0.0) {
        Some(wd) => param.mul_scalar(1.0 - lr * wd),
        None => param,
    };
    let denom = exp_avg_sq
        .clone()
        .sqrt()
        .div_scalar(bc2_sqrt)
        .add_scalar(eps);
    let updated = decayed - exp_avg.clone().div(denom).mul_scalar(lr / bc1);
    (updated, exp_avg, exp_avg_sq)
}

#[cfg(all(test, feature = "flex"))]
mod tests {
    use burn::backend::{Autodiff, Flex};
    use burn::module::Param;
    use burn::nn::{DropoutConfig, LayerNormConfig};
    use burn::tensor::activation::gelu;
    use burn::tensor::{Distribution, Tensor};

    use super::*;

    type Ad = Autodiff<Flex>;

    fn random<const D: usize>(shape: [usize; D]) -> Tensor<Ad, D> {
        Tensor::random(shape, Distribution::Normal(0.0, 1.0), &Default::default()).require_grad()
    }

    fn assert_close<const D: usize>(a: Tensor<Flex, D>, b: Tensor<Flex, D>, what: &str) {
        assert_eq!(a.dims(), b.dims(), "{what}");
        let (a, b) = (
            a.into_data().to_vec::<f32>().unwrap(),
            b.into_data().to_vec::<f32>().unwrap(),
        );
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() <= 1e-5 * (1.0 + y.abs()),
                "{what}: {x} vs {y}"
            );
        }
    }

    /// `sum(out * weights)` with fixed random weights, so every output gets its own gradient.
    fn loss<const D: usize>(out: Tensor<Ad, D>, weights: &Tensor<Ad, D>) -> Tensor<Ad, 1> {
        (out * weights.clone().detach()).sum()
    }

    #[test]
    fn residual_layer_norm_matches_burns_composition_in_value_and_gradient() {
        let (x, bias, residual) = (random([6, 16]), random([16]), random([6, 16]));
        let mut ln = LayerNormConfig::new(16)
            .with_epsilon(1e-7)
            .init::<Ad>(&Default::default());
        ln.gamma = Param::from_tensor(random([16]));
        ln.beta = Some(Param::from_tensor(random([16])));
        let off = DropoutConfig::new(0.0).init();
        let w = random([6, 16]);
        let fused = residual_layer_norm(
            x.clone(),
            Some(bias.clone()),
            &off,
            residual.clone(),
            &ln,
            1e-7,
        );
        let reference = ln.forward(x.clone() + bias.clone().unsqueeze_dim(0) + residual.clone());
        assert_close(fused.clone().inner(), reference.clone().inner(), "output");
        let (g1, g2) = (loss(fused, &w).backward(), loss(reference, &w).backward());
        assert_close(x.grad(&g1).unwrap(), x.grad(&g2).unwrap(), "dx");
        assert_close(bias.grad(&g1).unwrap(), bias.grad(&g2).unwrap(), "dbias");
        assert_close(
            residual.grad(&g1).unwrap(),
            residual.grad(&g2).unwrap(),
            "dresidual",
        );
        let (gamma, beta) = (ln.gamma.val(), ln.beta.as_ref().unwrap().val());
        assert_close(gamma.grad(&g1).unwrap(), gamma.grad(&g2).unwrap(), "dgamma");
        assert_close(beta.grad(&g1).unwrap(), beta.grad(&g2).unwrap(), "dbeta");
    }

    #[test]
    fn bias_gelu_matches_burns_gelu_in_value_and_gradient() {
        let (x, bias, w) = (random([5, 24]), random([24]), random([5, 24]));
        let fused = bias_gelu(x.clone(), bias.clone());
        let reference = gelu(x.clone() + bias.clone().unsqueeze_dim(0));
        assert_close(fused.clone().inner(), reference.clone().inner(), "output");
        let (g1, g2) = (loss(fused, &w).backward(), loss(reference, &w).backward());
        assert_close(x.grad(&g1).unwrap(), x.grad(&g2).unwrap(), "dx");
        assert_close(bias.grad(&g1).unwrap(), bias.grad(&g2).unwrap(), "dbias");
    }

    #[test]
    fn fused_attention_matches_the_eager_composition_in_value_and_gradient() {
        let (batch, seq, heads, head_dim) = (2, 5, 3, 4);
        let all = heads * head_dim;
        let off = DropoutConfig::new(0.0).init();
        // A full-shape bias with a gradient (DeBERTa) and a broadcast mask without (RoBERTa).
        for bias in [
            random([batch, heads, seq, seq]),
            random([batch, 1, 1, seq]).detach(),
        ] {
            let w = random([batch, seq, all]);
            let (q, k, v) = (
                random([batch, seq, all]),
                random([batch, seq, all]),
                random([batch, seq, all]),
            );
            let inputs = AttentionInputs {
                q: q.clone(),
                k: k.clone(),
                v: v.clone(),
                bias: bias.clone(),
                scale: 0.3,
            };
            let fused = attention(inputs, heads, &off).expect("flex runs the fused kernel");
            let split = |t: Tensor<Ad, 3>| crate::nn::split_heads(t, heads);
            let scores =
                split(q.clone()).matmul(split(k.clone()).swap_dims(2, 3)) * 0.3 + bias.clone();
            let reference = softmax(scores, 3)
                .matmul(split(v.clone()))
                .swap_dims(1, 2)
                .reshape([batch, seq, all]);
            assert_close(fused.clone().inner(), reference.clone().inner(), "context");
            let (g1, g2) = (loss(fused, &w).backward(), loss(reference, &w).backward());
            for (t, name) in [(&q, "dq"), (&k, "dk"), (&v, "dv")] {
                let d1 = t
                    .grad(&g1)
                    .unwrap_or_else(|| panic!("fused {name} missing"));
                assert_close(d1, t.grad(&g2).unwrap(), name);
            }
            if let Some(d2) = bias.grad(&g2) {
                assert_close(bias.grad(&g1).unwrap(), d2, "dbias");
            }
        }
    }

    #[test]
    fn disentangled_bias_matches_burns_composition_in_value_and_gradient() {
        let (batch, seq, heads, head_dim, width) = (2, 5, 3, 4, 7);
        let all = heads * head_dim;
        let (q, k) = (random([batch, seq, all]), random([batch, seq, all]));
        let (pos_key, pos_query) = (random([width, all]), random([width, all]));
        let mask = random([batch, 1, seq, seq]).detach();
        let w = random([batch, heads, seq, seq]);
        // Row i reads columns of its own row of the [seq, width] scores, in a scrambled order.
        let table = |salt: usize| -> Vec<usize> {
            (0..seq * seq)
                .map(|e| e / seq * width + (e * 3 + salt) % width)
                .collect()
        };
        let (c2p, p2c) = (table(1), table(2));
        let gather = Arc::new(RelativeGather {
            seq,
            width,
            c2p: c2p.clone(),
            p2c: p2c.clone(),
        });
        let scale = 2.5;
        let fused = disentangled_bias(DisentangledBias {
            q: q.clone(),
            k: k.clone(),
            pos_key: pos_key.clone(),
            pos_query: pos_query.clone(),
            gather,
            heads,
            scale,
            mask: mask.clone(),
        })
        .ok()
        .expect("flex runs the fused kernel");

        let split = |t: Tensor<Ad, 3>| crate::nn::split_heads(t, heads);
        let gathered = |scores: Tensor<Ad, 4>, index: &[usize]| {
            let index = index.iter().map(|&i| i as i64).collect::<Vec<_>>();
            let index = Tensor::<Ad, 1, burn::tensor::Int>::from_data(
                burn::tensor::TensorData::new(index, [seq * seq]),
                &Default::default(),
            );
            scores
                .reshape([batch, heads, seq * width])
                .select(2, index)
                .reshape([batch, heads, seq, seq])
        };
        let c2p_scores =
            split(q.clone()).matmul(split(pos_key.clone().unsqueeze()).swap_dims(2, 3));
        let p2c_scores =
            split(k.clone()).matmul(split(pos_query.clone().unsqueeze()).swap_dims(2, 3));
        let reference = gathered(c2p_scores, &c2p) / scale
            + gathered(p2c_scores, &p2c).swap_dims(2, 3) / scale
            + mask;
        assert_close(fused.clone().inner(), reference.clone().inner(), "bias");
        let (g1, g2) = (loss(fused, &w).backward(), loss(reference, &w).backward());
        for (t, name) in [(&q, "dq"), (&k, "dk")] {
            assert_close(t.grad(&g1).unwrap(), t.grad(&g2).unwrap(), name);
        }
        for (t, name) in [(&pos_key, "dpos_key"), (&pos_query, "dpos_query")] {
            assert_close(t.grad(&g1).unwrap(), t.grad(&g2).unwrap(), name);
        }
    }

    #[test]
    fn adamw_update_matches_the_tensor_op_composition() {
        // The autodiff backend takes the composition of tensor ops, plain flex the fused pass.
        let plain = |shape: [usize; 1]| random(shape).inner();
        let n = 40_000;
        let (param, grad) = (plain([n]), plain([n]));
        let moments = (plain([n]), plain([n]).abs());
        for (moments, weight_decay, t) in [(None, Some(0.01), 1), (Some(moments), None, 7)] {
            let step = AdamWStep {
                lr: 2e-3,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weight_decay,
                step: t,
            };
            let fused = adamw_update(param.clone(), grad.clone(), moments.clone(), &step);
            let ad = |t: Tensor<Flex, 1>| Tensor::<Ad, 1>::from_inner(t);
            let reference = adamw_update(
                ad(param.clone()),
                ad(grad.clone()),
                moments.map(|(m, v)| (ad(m), ad(v))),
                &step,
            );
            assert_close(fused.0, reference.0.inner(), "param");
            assert_close(fused.1, reference.1.inner(), "exp_avg");
            assert_close(fused.2, reference.2.inner(), "exp_avg_sq");
        }
    }

    #[test]
    fn linear_matches_burns_linear_in_value_and_gradient() {
        let (x, weight, bias, w) = (random([7, 6]), random([6, 5]), random([5]), random([7, 5]));
        for bias in [Some(bias), None] {
            let fused = linear(x.clone(), weight.clone(), bias.clone());
            let reference = burn::tensor::module::linear(x.clone(), weight.clone(), bias.clone());
            assert_close(fused.clone().inner(), reference.clone().inner(), "output");
            let (g1, g2) = (loss(fused, &w).backward(), loss(reference, &w).backward());
            assert_close(x.grad(&g1).unwrap(), x.grad(&g2).unwrap(), "dx");
            assert_close(weight.grad(&g1).unwrap(), weight.grad(&g2).unwrap(), "dw");
            if let Some(bias) = bias {
                assert_close(bias.grad(&g1).unwrap(), bias.grad(&g2).unwrap(), "dbias");
            }
        }
    }

    #[test]
    fn dropout_masks_keep_the_asked_share_and_are_reproducible() {
        let mask = cpu::DropoutMask::new(42, 0.9);
        let n = 200_000;
        let kept: f32 = (0..n).map(|i| mask.at(i)).sum();
        assert!((kept / n as f32 - 0.9).abs() < 0.005, "{}", kept / n as f32);
        let again = cpu::DropoutMask::new(42, 0.9);
        assert!((0..1000).all(|i| mask.at(i) == again.at(i)));
        let other = cpu::DropoutMask::new(43, 0.9);
        assert!((0..1000).any(|i| mask.at(i) != other.at(i)));
    }

    #[test]
    fn dropout_in_the_residual_op_drops_the_same_elements_forward_and_backward() {
        // The gradient reaching `x` is zero exactly where the forward dropped `x + bias`.
        let (x, bias, residual, w) = (
            random([8, 32]),
            random([32]),
            random([8, 32]),
            random([8, 32]),
        );
        let ln = LayerNormConfig::new(32).init::<Ad>(&Default::default());
        let drop = DropoutConfig::new(0.5).init();
        let out = residual_layer_norm(x.clone(), Some(bias), &drop, residual, &ln, 1e-5);
        let dx = x.grad(&loss(out, &w).backward()).unwrap();
        let dx = dx.into_data().to_vec::<f32>().unwrap();
        let dropped = dx.iter().filter(|v| **v == 0.0).count();
        assert!((80..180).contains(&dropped), "{dropped} of 256 dropped");
    }
}
