use std::fmt;

/// An attention path: fused where the backend can, or HF-style eager (unfused) attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attention {
    /// The model's choice (fused where it can be).
    Auto,
    /// Matmul, softmax, dropout, matmul, as HF's "eager" attention.
    Eager,
    /// Burn's fused attention op.
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
