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

impl HubEnv {
    /// This environment with variables overridden by `vars` (e.g. the `env` a device policy set
    /// for the stage): `HF_HOME`, `HF_HUB_CACHE`, `HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE`.
    pub fn with_overrides<'a>(
        mut self,
        vars: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Self {
        for (name, value) in vars {
            let value = value.trim();
            let set = (!value.is_empty()).then(|| value.to_string());
            match name.as_str() {
                "HF_HOME" => self.hf_home = set.map(PathBuf::from),
                "HF_HUB_CACHE" | "HUGGINGFACE_HUB_CACHE" => {
                    self.hf_hub_cache = set.map(PathBuf::from)
                }
                "HF_ENDPOINT" => self.endpoint = set,
                "HF_TOKEN" => self.token = set,
                "HF_HUB_OFFLINE" => self.offline = is_true(value),
                _ => {}
            }
        }
        self
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
    use super::{HubEnv, is_true};

    #[test]
    fn overrides_replace_hub_variables() {
        let vars: std::collections::BTreeMap<String, String> = [
            ("HF_HOME".to_string(), "/fallback".to_string()),
            ("HF_HUB_OFFLINE".to_string(), "1".to_string()),
            ("TOKENIZERS_PARALLELISM".to_string(), "true".to_string()),
        ]
        .into_iter()
        .collect();
        let env = HubEnv {
            endpoint: Some("http://x".into()),
            ..HubEnv::default()
        }
        .with_overrides(&vars);
        assert_eq!(env.hf_home, Some("/fallback".into()));
        assert!(env.offline);
        assert_eq!(env.endpoint.as_deref(), Some("http://x"));
    }

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
