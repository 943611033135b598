use std::collections::BTreeMap;

use clarity_device::{Attention, DeviceName, Precision};
use clarity_engine::FiredPolicy;

use super::{Decision, Start};
use crate::facts::{FactValue, StageFacts};

/// One thing a firing policy does, its messages rendered.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Switch the device.
    Device(DeviceName),
    /// Set the precision.
    Precision(Precision),
    /// Set the attention path.
    Attention(Attention),
    /// Set an environment variable.
    Env(String, String),
    /// Warn.
    Warn(String),
}

impl Effect {
    /// The setting it writes (`None` for a warning).
    fn setting(&self) -> Option<String> {
        match self {
            Effect::Device(_) => Some("device".into()),
            Effect::Precision(_) => Some("precision".into()),
            Effect::Attention(_) => Some("attention".into()),
            Effect::Env(name, _) => Some(format!("env {name}")),
            Effect::Warn(_) => None,
        }
    }

    fn describe(&self) -> String {
        match self {
            Effect::Device(d) => format!("device={d}"),
            Effect::Precision(p) => format!("precision={p}"),
            Effect::Attention(a) => format!("attention={a}"),
            Effect::Env(name, value) => format!("env {name}={value}"),
            Effect::Warn(_) => "warn".into(),
        }
    }
}

/// A policy that fired: what it did and why.
#[derive(Debug, Clone)]
pub struct Record {
    /// The policy.
    pub policy: String,
    /// Its `when`/`unless` facts, as they were.
    pub reason: String,
    /// Its effects.
    pub effects: Vec<Effect>,
    /// For each setting a later policy changed again: that policy.
    pub overridden: BTreeMap<String, String>,
}

impl Record {
    fn into_fired(self) -> FiredPolicy {
        let items: Vec<String> = self
            .effects
            .iter()
            .filter(|e| !matches!(e, Effect::Warn(_)) || self.effects.len() == 1)
            .map(
                |e| match e.setting().and_then(|s| self.overridden.get(&s)) {
                    Some(by) => format!("{} (overridden by `{by}`)", e.describe()),
                    None => e.describe(),
                },
            )
            .collect();
        let warning = self.effects.iter().find_map(|e| match e {
            Effect::Warn(message) => Some(message.clone()),
            _ => None,
        });
        FiredPolicy {
            policy: self.policy,
            reason: self.reason,
            action: items.join(", "),
            warning,
        }
    }
}

/// The placement of a stage as policies change it.
#[derive(Debug, Clone)]
pub struct State {
    /// The device.
    pub device: DeviceName,
    /// The precision; `None` while `auto` (no policy has set one).
    pub precision: Option<Precision>,
    /// The attention path.
    pub attention: Attention,
    /// Variables set by policies.
    pub env: BTreeMap<String, String>,
    fired: Vec<Record>,
    setters: BTreeMap<String, usize>,
}

impl State {
    /// The placement before any policy.
    pub fn new(start: &Start) -> Self {
        Self {
            device: start.device,
            precision: start.precision,
            attention: start.attention,
            env: BTreeMap::new(),
            fired: Vec::new(),
            setters: BTreeMap::new(),
        }
    }

    /// Fact `name` now: the settings as changed so far, else the stage's facts.
    pub fn fact(&self, name: &str, facts: &StageFacts<'_>) -> Option<FactValue> {
        let text = |s: &str| Some(FactValue::text(s));
        match name {
            "device" => text(self.device.kind().name()),
            "precision" => text(self.precision.map_or("auto", Precision::name)),
            "attention" => text(self.attention.name()),
            _ => match name.strip_prefix("env.").and_then(|var| self.env.get(var)) {
                Some(value) => text(value),
                None => facts.get(name),
            },
        }
    }

    /// Applies a fired policy's effects and records it.
    pub fn apply(&mut self, record: Record) {
        let index = self.fired.len();
        for effect in &record.effects {
            match effect {
                Effect::Device(d) => self.device = *d,
                Effect::Precision(p) => self.precision = Some(*p),
                Effect::Attention(a) => self.attention = *a,
                Effect::Env(name, value) => _ = self.env.insert(name.clone(), value.clone()),
                Effect::Warn(_) => {}
            }
            let Some(setting) = effect.setting() else {
                continue;
            };
            if let Some(earlier) = self.setters.insert(setting.clone(), index) {
                self.fired[earlier]
                    .overridden
                    .insert(setting, record.policy.clone());
            }
        }
        self.fired.push(record);
    }

    /// The decision: `auto` precision left unresolved means f32.
    pub fn into_decision(self) -> Decision {
        Decision {
            device: self.device,
            precision: self.precision.unwrap_or(Precision::F32),
            attention: self.attention,
            env: self.env,
            fired: self.fired.into_iter().map(Record::into_fired).collect(),
        }
    }
}
