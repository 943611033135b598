//! clarity's device vocabulary, one for the whole tool: the device names a user writes and
//! the requests (`auto` or a name) they form, the backends a binary is built with, numeric
//! precisions and attention paths, the [`Inventory`] of one machine (real or assumed) with
//! each GPU's adapter and precisions, the `auto` choice made over it, and the one error
//! family `clarity::device::*`.
//!
//! Burn-free: the policies read it as data, and clarity-models probes the real machine into
//! an [`Inventory`] and runs work on the device it resolves.
#![warn(missing_docs)]

mod adapter;
mod attention;
mod backend;
mod error;
mod inventory;
mod kind;
mod name;
mod precision;
mod request;

pub use adapter::{AdapterType, Gpu};
pub use attention::Attention;
pub use backend::Backend;
pub use error::DeviceError;
pub use inventory::Inventory;
pub use kind::DeviceKind;
pub use name::DeviceName;
pub use precision::Precision;
pub use request::DeviceRequest;
