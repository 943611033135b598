use std::collections::BTreeMap;

use super::error::SplitError;
use super::numpy_random::NumpyRandomState;

/// The row indices of each side of a split, in the order scikit-learn returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Training rows.
    pub train: Vec<usize>,
    /// Validation (test) rows.
    pub test: Vec<usize>,
}

/// The side sizes for `rows` rows and a validation `fraction`:
/// `test = ceil(fraction * rows)`, `train = rows - test` (scikit-learn's rule; 3448 rows at
/// 0.15 give 2930 / 518).
pub fn split_sizes(rows: usize, fraction: f64) -> Result<(usize, usize), SplitError> {
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(SplitError::Fraction { fraction });
    }
    let test = (fraction * rows as f64).ceil() as usize;
    let train = rows.saturating_sub(test);
    if train == 0 || test == 0 {
        return Err(SplitError::EmptySide {
            rows,
            fraction,
            train,
            test,
        });
    }
    Ok((train, test))
}

/// Splits rows stratified by `labels` (one per row), mirroring scikit-learn's
/// `StratifiedShuffleSplit` as `train_test_split(..., stratify=labels, random_state=seed)` uses it:
///
/// 1. classes are the distinct label values in sorted order; sizes follow [`split_sizes`];
/// 2. per-class training counts are the floor of `count / rows * n_train`, and the missing units go
///    to the classes with the largest remainders (ties broken at random); validation counts are
///    allotted the same way from what is left of each class (`_approximate_mode`);
/// 3. each class's rows are permuted and cut into its training and validation parts, and each side
///    is permuted once more.
///
/// The random numbers are numpy's legacy `RandomState(seed)` (MT19937), so the rows and their order
/// equal scikit-learn's for the same labels, fraction and seed.
pub fn stratified_split<S: AsRef<str>>(
    labels: &[S],
    fraction: f64,
    seed: u32,
) -> Result<Split, SplitError> {
    let (n_train, n_test) = split_sizes(labels.len(), fraction)?;
    let mut by_class: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (row, label) in labels.iter().enumerate() {
        by_class.entry(label.as_ref()).or_default().push(row);
    }
    if let Some((class, rows)) = by_class.iter().find(|(_, rows)| rows.len() < 2) {
        return Err(SplitError::TinyClass {
            class: class.to_string(),
            count: rows.len(),
        });
    }
    let classes = by_class.len();
    for (side, size) in [("training", n_train), ("validation", n_test)] {
        if size < classes {
            return Err(SplitError::TooFewRows {
                side,
                size,
                classes,
            });
        }
    }
    let class_rows: Vec<Vec<usize>> = by_class.into_values().collect();
    let counts: Vec<usize> = class_rows.iter().map(Vec::len).collect();

    let mut rng = NumpyRandomState::new(seed);
    let train_counts = approximate_mode(&counts, n_train, &mut rng);
    let remaining: Vec<usize> = counts
        .iter()
        .zip(&train_counts)
        .map(|(c, t)| c - t)
        .collect();
    let test_counts = approximate_mode(&remaining, n_test, &mut rng);

    let mut train = Vec::with_capacity(n_train);
    let mut test = Vec::with_capacity(n_test);
    for ((rows, &n_tr), &n_te) in class_rows.iter().zip(&train_counts).zip(&test_counts) {
        let permuted: Vec<usize> = rng
            .permutation(rows.len())
            .into_iter()
            .map(|i| rows[i])
            .collect();
        train.extend_from_slice(&permuted[..n_tr]);
        test.extend_from_slice(&permuted[n_tr..n_tr + n_te]);
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut test);
    Ok(Split { train, test })
}

/// scikit-learn's `_approximate_mode`: per-class draws summing to `draws`, proportional to
/// `counts`, rounding by largest remainder with random tie-breaking.
fn approximate_mode(counts: &[usize], draws: usize, rng: &mut NumpyRandomState) -> Vec<usize> {
    let total: usize = counts.iter().sum();
    let continuous: Vec<f64> = counts
        .iter()
        .map(|&c| c as f64 / total as f64 * draws as f64)
        .collect();
    let mut floored: Vec<usize> = continuous.iter().map(|c| c.floor() as usize).collect();
    let mut need = draws.saturating_sub(floored.iter().sum());
    if need == 0 {
        return floored;
    }
    let remainders: Vec<f64> = continuous
        .iter()
        .zip(&floored)
        .map(|(c, &f)| c - f as f64)
        .collect();
    let mut values = remainders.clone();
    values.sort_by(|a, b| b.total_cmp(a));
    values.dedup();
    for value in values {
        let tied: Vec<usize> = (0..remainders.len())
            .filter(|&i| remainders[i] == value)
            .collect();
        let take = tied.len().min(need);
        for i in rng.choice_without_replacement(&tied, take) {
            floored[i] += 1;
        }
        need -= take;
        if need == 0 {
            break;
        }
    }
    floored
}

#[cfg(test)]
mod tests {
    use super::{NumpyRandomState, approximate_mode, split_sizes};

    #[test]
    fn sizes_round_the_validation_side_up() {
        assert_eq!(split_sizes(3448, 0.15).unwrap(), (2930, 518));
        assert_eq!(split_sizes(10, 0.25).unwrap(), (7, 3));
        assert!(split_sizes(10, 0.0).is_err());
        assert!(split_sizes(10, 1.0).is_err());
        assert!(split_sizes(1, 0.5).is_err());
    }

    #[test]
    fn approximate_mode_matches_sklearn_docstring_examples() {
        // The examples in scikit-learn's `_approximate_mode` docstring.
        assert_eq!(
            approximate_mode(&[4, 2], 3, &mut NumpyRandomState::new(0)),
            [2, 1]
        );
        assert_eq!(
            approximate_mode(&[5, 2], 4, &mut NumpyRandomState::new(0)),
            [3, 1]
        );
        assert_eq!(
            approximate_mode(&[2, 2, 2, 1], 2, &mut NumpyRandomState::new(0)),
            [0, 1, 1, 0]
        );
        assert_eq!(
            approximate_mode(&[2, 2, 2, 1], 2, &mut NumpyRandomState::new(42)),
            [1, 1, 0, 0]
        );
    }
}
