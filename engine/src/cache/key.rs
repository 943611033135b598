//! A fingerprint's parts, each reduced to a hash, as a cache entry keeps them: what a later
//! plan compares against to say why a stage runs again (which param, file or input changed).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::fingerprint::{Fingerprint, PlacementKey};

/// The parts of a [`Fingerprint`], with each param's value replaced by its hash (so no value
/// is written in clear) — recorded in the entry's `stage.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyParts {
    /// The clarity release.
    pub clarity: String,
    /// Stage kind.
    pub kind: String,
    /// Implementation version of the kind.
    pub version: u32,
    /// blake3 of each param's canonical JSON value.
    pub params: BTreeMap<String, String>,
    /// For each input param, the content hashes of the outputs read.
    pub inputs: BTreeMap<String, Vec<String>>,
    /// Content hash of each local path.
    pub files: BTreeMap<String, String>,
    /// Hashes of the stage's opaque strings.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// The outputs.
    pub outputs: Vec<String>,
    /// Placement of a stage that uses a device.
    #[serde(default)]
    pub placement: Option<PlacementKey>,
}

/// One difference between two fingerprints of a stage: why it runs again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Another clarity release.
    Clarity {
        /// Release of the earlier entry.
        from: String,
        /// This release.
        to: String,
    },
    /// Another stage kind under the same name.
    Kind,
    /// Another implementation version of the kind.
    Version {
        /// Version of the earlier entry.
        from: u32,
        /// This version.
        to: u32,
    },
    /// A param was set, unset or changed.
    Param(String),
    /// A local file or directory changed (or is new, or no longer read).
    File(String),
    /// An upstream output read by this input param has other content.
    Input(String),
    /// A value passed from the environment changed.
    Secret(String),
    /// The set of outputs changed.
    Outputs,
    /// The device placement changed.
    Placement,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Clarity { from, to } => write!(f, "clarity {from} -> {to}"),
            Self::Kind => write!(f, "stage kind changed"),
            Self::Version { from, to } => write!(f, "stage version {from} -> {to}"),
            Self::Param(name) => write!(f, "param `{name}` changed"),
            Self::File(path) => write!(f, "file `{path}` changed"),
            Self::Input(param) => write!(f, "input `{param}` changed"),
            Self::Secret(name) => write!(f, "`{name}` changed"),
            Self::Outputs => write!(f, "its outputs changed"),
            Self::Placement => write!(f, "device placement changed"),
        }
    }
}

impl Fingerprint {
    /// The parts kept in the entry.
    pub fn parts(&self) -> KeyParts {
        let params = self
            .params
            .iter()
            .map(|(name, value)| {
                let bytes = serde_json::to_vec(value).unwrap_or_default();
                (name.clone(), blake3::hash(&bytes).to_hex().to_string())
            })
            .collect();
        let inputs = self
            .inputs
            .iter()
            .map(|(param, keys)| {
                (
                    param.clone(),
                    keys.iter().map(|k| k.content.clone()).collect(),
                )
            })
            .collect();
        KeyParts {
            clarity: self.clarity.clone(),
            kind: self.kind.clone(),
            version: self.version,
            params,
            inputs,
            files: self.files.clone(),
            secrets: self.secrets.clone(),
            outputs: self.outputs.clone(),
            placement: self.placement.clone(),
        }
    }
}

impl KeyParts {
    /// What differs from `earlier`; inputs are compared only when `with_inputs` (they are not
    /// known before the upstream stages have run).
    pub fn changes(&self, earlier: &KeyParts, with_inputs: bool) -> Vec<Change> {
        let mut out = Vec::new();
        if self.clarity != earlier.clarity {
            out.push(Change::Clarity {
                from: earlier.clarity.clone(),
                to: self.clarity.clone(),
            });
        }
        if self.kind != earlier.kind {
            out.push(Change::Kind);
        }
        if self.version != earlier.version {
            out.push(Change::Version {
                from: earlier.version,
                to: self.version,
            });
        }
        out.extend(differing(&self.params, &earlier.params).map(Change::Param));
        out.extend(differing(&self.files, &earlier.files).map(Change::File));
        out.extend(differing(&self.secrets, &earlier.secrets).map(Change::Secret));
        if with_inputs {
            out.extend(differing(&self.inputs, &earlier.inputs).map(Change::Input));
        }
        if self.outputs != earlier.outputs {
            out.push(Change::Outputs);
        }
        if self.placement != earlier.placement {
            out.push(Change::Placement);
        }
        out
    }
}

/// The keys whose values differ, or that only one map has.
fn differing<'a, V: PartialEq>(
    now: &'a BTreeMap<String, V>,
    before: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = String> + 'a {
    let keys: BTreeSet<&String> = now.keys().chain(before.keys()).collect();
    keys.into_iter()
        .filter(|k| now.get(*k) != before.get(*k))
        .cloned()
}
