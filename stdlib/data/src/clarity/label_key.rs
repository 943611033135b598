/// The comparison key of a label spelling: lower case, `_` read as a space, runs of whitespace
/// collapsed, no spaces around `/` and `-`, no trailing full stop.
pub(crate) fn label_key(raw: &str) -> String {
    let lowered = raw.trim().to_lowercase().replace('_', " ");
    let collapsed = lowered.split_whitespace().collect::<Vec<_>>().join(" ");
    let tight = collapsed
        .replace(" /", "/")
        .replace("/ ", "/")
        .replace(" -", "-")
        .replace("- ", "-");
    tight.trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::label_key;

    #[test]
    fn folds_case_space_and_separators() {
        assert_eq!(label_key("  Clear   Non - Reply "), "clear non-reply");
        assert_eq!(label_key("Partial / half-answer"), "partial/half-answer");
        assert_eq!(label_key("declining_to_answer."), "declining to answer");
    }
}
