use serde::{Deserialize, Serialize};

/// Which parameters AdamW's weight decay applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecayPolicy {
    /// Every parameter (plain `torch.optim.AdamW(model.parameters())`).
    All,
    /// All but biases and layer-norm parameters (the usual transformer fine-tuning groups,
    /// `no_decay = ["bias", "LayerNorm.weight"]`).
    #[default]
    ExceptBiasAndNorm,
}

impl DecayPolicy {
    /// Whether the parameter at `path` (module field names, the last one the parameter's own)
    /// whose owning module type is `owner` (e.g. `LayerNorm`) is decayed.
    pub fn decays(self, path: &[String], owner: &str) -> bool {
        match self {
            Self::All => true,
            Self::ExceptBiasAndNorm => {
                let name = path.last().map_or("", String::as_str);
                let parent = path.len().checked_sub(2).map_or("", |i| path[i].as_str());
                let in_norm = is_norm(owner) || is_norm(parent);
                !(name == "bias" || in_norm)
            }
        }
    }
}

/// Names a layer norm: contains `LayerNorm` or `layer_norm` in any case.
fn is_norm(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("layernorm") || lower.contains("layer_norm")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    #[test]
    fn skips_biases_and_layer_norms() {
        let p = DecayPolicy::ExceptBiasAndNorm;
        assert!(p.decays(
            &path("encoder.layer.0.attention.self.query.weight"),
            "Linear"
        ));
        assert!(!p.decays(&path("encoder.layer.0.attention.self.query.bias"), "Linear"));
        // Burn's LayerNorm names its parameters gamma/beta; the owner type tells.
        assert!(!p.decays(&path("embeddings.LayerNorm.gamma"), "LayerNorm"));
        assert!(!p.decays(&path("embeddings.LayerNorm.beta"), "LayerNorm"));
        // An HF-named field inside a differently named type.
        assert!(!p.decays(&path("encoder.LayerNorm.weight"), "DebertaLayerNorm"));
        assert!(!p.decays(&path("output.layer_norm.weight"), "Norm"));
        assert!(p.decays(&path("embeddings.word_embeddings.weight"), "Embedding"));
    }

    #[test]
    fn all_decays_everything() {
        assert!(DecayPolicy::All.decays(&path("a.LayerNorm.bias"), "LayerNorm"));
    }
}
