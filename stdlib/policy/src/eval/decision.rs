use std::collections::BTreeMap;

use clarity_device::{Attention, DeviceName, Precision};
use clarity_engine::FiredPolicy;

/// Where and how one stage runs, and which policies decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The device.
    pub device: DeviceName,
    /// The precision (`auto` left unresolved by every policy means f32).
    pub precision: Precision,
    /// The attention path.
    pub attention: Attention,
    /// Environment variables the stage runs with.
    pub env: BTreeMap<String, String>,
    /// The policies that fired, in the order they did.
    pub fired: Vec<FiredPolicy>,
}
