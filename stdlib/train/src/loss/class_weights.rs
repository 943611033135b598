/// Inverse-frequency class weights `total / (classes * count)` (scikit-learn's "balanced").
///
/// A class with no examples gets weight 0: it is never a target, so its weight only enters the
/// label-smoothing term, where 0 keeps the smoothing mass off a class the data never shows.
pub fn inverse_frequency_weights(counts: &[u64]) -> Vec<f32> {
    let total: u64 = counts.iter().sum();
    let classes = counts.len() as f64;
    counts
        .iter()
        .map(|&count| {
            if count == 0 {
                0.0
            } else {
                (total as f64 / (classes * count as f64)) as f32
            }
        })
        .collect()
}

/// Counts of each class index among `labels` (indices at or above `classes` are ignored).
pub fn class_counts(labels: &[usize], classes: usize) -> Vec<u64> {
    let mut counts = vec![0; classes];
    for &label in labels {
        if let Some(count) = counts.get_mut(label) {
            *count += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_total_over_classes_times_count() {
        // counts 6, 3, 1 -> total 10; weights 10/(3*6) = 5/9, 10/9, 10/3.
        let w = inverse_frequency_weights(&[6, 3, 1]);
        assert!((w[0] - 5.0 / 9.0).abs() < 1e-7);
        assert!((w[1] - 10.0 / 9.0).abs() < 1e-7);
        assert!((w[2] - 10.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn absent_classes_weigh_zero() {
        // counts 2, 0, 2 -> total 4; 4/(3*2) = 2/3 for the present classes.
        let w = inverse_frequency_weights(&[2, 0, 2]);
        assert_eq!(w[1], 0.0);
        assert!((w[0] - 2.0 / 3.0).abs() < 1e-7);
    }

    #[test]
    fn counts_labels() {
        assert_eq!(class_counts(&[0, 2, 2, 7], 3), vec![1, 0, 2]);
    }
}
