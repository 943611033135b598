use serde::{Deserialize, Serialize};

/// An activation function named in `config.json` (`hidden_act`, `pooler_hidden_act`).
///
/// Mirrors the keys of transformers' `ACT2FN` that these architectures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HiddenAct {
    /// Exact GELU, `x * Φ(x)` with the error function (`"gelu"`).
    #[serde(rename = "gelu")]
    Gelu,
    /// The tanh approximation of GELU (`"gelu_new"`, `"gelu_pytorch_tanh"`, `"gelu_fast"`).
    #[serde(rename = "gelu_new", alias = "gelu_pytorch_tanh", alias = "gelu_fast")]
    GeluTanh,
    /// `max(0, x)` (`"relu"`).
    #[serde(rename = "relu")]
    Relu,
    /// Hyperbolic tangent (`"tanh"`).
    #[serde(rename = "tanh")]
    Tanh,
    /// `x * sigmoid(x)` (`"silu"`, `"swish"`).
    #[serde(rename = "silu", alias = "swish")]
    Silu,
}
