use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

/// A kind of disentangled relative attention term of DeBERTa (`pos_att_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PosAttType {
    /// Content-to-position (`"c2p"`).
    #[serde(rename = "c2p")]
    C2p,
    /// Position-to-content (`"p2c"`).
    #[serde(rename = "p2c")]
    P2c,
}

/// Reads `pos_att_type` as HF accepts it: `null`, a `|`-separated string
/// (`"p2c|c2p"`, as the Hub's DeBERTa-v3 configs write it) or a list (`["p2c", "c2p"]`).
pub fn deserialize_pos_att_type<'de, D>(deserializer: D) -> Result<Vec<PosAttType>, D::Error>
where
    D: Deserializer<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        List(Vec<String>),
    }
    let names = match Option::<Raw>::deserialize(deserializer)? {
        None => Vec::new(),
        Some(Raw::Text(text)) => text
            .to_lowercase()
            .split('|')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Raw::List(list)) => list.iter().map(|s| s.trim().to_lowercase()).collect(),
    };
    let mut kinds = Vec::with_capacity(names.len());
    for name in names {
        let kind = match name.as_str() {
            "c2p" => PosAttType::C2p,
            "p2c" => PosAttType::P2c,
            other => {
                return Err(de::Error::custom(format!(
                    "unsupported pos_att_type `{other}` (supported: \"c2p\", \"p2c\")"
                )));
            }
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}
