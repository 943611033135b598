use std::path::PathBuf;

/// The environment that configures Hub access, as Python's `huggingface_hub` reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubEnv {
    /// `HF_HOME` (default root of all Hugging Face state).
    pub hf_home: Option<PathBuf>,
    /// `HF_HUB_CACHE` (or the older `HUGGINGFACE_HUB_CACHE`): the hub cache itself.
    pub hf_hub_cache: Option<PathBuf>,
    /// `XDG_CACHE_HOME`.
    pub xdg_cache_home: Option<PathBuf>,
    /// `HOME`.
    pub home: Option<PathBuf>,
    /// `HF_ENDPOINT` (default `https://huggingface.co`).
    pub endpoint: Option<String>,
    /// `HF_TOKEN`.
    pub token: Option<String>,
    /// `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) set to 1/on/yes/true.
    pub offline: bool,
}

impl HubEnv {
    /// Reads the variables of this process; empty values count as unset.
    pub fn from_process() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            hf_home: var("HF_HOME").map(PathBuf::from),
            hf_hub_cache: var("HF_HUB_CACHE")
                .or_else(|| var("HUGGINGFACE_HUB_CACHE"))
                .map(PathBuf::from),
            xdg_cache_home: var("XDG_CACHE_HOME").map(PathBuf::from),
            home: var("HOME")
                .or_else(|| var("USERPROFILE"))
                .map(PathBuf::from),
            endpoint: var("HF_ENDPOINT"),
            token: var("HF_TOKEN"),
            offline: var("HF_HUB_OFFLINE")
                .or_else(|| var("TRANSFORMERS_OFFLINE"))
                .is_some_and(|v| is_true(&v)),
        }
    }
}

/// `huggingface_hub`'s truthy spellings.
fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_uppercase().as_str(),
        "1" | "ON" | "YES" | "TRUE"
    )
}

#[cfg(test)]
mod tests {
    use super::is_true;

    #[test]
    fn truthy_values_follow_huggingface_hub() {
        for v in ["1", "on", "YES", "True "] {
            assert!(is_true(v), "{v}");
        }
        for v in ["0", "false", "no", ""] {
            assert!(!is_true(v), "{v}");
        }
    }
}
