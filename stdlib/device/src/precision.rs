use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The float type of a model's weights and activations.
///
/// A stage that leaves it to the policies asks for `auto`, which is `None` where a
/// precision is optional; [`Precision::parse_request`] reads that form.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit IEEE float.
    #[default]
    F32,
    /// 16-bit IEEE half.
    F16,
    /// bfloat16.
    Bf16,
}

impl Precision {
    /// Every precision.
    pub const ALL: [Precision; 3] = [Precision::F32, Precision::F16, Precision::Bf16];

    /// The canonical names.
    pub const NAMES: [&'static str; 3] = ["f32", "f16", "bf16"];

    /// The names a stage may ask for: `auto` and the canonical names.
    pub const REQUEST_NAMES: [&'static str; 4] = ["auto", "f32", "f16", "bf16"];

    /// The precision called `name`: a canonical name or an alias (`fp32`, `float32`, `fp16`,
    /// `float16`, `half`, `bfloat16`), any case.
    pub fn from_name(name: &str) -> Option<Precision> {
        match name.trim().to_ascii_lowercase().as_str() {
            "f32" | "fp32" | "float32" => Some(Precision::F32),
            "f16" | "fp16" | "float16" | "half" => Some(Precision::F16),
            "bf16" | "bfloat16" => Some(Precision::Bf16),
            _ => None,
        }
    }

    /// A precision as a stage asks for it: `auto` (`Some(None)`: the policies choose) or a
    /// precision; `None` when `name` is neither.
    pub fn parse_request(name: &str) -> Option<Option<Precision>> {
        if name.trim().eq_ignore_ascii_case("auto") {
            return Some(None);
        }
        Precision::from_name(name).map(Some)
    }

    /// Its canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::F16 => "f16",
            Precision::Bf16 => "bf16",
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Precision {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Precision::from_name(s)
            .ok_or_else(|| format!("unknown precision `{s}` (expected f32, f16 or bf16)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_auto() {
        assert_eq!(Precision::from_name("BFloat16"), Some(Precision::Bf16));
        assert_eq!(Precision::from_name("half"), Some(Precision::F16));
        assert_eq!(Precision::from_name("auto"), None);
        assert_eq!(Precision::parse_request("auto"), Some(None));
        assert_eq!(Precision::parse_request("fp32"), Some(Some(Precision::F32)));
        assert_eq!(Precision::parse_request("f8"), None);
        for p in Precision::ALL {
            assert_eq!(p.name().parse::<Precision>(), Ok(p));
        }
    }
}
