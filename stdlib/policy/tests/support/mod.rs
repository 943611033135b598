//! Building placement requests for the policy layer, as the engine would.
#![allow(dead_code)]

use std::path::Path;

use clarity_device::{Backend, Inventory};
use clarity_engine::diag::{Style, render};
use clarity_engine::{Placement, PlacementRequest, PlacementSetup, Placer, PolicySource};
use clarity_policy::facts::MemoryHost;
use clarity_policy::{PolicyPlacer, testing};

/// Where the fake project lives.
pub const PROJECT: &str = "/work/project";

/// A placer for a binary built with the CPU backends only, on a Linux machine with just a
/// CPU, reading the environment from `host`.
pub fn placer(host: MemoryHost) -> PolicyPlacer {
    let cpu = [Backend::Flex, Backend::Candle];
    PolicyPlacer::new(cpu, move || Inventory::new([], cpu, "linux")).with_host(host)
}

/// A placer with a writable home and no variables set but `HOME`.
pub fn default_placer() -> PolicyPlacer {
    placer(MemoryHost::new())
}

pub use clarity_policy::testing::{StageSpec, stage};

/// What a placement is asked under: the device, the assumed machine, the policy files.
#[derive(Clone, Default)]
pub struct Ask {
    pub device: &'static str,
    pub assume: Option<&'static str>,
    pub policies: Vec<PolicySource>,
}

impl Ask {
    /// `--device DEVICE --assume-devices ASSUME`.
    pub fn on(device: &'static str, assume: &'static str) -> Self {
        Self {
            device,
            assume: Some(assume),
            policies: Vec::new(),
        }
    }

    /// The same with a policy file the pipeline `use`s.
    pub fn using(mut self, name: &str, text: &str) -> Self {
        self.policies.push(PolicySource {
            name: name.to_owned(),
            text: text.to_owned(),
        });
        self
    }
}

/// Places `target`, whose upstream references are `upstream` (`(consumer, param, stage)`).
pub fn place_in(
    placer: &PolicyPlacer,
    target: &StageSpec,
    upstream: &[(&str, &str, &StageSpec)],
    ask: &Ask,
) -> miette::Result<Placement> {
    let assumed: Option<Vec<String>> = ask.assume.map(|a| vec![a.to_owned()]);
    let setup = PlacementSetup {
        device: ask.device,
        assumed_devices: assumed.as_deref(),
        policies: &ask.policies,
    };
    if let Some(problem) = placer.check(&setup).into_iter().next() {
        return Err(problem);
    }
    let upstream = testing::upstream(upstream);
    let request = PlacementRequest {
        stage: target.name,
        kind: target.kind,
        params: &target.params,
        uses_device: target.uses_device,
        device: ask.device,
        policies: &ask.policies,
        upstream: &upstream,
        project_dir: Path::new(PROJECT),
        assumed_devices: assumed.as_deref(),
    };
    placer.place(&request)
}

/// Places a `train` stage (`model="weights"`, `precision=PRECISION`) whose model is fetched by
/// a `fetch-model repo=REPO` stage called `weights`.
pub fn train(
    placer: &PolicyPlacer,
    repo: &str,
    precision: &str,
    ask: &Ask,
) -> miette::Result<Placement> {
    let weights = stage(
        "weights",
        "fetch-model",
        false,
        &[("repo", repo), ("revision", "main")],
    );
    let train = stage(
        "train",
        "train",
        true,
        &[("model", "weights"), ("precision", precision)],
    );
    place_in(placer, &train, &[("train", "model", &weights)], ask)
}

/// The names of the policies that fired.
pub fn fired(placement: &Placement) -> Vec<&str> {
    placement.fired.iter().map(|f| f.policy.as_str()).collect()
}

/// `device | precision | attention`.
pub fn settings(placement: &Placement) -> String {
    format!(
        "{} | {} | {}",
        placement.device, placement.precision, placement.attention
    )
}

/// A diagnostic as `clarity` prints it without colour.
pub fn rendered(report: &miette::Report) -> String {
    render(report.as_ref(), Style::Plain)
}
