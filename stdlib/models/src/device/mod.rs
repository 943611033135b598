//! Devices at run time: this machine probed into a [`clarity_device::Inventory`] (the
//! vocabulary the policies share), and generic work dispatched onto the backend of the
//! device resolved on it.

#[cfg(any(feature = "wgpu", feature = "cuda"))]
pub mod kernel_cache;
mod probe;
mod resolved;
#[cfg(feature = "wgpu")]
mod wgpu;

pub use probe::{built_backends, compiled_in, cuda_device_count, inventory, probe_inventory};
pub use resolved::{BackendTask, Device};
#[cfg(feature = "wgpu")]
pub use wgpu::{GraphicsApi, device as wgpu_device};
