use super::labels::EvasionLabel;

/// A set of evasion labels (e.g. the labels the annotators gave), stored as a bit mask over the
/// class indices: bit `i` is [`EvasionLabel::from_index`]`(i)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct EvasionSet(u16);

impl EvasionSet {
    /// The empty set.
    pub const EMPTY: EvasionSet = EvasionSet(0);

    /// The set with the given bit mask; bits above the 9 classes are dropped.
    pub fn from_bits(bits: u16) -> Self {
        Self(bits & ((1 << EvasionLabel::COUNT) - 1))
    }

    /// The bit mask.
    pub fn bits(self) -> u16 {
        self.0
    }

    /// Adds a label.
    pub fn insert(&mut self, label: EvasionLabel) {
        self.0 |= 1 << label.index();
    }

    /// Whether the set holds `label`.
    pub fn contains(self, label: EvasionLabel) -> bool {
        self.0 & (1 << label.index()) != 0
    }

    /// Whether the set holds the class with index `class`.
    pub fn contains_index(self, class: usize) -> bool {
        class < EvasionLabel::COUNT && self.0 & (1 << class) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Number of labels in the set.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// The labels in class-index order.
    pub fn iter(self) -> impl Iterator<Item = EvasionLabel> {
        EvasionLabel::ALL
            .into_iter()
            .filter(move |l| self.contains(*l))
    }
}

impl FromIterator<EvasionLabel> for EvasionSet {
    fn from_iter<I: IntoIterator<Item = EvasionLabel>>(iter: I) -> Self {
        let mut set = Self::EMPTY;
        for label in iter {
            set.insert(label);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::EvasionSet;
    use crate::clarity::EvasionLabel;

    #[test]
    fn holds_labels_as_class_bits() {
        let set: EvasionSet = [
            EvasionLabel::Clarification,
            EvasionLabel::Explicit,
            EvasionLabel::Explicit,
        ]
        .into_iter()
        .collect();
        assert_eq!(set.bits(), 0b1_0000_0001);
        assert_eq!(set.len(), 2);
        assert!(set.contains(EvasionLabel::Explicit));
        assert!(!set.contains(EvasionLabel::Dodging));
        assert!(set.contains_index(8));
        assert!(!set.contains_index(9));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [EvasionLabel::Explicit, EvasionLabel::Clarification]
        );
        assert_eq!(EvasionSet::from_bits(0xffff).len(), 9);
    }
}
