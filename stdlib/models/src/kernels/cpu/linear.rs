//! The dense layer `y = x·w + bias` on row-major slices, and its backward.
//!
//! Each product is one `gemm` call straight into a fresh, uninitialised buffer: no zeroed
//! output that is then copied into an aligned one (as flex's matmul does), and the bias is
//! written into the rows (in parallel) before the product accumulates onto it, instead of a
//! separate broadcast add on one thread.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use super::{ROWS_PER_TASK, gemm_into, sum_partials};

/// Below this many multiply-adds a product runs on the calling thread (flex's threshold).
const PARALLEL_PRODUCT: usize = 192 * 192 * 192;

/// A row-major matrix view: `rows × cols` elements of `data` (its length is checked).
#[derive(Clone, Copy)]
pub struct Matrix<'a> {
    /// The elements, row after row.
    pub data: &'a [f32],
    /// Columns (the row length).
    pub cols: usize,
}

impl Matrix<'_> {
    fn rows(&self) -> usize {
        assert!(
            self.cols > 0 && self.data.len().is_multiple_of(self.cols),
            "matrix length"
        );
        self.data.len() / self.cols
    }
}

/// How a product reads an operand stored row-major as `[r, c]`: as it is (`[r, c]`) or
/// transposed (`[c, r]`); returns `(rows, cols, row_stride, col_stride)` of the operand.
fn operand(m: Matrix<'_>, transposed: bool) -> (usize, usize, isize, isize) {
    let (r, c) = (m.rows(), m.cols);
    if transposed {
        (c, r, 1, c as isize)
    } else {
        (r, c, c as isize, 1)
    }
}

/// `dst = [dst +] op(lhs) · op(rhs)` into `dst` (`m × n`, row-major), where `op` transposes
/// an operand when its flag is set. With `accumulate` the product is added to what `dst`
/// holds (which must then be initialised); without, `dst` is only written.
fn product(
    dst: &mut [MaybeUninit<f32>],
    accumulate: bool,
    (lhs, lhs_t): (Matrix<'_>, bool),
    (rhs, rhs_t): (Matrix<'_>, bool),
) {
    let (m, k, lhs_rs, lhs_cs) = operand(lhs, lhs_t);
    let (k2, n, rhs_rs, rhs_cs) = operand(rhs, rhs_t);
    assert_eq!(k, k2, "inner dimensions");
    assert_eq!(dst.len(), m * n, "output length");
    let parallelism = if m.saturating_mul(n).saturating_mul(k) >= PARALLEL_PRODUCT {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    };
    // SAFETY: the lengths were checked against the shapes and strides above, so every
    // address gemm forms is inside `dst`, `lhs` or `rhs`; `dst` is borrowed mutably. Without
    // `accumulate` gemm does not read `dst` and writes all of it.
    unsafe {
        gemm_into(
            (m, n, k),
            (dst.as_mut_ptr().cast::<f32>(), n as isize, accumulate),
            (lhs.data.as_ptr(), (lhs_rs, lhs_cs)),
            (rhs.data.as_ptr(), (rhs_rs, rhs_cs)),
            1.0,
            parallelism,
        );
    }
}

/// A buffer of `len` elements filled by `fill`.
///
/// # Safety
/// `fill` must initialise every element of the slice it is given.
unsafe fn filled(len: usize, fill: impl FnOnce(&mut [MaybeUninit<f32>])) -> Vec<f32> {
    let mut out = Vec::with_capacity(len);
    fill(&mut out.spare_capacity_mut()[..len]);
    // SAFETY: `fill` initialised the first `len` elements (the caller's contract).
    unsafe { out.set_len(len) };
    out
}

/// `x·w (+ bias)` for `x` `[rows, d_in]`, `w` `[d_in, d_out]`, `bias` `[d_out]`.
pub fn linear_forward(x: Matrix<'_>, w: Matrix<'_>, bias: Option<&[f32]>) -> Vec<f32> {
    let (rows, d_out) = (x.rows(), w.cols);
    // SAFETY: with a bias every row is written with it before the product adds onto it;
    // without, the product writes all of `dst`.
    unsafe {
        filled(rows * d_out, |dst| {
            if let Some(bias) = bias {
                assert_eq!(bias.len(), d_out, "bias length");
                dst.par_chunks_mut(d_out * ROWS_PER_TASK).for_each(|chunk| {
                    for row in chunk.chunks_exact_mut(d_out) {
                        for (d, b) in row.iter_mut().zip(bias) {
                            d.write(*b);
                        }
                    }
                });
            }
            product(dst, bias.is_some(), (x, false), (w, false));
        })
    }
}

/// The gradients [`linear_backward`] was asked for.
#[derive(Debug, Default)]
pub struct LinearGrads {
    /// Of the input, `[rows, d_in]`.
    pub dx: Option<Vec<f32>>,
    /// Of the weight, `[d_in, d_out]`.
    pub dw: Option<Vec<f32>>,
    /// Of the bias, `[d_out]`.
    pub dbias: Option<Vec<f32>>,
}

/// Given the layer's input `x` `[rows, d_in]`, weight `w` `[d_in, d_out]` and the output
/// gradient `grad` `[rows, d_out]`: `grad·wᵀ` (when `dx`), `xᵀ·grad` (when `dw`) and the
/// bias gradient, `grad` summed over rows (when `dbias`).
pub fn linear_backward(
    x: Matrix<'_>,
    w: Matrix<'_>,
    grad: Matrix<'_>,
    (dx, dw, dbias): (bool, bool, bool),
) -> LinearGrads {
    let (d_in, d_out) = (x.cols, grad.cols);
    // SAFETY: a product without `accumulate` writes all of its output.
    let dx = dx.then(|| unsafe {
        filled(x.data.len(), |dst| {
            product(dst, false, (grad, false), (w, true))
        })
    });
    // SAFETY: as for `dx`.
    let dw = dw.then(|| unsafe {
        filled(d_in * d_out, |dst| {
            product(dst, false, (x, true), (grad, false))
        })
    });
    let dbias = dbias.then(|| {
        let partials = grad
            .data
            .par_chunks(d_out * ROWS_PER_TASK)
            .map(|chunk| {
                let mut sum = vec![0.0f32; d_out];
                for row in chunk.chunks_exact(d_out) {
                    for (s, g) in sum.iter_mut().zip(row) {
                        *s += g;
                    }
                }
                sum
            })
            .collect();
        sum_partials(partials, d_out)
    });
    LinearGrads { dx, dw, dbias }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        (0..m * n)
            .map(|e| (0..k).map(|i| a[e / n * k + i] * b[i * n + e % n]).sum())
            .collect()
    }

    fn transpose(a: &[f32], r: usize, c: usize) -> Vec<f32> {
        (0..r * c).map(|e| a[e % r * c + e / r]).collect()
    }

    fn close(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() <= 1e-4 * (1.0 + y.abs()), "{x} vs {y}");
        }
    }

    #[test]
    fn forward_and_backward_match_the_naive_products() {
        // Large enough that the products run threaded.
        let (m, k, n) = (300, 200, 260);
        let val = |i: usize, s: f32| ((i * 37 % 101) as f32 / 50.0 - 1.0) * s;
        let x: Vec<f32> = (0..m * k).map(|i| val(i, 1.0)).collect();
        let w: Vec<f32> = (0..k * n).map(|i| val(i + 7, 0.5)).collect();
        let bias: Vec<f32> = (0..n).map(|i| val(i + 3, 2.0)).collect();
        let g: Vec<f32> = (0..m * n).map(|i| val(i + 11, 1.5)).collect();
        let (xm, wm, gm) = (
            Matrix { data: &x, cols: k },
            Matrix { data: &w, cols: n },
            Matrix { data: &g, cols: n },
        );

        let mut expected = naive(&x, &w, m, k, n);
        for (e, v) in expected.iter_mut().enumerate() {
            *v += bias[e % n];
        }
        close(&linear_forward(xm, wm, Some(&bias)), &expected);
        close(&linear_forward(xm, wm, None), &naive(&x, &w, m, k, n));

        let all = linear_backward(xm, wm, gm, (true, true, true));
        close(&all.dx.unwrap(), &naive(&g, &transpose(&w, k, n), m, n, k));
        close(&all.dw.unwrap(), &naive(&transpose(&x, m, k), &g, k, m, n));
        let sums: Vec<f32> = (0..n).map(|j| (0..m).map(|i| g[i * n + j]).sum()).collect();
        close(&all.dbias.unwrap(), &sums);
        let none = linear_backward(xm, wm, gm, (false, false, false));
        assert!(none.dx.is_none() && none.dw.is_none() && none.dbias.is_none());
    }
}
