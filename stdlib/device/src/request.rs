use std::fmt;
use std::str::FromStr;

use crate::{DeviceError, DeviceName};

/// A device as asked for on the command line or in a pipeline: `auto` or a [`DeviceName`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DeviceRequest {
    /// The best device of the machine among the backends built in: CUDA, then the Apple GPU
    /// (Metal), then another wgpu GPU (Vulkan, then wgpu's default API), then the CPU;
    /// software adapters (Mesa's llvmpipe) are never picked (see [`crate::Inventory::resolve`]).
    #[default]
    Auto,
    /// That device.
    Device(DeviceName),
}

impl FromStr for DeviceRequest {
    type Err = DeviceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            return Ok(DeviceRequest::Auto);
        }
        s.parse().map(DeviceRequest::Device)
    }
}

impl fmt::Display for DeviceRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceRequest::Auto => f.write_str("auto"),
            DeviceRequest::Device(device) => device.fmt(f),
        }
    }
}
