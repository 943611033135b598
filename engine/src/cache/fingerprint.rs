use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Placement, Value};

/// The clarity release every fingerprint carries: an upgrade that may change numerics
/// re-runs stages without a version bump per stage kind.
pub const CLARITY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Everything that determines a stage's outputs, serialised canonically (sorted maps) and
/// hashed with blake3. Upstream stages enter through the content hashes of the outputs this
/// stage reads, not through their fingerprints: a re-run upstream stage that writes
/// byte-identical outputs leaves this key unchanged, so the re-running stops there (early
/// cutoff), and a change to one upstream output re-runs only the stages that read it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fingerprint {
    /// The clarity release ([`CLARITY_VERSION`]).
    pub clarity: String,
    /// Stage kind.
    pub kind: String,
    /// Implementation version of the kind.
    pub version: u32,
    /// Params, except input references (those enter as `inputs`).
    pub params: BTreeMap<String, Value>,
    /// For each input param, the upstream outputs read, in order.
    pub inputs: BTreeMap<String, Vec<InputKey>>,
    /// Content hash of each local path param value.
    pub files: BTreeMap<String, String>,
    /// blake3 of name and value of each opaque string the stage added
    /// ([`crate::FingerprintExtra::secrets`]); left out when empty, so fingerprints of
    /// stages without any are unchanged.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, String>,
    /// The outputs the stage produces.
    pub outputs: Vec<String>,
    /// Where it runs, for a stage that uses a device (placement affects numerics); `None`
    /// for the others, so builds with different backends share their entries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementKey>,
}

/// One upstream output in a fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputKey {
    /// The output's name.
    pub output: String,
    /// Its content hash, as the upstream entry records it ([`super::OutputRecord::hash`]).
    pub content: String,
}

/// The part of a [`Placement`] that affects results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementKey {
    /// Device kind: `cuda`, not `cuda:1` (two GPUs of one machine give the same results);
    /// `cpu:flex` and `cpu:candle` stay apart (two backends).
    pub device: String,
    /// Precision.
    pub precision: String,
    /// Attention path.
    pub attention: String,
}

impl From<&Placement> for PlacementKey {
    fn from(p: &Placement) -> Self {
        let device = match p.device.split_once(':') {
            Some((kind, index)) if index.bytes().all(|b| b.is_ascii_digit()) => kind,
            _ => p.device.as_str(),
        };
        Self {
            device: device.to_owned(),
            precision: p.precision.clone(),
            attention: p.attention.clone(),
        }
    }
}

/// The hash under which an opaque string enters a fingerprint: blake3 of name, NUL, value.
pub fn secret_hash(name: &str, value: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(name.as_bytes());
    hasher.update(&[0]);
    hasher.update(value.as_bytes());
    hasher.finalize().to_hex().to_string()
}

impl Fingerprint {
    /// The blake3 hash of the canonical JSON form, as 64 hex digits.
    pub fn hash(&self) -> String {
        let bytes = serde_json::to_vec(self)
            .expect("a Fingerprint always serialises: plain data, string keys");
        blake3::hash(&bytes).to_hex().to_string()
    }
}
