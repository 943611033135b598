use clarity_data::clarity::{ClarityLabel, EvasionLabel};

/// `EVASION_TO_CLARITY[e]` is the clarity class index of evasion class index `e`.
pub fn evasion_to_clarity() -> Vec<usize> {
    EvasionLabel::ALL
        .iter()
        .map(|e| e.clarity().index())
        .collect()
}

/// The evasion class names in class-index order.
pub fn evasion_names() -> Vec<&'static str> {
    EvasionLabel::ALL.iter().map(|e| e.name()).collect()
}

/// The clarity class names in class-index order.
pub fn clarity_names() -> Vec<&'static str> {
    ClarityLabel::ALL.iter().map(|c| c.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_each_evasion_class_to_its_clarity_class() {
        // Explicit -> Clear Reply (0); Implicit, General, Partial, Dodging, Deflection ->
        // Ambivalent (1); Declining, Claims ignorance, Clarification -> Clear Non-Reply (2).
        assert_eq!(evasion_to_clarity(), vec![0, 1, 1, 1, 1, 1, 2, 2, 2]);
        assert_eq!(evasion_names().len(), 9);
        assert_eq!(
            clarity_names(),
            ["Clear Reply", "Ambivalent Reply", "Clear Non-Reply"]
        );
    }
}
