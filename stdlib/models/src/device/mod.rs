//! Devices: names (`cpu`, `cuda:1`, ...), the backends built in, and run-time dispatch of
//! generic work onto the chosen backend.

mod backend_kind;
mod error;
mod probe;
mod request;
mod resolved;
#[cfg(feature = "wgpu")]
mod wgpu;

pub use backend_kind::BackendKind;
pub use error::DeviceError;
pub use probe::cuda_device_count;
pub use request::DeviceRequest;
pub use resolved::{BackendTask, Device, DeviceTarget, GraphicsApi};
#[cfg(feature = "wgpu")]
pub use wgpu::device as wgpu_device;
