//! Devices as data: the names a user writes, the backends a binary is built with, and the
//! inventory of one machine (real or assumed), with the `auto` choice made over it.

mod backend;
mod device_kind;
mod device_name;
mod error;
mod inventory;
mod request;

pub use backend::Backend;
pub use device_kind::DeviceKind;
pub use device_name::DeviceName;
pub use error::DeviceError;
pub use inventory::Inventory;
pub use request::DeviceRequest;
