use serde::{Deserialize, Serialize};

/// A `rows x cols` matrix of logits (or probabilities), row-major.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogitMatrix {
    /// Number of columns (classes).
    pub cols: usize,
    /// Row-major values.
    pub values: Vec<f32>,
}

impl LogitMatrix {
    /// An empty matrix with `cols` columns.
    pub fn new(cols: usize) -> Self {
        Self {
            cols,
            values: Vec::new(),
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.values.len().checked_div(self.cols).unwrap_or(0)
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> &[f32] {
        &self.values[r * self.cols..(r + 1) * self.cols]
    }

    /// Appends a row.
    pub fn push(&mut self, row: &[f32]) {
        debug_assert_eq!(row.len(), self.cols);
        self.values.extend_from_slice(row);
    }

    /// The index of the largest value of each row (the first on ties).
    pub fn argmax(&self) -> Vec<usize> {
        (0..self.rows()).map(|r| argmax(self.row(r))).collect()
    }

    /// The row-wise softmax (computed in f64, stable).
    pub fn softmax(&self) -> LogitMatrix {
        let mut out = LogitMatrix::new(self.cols);
        for r in 0..self.rows() {
            out.push(&softmax(self.row(r)));
        }
        out
    }

    /// The element-wise mean of matrices of the same shape; `None` when empty or mismatched.
    pub fn mean(matrices: &[&LogitMatrix]) -> Option<LogitMatrix> {
        let first = matrices.first()?;
        if matrices
            .iter()
            .any(|m| m.cols != first.cols || m.values.len() != first.values.len())
        {
            return None;
        }
        let n = matrices.len() as f64;
        let values = (0..first.values.len())
            .map(|i| (matrices.iter().map(|m| m.values[i] as f64).sum::<f64>() / n) as f32)
            .collect();
        Some(LogitMatrix {
            cols: first.cols,
            values,
        })
    }
}

/// The index of the largest value (the first on ties; NaN never wins).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] || values[best].is_nan() {
            best = i;
        }
    }
    best
}

/// Softmax in f64.
pub fn softmax(values: &[f32]) -> Vec<f32> {
    let max = values
        .iter()
        .fold(f64::NEG_INFINITY, |m, &v| m.max(v as f64));
    let exps: Vec<f64> = values.iter().map(|&v| (v as f64 - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| (e / sum) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_the_first_maximum() {
        assert_eq!(argmax(&[0.1, 0.7, 0.7]), 1);
        assert_eq!(argmax(&[f32::NAN, -1.0]), 1);
    }

    #[test]
    fn softmax_of_log_values() {
        // logits ln 1, ln 3 -> [1/4, 3/4]
        let p = softmax(&[0.0, 3f32.ln()]);
        assert!((p[0] - 0.25).abs() < 1e-6 && (p[1] - 0.75).abs() < 1e-6);
    }

    #[test]
    fn mean_averages_elementwise() {
        let a = LogitMatrix {
            cols: 2,
            values: vec![1.0, 2.0, 3.0, 4.0],
        };
        let b = LogitMatrix {
            cols: 2,
            values: vec![3.0, 0.0, -3.0, 4.0],
        };
        let m = LogitMatrix::mean(&[&a, &b]).unwrap();
        assert_eq!(m.values, vec![2.0, 1.0, 0.0, 4.0]);
        assert_eq!(m.rows(), 2);
        assert_eq!(m.argmax(), vec![0, 1]);
        let c = LogitMatrix {
            cols: 3,
            values: vec![0.0; 3],
        };
        assert!(LogitMatrix::mean(&[&a, &c]).is_none());
        assert!(LogitMatrix::mean(&[]).is_none());
    }
}
