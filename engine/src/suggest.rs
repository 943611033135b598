//! "Did you mean" suggestions.

/// How many candidates are compared at most (keeps suggestions cheap on huge pipelines).
pub const MAX_CANDIDATES: usize = 2000;

/// The candidate closest to `word` (Jaro-Winkler similarity >= 0.8), if any.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<I::Item>
where
    I: IntoIterator,
    I::Item: AsRef<str> + 'a,
{
    candidates
        .into_iter()
        .take(MAX_CANDIDATES)
        .map(|c| (strsim::jaro_winkler(word, c.as_ref()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The help line for a misspelt name: "did you mean `BEST`?" when [`closest`] found a
/// candidate, else `otherwise`.
pub fn help(best: Option<impl std::fmt::Display>, otherwise: impl FnOnce() -> String) -> String {
    match best {
        Some(best) => format!("did you mean `{best}`?"),
        None => otherwise(),
    }
}

/// [`help`] for the candidate of `candidates` closest to `word`.
pub fn did_you_mean<I>(word: &str, candidates: I, otherwise: impl FnOnce() -> String) -> String
where
    I: IntoIterator,
    I::Item: AsRef<str> + std::fmt::Display,
{
    help(closest(word, candidates), otherwise)
}
