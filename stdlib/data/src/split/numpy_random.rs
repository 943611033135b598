use super::mt19937::Mt19937;

/// The parts of numpy's legacy `RandomState` that scikit-learn's stratified split uses:
/// `permutation`, `shuffle` and `choice(..., replace=False)`.
pub(crate) struct NumpyRandomState {
    mt: Mt19937,
}

impl NumpyRandomState {
    pub(crate) fn new(seed: u32) -> Self {
        Self {
            mt: Mt19937::new(seed),
        }
    }

    /// A uniform integer in `0..=max` by masked rejection (numpy's `random_interval`).
    fn random_interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        if max <= u64::from(u32::MAX) {
            loop {
                let value = u64::from(self.mt.next_u32()) & mask;
                if value <= max {
                    return value;
                }
            }
        }
        loop {
            let value = self.mt.next_u64() & mask;
            if value <= max {
                return value;
            }
        }
    }

    /// Fisher-Yates from the end, as numpy's legacy `shuffle` does it.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.random_interval(i as u64) as usize;
            items.swap(i, j);
        }
    }

    /// `permutation(n)`: a shuffled `0..n`.
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut items: Vec<usize> = (0..n).collect();
        self.shuffle(&mut items);
        items
    }

    /// `choice(population, size, replace=False)`: the first `size` of a permutation.
    pub(crate) fn choice_without_replacement(
        &mut self,
        population: &[usize],
        size: usize,
    ) -> Vec<usize> {
        let order = self.permutation(population.len());
        order
            .into_iter()
            .take(size)
            .map(|i| population[i])
            .collect()
    }
}
