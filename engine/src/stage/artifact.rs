use std::fmt;

use serde::Serialize;

/// What an artifact (a stage output directory) holds, so that wrong wiring is a config error.
///
/// An input expecting [`ArtifactKind::FILES`] accepts any artifact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ArtifactKind(pub &'static str);

impl ArtifactKind {
    /// An HF-like model directory: `config.json`, weights, tokenizer files.
    pub const MODEL: Self = Self("model");
    /// A table: `data.parquet` or `data.jsonl`.
    pub const TABLE: Self = Self("table");
    /// Tokenized examples: a compact binary file and `meta.json`.
    pub const TOKENS: Self = Self("tokens");
    /// A trained checkpoint.
    pub const CHECKPOINT: Self = Self("checkpoint");
    /// Predictions (CSV).
    pub const PREDICTIONS: Self = Self("predictions");
    /// Metrics (`metrics.json`).
    pub const METRICS: Self = Self("metrics");
    /// Anything; as an expected input kind it accepts every artifact.
    pub const FILES: Self = Self("files");

    /// The kind's name, e.g. `"model"`.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// Whether an output of kind `produced` may feed an input expecting `self`.
    pub fn accepts(self, produced: ArtifactKind) -> bool {
        self == Self::FILES || self == produced
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
