use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};

use clarity_engine::{Placement, PlacementRequest, PlacementSetup, Placer, PolicySource};

use crate::eval::{Decision, PlaceError, PolicyErrors, Start, evaluate};
use crate::facts::{HfCache, Host, RealHost, StageFacts, find_model};
use crate::library::{PolicySet, stdlib_policies};
use clarity_device::{Attention, Backend, DeviceName, DeviceRequest, Inventory, Precision};

type Probe = dyn Fn() -> Inventory + Send + Sync;

/// The device-policy layer, as the engine's placement hook.
///
/// For each stage it resolves the device asked for on the machine's [`Inventory`] (probed
/// once, on first use; or the one `--assume-devices` describes), reads the stage's facts,
/// and runs the policies: the stdlib's, then the files the pipeline `use`s. The HuggingFace
/// cache is probed once too, for the project of the first stage placed (one process plans
/// one project).
pub struct PolicyPlacer {
    stdlib: Vec<PolicySource>,
    built: BTreeSet<Backend>,
    probe: Arc<Probe>,
    inventory: OnceLock<Inventory>,
    host: Arc<dyn Host>,
    hf_cache: OnceLock<HfCache>,
    loaded: Mutex<Option<(Vec<PolicySource>, Arc<PolicySet>)>>,
}

impl PolicyPlacer {
    /// A placer for a binary built with `built`, on the machine `probe` describes (called
    /// at most once, when a plan first needs the real machine), with the stdlib's policies
    /// and the real host.
    pub fn new(
        built: impl IntoIterator<Item = Backend>,
        probe: impl Fn() -> Inventory + Send + Sync + 'static,
    ) -> Self {
        Self {
            stdlib: stdlib_policies(),
            built: built.into_iter().collect(),
            probe: Arc::new(probe),
            inventory: OnceLock::new(),
            host: Arc::new(RealHost::new()),
            hf_cache: OnceLock::new(),
            loaded: Mutex::new(None),
        }
    }

    /// The same, reading environment and files from `host`.
    pub fn with_host(mut self, host: impl Host + 'static) -> Self {
        self.host = Arc::new(host);
        self.hf_cache = OnceLock::new();
        self
    }

    /// The same, with `policies` loaded before the pipeline's instead of the stdlib's.
    pub fn with_base_policies(mut self, policies: Vec<PolicySource>) -> Self {
        self.stdlib = policies;
        self
    }

    /// Places one stage.
    pub fn decide(&self, request: &PlacementRequest<'_>) -> Result<Decision, PlaceError> {
        let set = self.policy_set(request.policies)?;
        let inventory = self.inventory(request.assumed_devices)?;
        let requested: DeviceRequest = request.device.parse()?;
        let start = Start {
            device: if request.uses_device {
                inventory.resolve(requested)?
            } else {
                DeviceName::CPU
            },
            precision: stage_setting(
                request,
                "precision",
                "precision",
                Precision::parse_request,
                &Precision::REQUEST_NAMES,
            )?
            .unwrap_or(Some(Precision::F32)),
            attention: stage_setting(
                request,
                "attention",
                "attention path",
                Attention::from_name,
                &Attention::NAMES,
            )?
            .unwrap_or(Attention::Auto),
        };
        let hf_cache = self
            .hf_cache
            .get_or_init(|| HfCache::probe(self.host.as_ref(), request.project_dir));
        let facts = StageFacts {
            kind: request.kind,
            name: request.stage,
            uses_device: request.uses_device,
            requested_device: match requested {
                DeviceRequest::Auto => "auto".to_owned(),
                DeviceRequest::Device(d) => d.kind().name().to_owned(),
            },
            os: inventory.os().to_owned(),
            model: find_model(request, self.host.as_ref(), hf_cache),
            hf_cache,
            host: self.host.as_ref(),
        };
        let decision = evaluate(&set, &facts, start, &inventory)?;
        if request.uses_device {
            inventory.check_precision(decision.device, decision.precision)?;
        }
        Ok(decision)
    }

    /// Every problem shared by all stages: the device name, `--assume-devices`, the policy files.
    pub fn problems(&self, setup: &PlacementSetup<'_>) -> Vec<miette::Report> {
        let mut out = Vec::new();
        if let Err(e) = setup.device.parse::<DeviceRequest>() {
            out.push(miette::Report::new(e));
        }
        if let Some(names) = setup.assumed_devices
            && let Err(e) = Inventory::assume(names, &self.built, &self.host.os())
        {
            out.push(miette::Report::new(e));
        }
        if let Err(PlaceError::Policies(errors)) = self.policy_set(setup.policies) {
            out.extend(errors.errors.into_iter().map(miette::Report::new));
        }
        out
    }

    fn inventory(&self, assumed: Option<&[String]>) -> Result<Inventory, PlaceError> {
        match assumed {
            Some(names) => Ok(Inventory::assume(names, &self.built, &self.host.os())?),
            None => Ok(self.inventory.get_or_init(|| (self.probe)()).clone()),
        }
    }

    fn policy_set(&self, used: &[PolicySource]) -> Result<Arc<PolicySet>, PlaceError> {
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((sources, set)) = loaded.as_ref()
            && sources == used
        {
            return Ok(Arc::clone(set));
        }
        let sources: Vec<PolicySource> = self.stdlib.iter().chain(used).cloned().collect();
        let set = Arc::new(PolicySet::load(&sources).map_err(|errors| PolicyErrors { errors })?);
        *loaded = Some((used.to_vec(), Arc::clone(&set)));
        Ok(set)
    }
}

impl Placer for PolicyPlacer {
    fn devices(&self, assumed: Option<&[String]>) -> Vec<String> {
        self.inventory(assumed)
            .map(|inventory| inventory.devices().map(|d| d.to_string()).collect())
            .unwrap_or_default()
    }

    fn place(&self, request: &PlacementRequest<'_>) -> miette::Result<Placement> {
        let decision = self.decide(request)?;
        Ok(Placement {
            device: decision.device.to_string(),
            precision: decision.precision.name().to_owned(),
            attention: decision.attention.name().to_owned(),
            env: decision.env,
            fired: decision.fired,
        })
    }

    fn check(&self, setup: &PlacementSetup<'_>) -> Vec<miette::Report> {
        self.problems(setup)
    }
}

/// A stage param the policies read (`precision`, `attention`): `None` when the stage has none.
fn stage_setting<T>(
    request: &PlacementRequest<'_>,
    param: &str,
    what: &str,
    parse: fn(&str) -> Option<T>,
    names: &[&str],
) -> Result<Option<T>, PlaceError> {
    let Some(value) = request.params.opt_str(param) else {
        return Ok(None);
    };
    match parse(value) {
        Some(setting) => Ok(Some(setting)),
        None => Err(PlaceError::BadParam {
            stage: request.stage.to_owned(),
            param: param.to_owned(),
            value: value.to_owned(),
            what: what.to_owned(),
            help: format!("use one of {}", names.join(", ")),
        }),
    }
}
