//! "Did you mean" suggestions.

/// The candidate closest to `word` (Jaro-Winkler similarity >= 0.8), if any.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<I::Item>
where
    I: IntoIterator,
    I::Item: AsRef<str> + 'a,
{
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c.as_ref()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
