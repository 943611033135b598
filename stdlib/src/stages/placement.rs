//! A device stage's placement as the models take it.

use clarity_device::{DeviceRequest, Precision};
use clarity_engine::Placement;
use clarity_models::Attention;
use clarity_models::device::Device;

/// Where and how a device stage runs: the placement's device resolved on this machine, its
/// precision (`auto` left by the policies is f32) checked against that device, and its
/// attention path.
pub struct RunOn {
    /// The device.
    pub device: Device,
    /// The precision.
    pub precision: Precision,
    /// The attention path.
    pub attention: Attention,
}

impl RunOn {
    /// Reads `placement`.
    pub fn from_placement(placement: &Placement) -> miette::Result<Self> {
        let device = Device::resolve(placement.device.parse::<DeviceRequest>()?)?;
        let precision = Precision::parse_request(&placement.precision)
            .ok_or_else(|| miette::miette!("unknown precision `{}`", placement.precision))?
            .unwrap_or_default();
        device.check_precision(precision)?;
        let attention = placement
            .attention
            .parse()
            .map_err(|e: String| miette::miette!("{e}"))?;
        Ok(Self {
            device,
            precision,
            attention,
        })
    }
}
