//! The device, precision and attention flags the model commands share.

use clap::Args;
use clarity_models::{Attention, ModelOptions, Precision};

/// `--device`, `--precision`, `--attention`.
#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// auto, cpu, cpu:flex, cpu:candle, cuda or cuda:N, metal, vulkan, wgpu.
    #[arg(long, default_value = "auto", value_name = "D")]
    pub device: String,
    /// Float precision: f32, f16, bf16.
    #[arg(long, default_value = "f32", value_name = "P")]
    pub precision: Precision,
    /// Attention path: auto, fused, eager.
    #[arg(long, default_value = "auto", value_name = "A")]
    pub attention: Attention,
}

impl DeviceArgs {
    /// The model options of the precision and attention flags.
    pub fn options(&self) -> ModelOptions {
        ModelOptions::default()
            .with_precision(self.precision)
            .with_attention(self.attention)
    }
}
