use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An attention path: fused where the backend can, or HF-style eager (unfused) attention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attention {
    /// The model's choice: fused where it can be, eager while attention dropout is active.
    #[default]
    Auto,
    /// Matmul, softmax, dropout, matmul, as HF's "eager" attention.
    Eager,
    /// Burn's fused attention op (no dropout on the attention probabilities).
    Fused,
}

impl Attention {
    /// The canonical names.
    pub const NAMES: [&'static str; 3] = ["auto", "eager", "fused"];

    /// The path called `name` (`sdpa` is an alias of `fused`), any case.
    pub fn from_name(name: &str) -> Option<Attention> {
        match name.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Attention::Auto),
            "eager" => Some(Attention::Eager),
            "fused" | "sdpa" => Some(Attention::Fused),
            _ => None,
        }
    }

    /// Its canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Attention::Auto => "auto",
            Attention::Eager => "eager",
            Attention::Fused => "fused",
        }
    }
}

impl fmt::Display for Attention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Attention {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Attention::from_name(s)
            .ok_or_else(|| format!("unknown attention path `{s}` (expected auto, eager or fused)"))
    }
}
