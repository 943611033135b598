//! HF checkpoint key ↔ Burn module path.
//!
//! Module fields mirror HF attribute names except where Rust forbids or discourages them:
//! `LayerNorm` is the field `layer_norm` and `self` (a keyword) is `self_attn`. LayerNorm's
//! `weight`/`bias` ↔ Burn's `gamma`/`beta` and the Linear transposes are handled by
//! burn-store's PyTorch adapters.

const SEGMENT_RENAMES: [(&str, &str); 2] = [("LayerNorm", "layer_norm"), ("self", "self_attn")];

/// The Burn module path (with PyTorch parameter names) of an HF key.
pub fn hf_to_burn(key: &str) -> String {
    map_segments(key, |s| {
        SEGMENT_RENAMES
            .iter()
            .find(|(hf, _)| *hf == s)
            .map(|(_, burn)| *burn)
    })
}

/// The HF key of a Burn module path (with PyTorch parameter names).
pub fn burn_to_hf(path: &str) -> String {
    map_segments(path, |s| {
        SEGMENT_RENAMES
            .iter()
            .find(|(_, burn)| *burn == s)
            .map(|(hf, _)| *hf)
    })
}

fn map_segments<'a>(key: &'a str, rename: impl Fn(&'a str) -> Option<&'static str>) -> String {
    key.split('.')
        .map(|s| rename(s).unwrap_or(s))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_layer_norm_and_self_both_ways() {
        let hf = "roberta.encoder.layer.0.attention.self.query.weight";
        let burn = "roberta.encoder.layer.0.attention.self_attn.query.weight";
        assert_eq!(hf_to_burn(hf), burn);
        assert_eq!(burn_to_hf(burn), hf);
        assert_eq!(
            hf_to_burn("deberta.encoder.LayerNorm.bias"),
            "deberta.encoder.layer_norm.bias"
        );
        assert_eq!(
            burn_to_hf("deberta.encoder.layer_norm.bias"),
            "deberta.encoder.LayerNorm.bias"
        );
    }

    #[test]
    fn leaves_substrings_alone() {
        assert_eq!(hf_to_burn("selfish.LayerNormX.w"), "selfish.LayerNormX.w");
    }
}
