use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which classification heads sit on the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeadKind {
    /// One 3-way clarity head.
    Direct,
    /// One 9-way evasion head; clarity follows through the evasion -> clarity mapping.
    Hierarchical,
    /// Both heads, trained with the multitask loss.
    Multitask,
}

impl HeadKind {
    /// The accepted names.
    pub const NAMES: [&'static str; 3] = ["direct", "hierarchical", "multitask"];

    /// The kebab-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Hierarchical => "hierarchical",
            Self::Multitask => "multitask",
        }
    }

    /// Whether the model has a 9-way evasion head.
    pub fn has_evasion_head(self) -> bool {
        matches!(self, Self::Hierarchical | Self::Multitask)
    }

    /// Whether the model has a 3-way clarity head.
    pub fn has_clarity_head(self) -> bool {
        matches!(self, Self::Direct | Self::Multitask)
    }
}

impl fmt::Display for HeadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HeadKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "direct" | "clarity" => Ok(Self::Direct),
            "hierarchical" | "evasion" => Ok(Self::Hierarchical),
            "multitask" | "multi-task" => Ok(Self::Multitask),
            other => Err(format!(
                "unknown head `{other}` (expected direct, hierarchical or multitask)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_the_python_task_names() {
        assert_eq!("hierarchical".parse(), Ok(HeadKind::Hierarchical));
        assert_eq!("evasion".parse(), Ok(HeadKind::Hierarchical));
        assert_eq!("clarity".parse(), Ok(HeadKind::Direct));
        assert_eq!(" Multitask ".parse(), Ok(HeadKind::Multitask));
        assert!("both".parse::<HeadKind>().is_err());
        assert!(HeadKind::Multitask.has_evasion_head() && HeadKind::Multitask.has_clarity_head());
        assert!(!HeadKind::Direct.has_evasion_head());
    }
}
