//! Row-parallel f32 kernels on plain slices (rayon): the arithmetic of the fused flex ops.
//!
//! Rows are split into fixed-size chunks, so reductions across rows (bias and LayerNorm
//! parameter gradients) are summed in the same order whatever the thread count.
//!
//! One module per fused op: [`adamw`] (optimiser update), [`linear`] (dense layer), [`gelu`] (bias + GELU), [`layer_norm`] (dropout + residual +
//! LayerNorm), [`softmax`] (scale + bias + softmax + dropout) and [`attention`] (the whole
//! multi-head attention product); the dropout mask and the shared row helpers live here.

mod adamw;
mod attention;
mod disentangled;
mod gelu;
mod layer_norm;
mod linear;
mod softmax;

pub use adamw::{AdamWScalars, adamw_update};
pub use attention::{
    AttentionDims, AttentionGrads, AttentionInputs, attention_backward, attention_forward,
};
pub use disentangled::{DisentangledInputs, disentangled_backward, disentangled_forward};
pub use gelu::{bias_gelu_backward, bias_gelu_forward};
pub use layer_norm::{ResidualInputs, residual_layer_norm_backward, residual_layer_norm_forward};
pub use linear::{LinearGrads, Matrix, linear_backward, linear_forward};
pub use softmax::{BiasView, softmax_backward, softmax_forward};

/// A raw pointer that tasks write through at disjoint offsets.
#[derive(Clone, Copy)]
pub(super) struct SyncPtr(pub(super) *mut f32);
// SAFETY: every task derives the `(batch, head)` block it owns from this pointer; blocks of
// different tasks never overlap (checked by the offsets in the callers), and the buffer
// outlives the parallel loop that uses it.
unsafe impl Send for SyncPtr {}
unsafe impl Sync for SyncPtr {}

impl SyncPtr {
    /// The pointer (a method, so closures capture the whole `Sync` wrapper).
    pub(super) fn get(self) -> *mut f32 {
        self.0
    }
}

/// One single-threaded strided product `dst[m, n] = beta * lhs[m, k] · rhs[k, n]` (row and
/// column strides in elements); with `ACCUMULATE`, `dst += …` instead.
///
/// # Safety
/// As [`gemm_into`].
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn product<const ACCUMULATE: bool>(
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
    let strides = |(rs, cs): (usize, usize)| (rs as isize, cs as isize);
    // SAFETY: forwarded from the caller's contract.
    unsafe {
        gemm_into(
            (m, n, k),
            (dst, dst_rs as isize, ACCUMULATE),
            (lhs, strides((lhs_rs, lhs_cs))),
            (rhs, strides((rhs_rs, rhs_cs))),
            beta,
            gemm::Parallelism::None,
        );
    }
}

/// The one call into `gemm` of these kernels: `dst[m, n] = [dst +] beta * lhs[m, k] ·
/// rhs[k, n]`, each operand given as a pointer with its `(row, column)` strides in elements
/// (`dst`'s column stride is 1) and `dst` read first when `accumulate`.
///
/// # Safety
/// Every pointer with its strides must address valid memory for the shapes, `dst` must not
/// be written concurrently by anyone else, and with `accumulate` it must be initialised.
pub(super) unsafe fn gemm_into(
    (m, n, k): (usize, usize, usize),
    (dst, dst_rs, accumulate): (*mut f32, isize, bool),
    (lhs, (lhs_rs, lhs_cs)): (*const f32, (isize, isize)),
    (rhs, (rhs_rs, rhs_cs)): (*const f32, (isize, isize)),
    beta: f32,
    parallelism: gemm::Parallelism,
) {
    // SAFETY: forwarded from the caller's contract.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            1,
            dst_rs,
            accumulate,
            lhs,
            lhs_cs,
            lhs_rs,
            rhs,
            rhs_cs,
            rhs_rs,
            if accumulate { 1.0 } else { 0.0 },
            beta,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// Rows per rayon task: large enough to amortise scheduling, small enough to balance.
const ROWS_PER_TASK: usize = 16;

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

/// Runs `f` compiled for AVX2 and FMA when the CPU has them, else as built (baseline x86-64
/// has 128-bit vectors only). `f` must be a closure only called here, so that it is inlined
/// into the AVX2 copy; the arithmetic, and so every result, is the same in both (Rust never
/// contracts `a * b + c` into an FMA by itself).
#[inline(always)]
fn simd<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has the features `avx2` was compiled for.
            return unsafe { avx2(f) };
        }
    }
    f()
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

/// Softmax of one row in place (scale and bias already applied), as Burn's decomposition:
/// subtract the max, `exp`, divide by the sum.
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
