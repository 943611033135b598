//! Fixtures shared by this crate's tests and the `policy` fuzz target: stages as the engine
//! describes them to the placer. Not a stable API (hidden from the docs).

use clarity_engine::{ArtifactKind, Params, UpstreamStage};

/// A stage as the engine sees it.
pub struct StageSpec {
    /// Its name.
    pub name: &'static str,
    /// Its kind.
    pub kind: &'static str,
    /// Whether its schema says it uses a device.
    pub uses_device: bool,
    /// Its params.
    pub params: Params,
}

/// A stage with string params.
pub fn stage(
    name: &'static str,
    kind: &'static str,
    uses_device: bool,
    params: &[(&str, &str)],
) -> StageSpec {
    let params = params.iter().copied().collect();
    StageSpec {
        name,
        kind,
        uses_device,
        params,
    }
}

/// The artifact kind of a stdlib stage kind's output.
pub fn produced_by(kind: &str) -> ArtifactKind {
    match kind {
        "fetch-model" | "build-model" => ArtifactKind::MODEL,
        "train" => ArtifactKind::CHECKPOINT,
        "tokenize" | "synthetic-dataset" => ArtifactKind::TOKENS,
        "fetch-dataset" | "split" => ArtifactKind::TABLE,
        _ => ArtifactKind::FILES,
    }
}

/// The upstream references of `(consumer, param, producer)` triples, in their order.
pub fn upstream<'a>(chain: &[(&'a str, &'a str, &'a StageSpec)]) -> Vec<UpstreamStage<'a>> {
    chain
        .iter()
        .map(|&(consumer, param, s)| UpstreamStage {
            consumer,
            param,
            artifact: produced_by(s.kind),
            stage: s.name,
            kind: s.kind,
            params: &s.params,
        })
        .collect()
}
