//! Layers and functions shared by the architectures.

mod activation;
mod attention;
mod cast;
mod feed_forward;
mod linear;

pub use activation::{apply_activation, gelu_exact};
pub use attention::{
    AttentionInputs, ResolvedAttention, mask_value, multi_head_attention,
    resolve as resolve_attention, scaled_dot_product_attention, split_heads,
};
pub use cast::cast_float_params;
pub use clarity_device::Attention;
pub use feed_forward::{Intermediate, ResidualOutput, feed_forward};
pub use linear::{hf_embedding, hf_layer_norm, hf_linear, linear_rows};
