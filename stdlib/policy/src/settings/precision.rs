use std::fmt;

/// A numeric precision, as requested by a stage (`auto` allowed) or set by a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Precision {
    /// Let the policies choose (the stdlib's: bf16 on CUDA, f32 elsewhere); f32 if none does.
    Auto,
    /// 32-bit float.
    F32,
    /// 16-bit IEEE half.
    F16,
    /// bfloat16.
    Bf16,
}

impl Precision {
    /// The canonical names.
    pub const NAMES: [&'static str; 4] = ["auto", "f32", "f16", "bf16"];

    /// The precision called `name`: a canonical name or an alias (`fp32`, `float32`, `fp16`,
    /// `float16`, `half`, `bfloat16`), any case.
    pub fn from_name(name: &str) -> Option<Precision> {
        match name.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(Precision::Auto),
            "f32" | "fp32" | "float32" => Some(Precision::F32),
            "f16" | "fp16" | "float16" | "half" => Some(Precision::F16),
            "bf16" | "bfloat16" => Some(Precision::Bf16),
            _ => None,
        }
    }

    /// Its canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Auto => "auto",
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
