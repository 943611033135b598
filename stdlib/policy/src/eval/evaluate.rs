use clarity_device::{Attention, DeviceName, Inventory, Precision};
use clarity_engine::lang::Spanned;

use super::state::{Effect, Record, State};
use super::{CannotApply, Decision, DeviceLoop, PlaceError, Refused};
use crate::facts::{FactValue, StageFacts};
use crate::lang::{Action, Condition, Policy, Template};
use crate::library::PolicySet;

/// A stage's placement before policies.
#[derive(Debug, Clone, Copy)]
pub struct Start {
    /// The requested device resolved on the machine (the CPU for stages without a device).
    pub device: DeviceName,
    /// The stage's `precision` param (f32 without one); `None` for `auto`: the policies
    /// choose, f32 if none does.
    pub precision: Option<Precision>,
    /// The stage's `attention` param (auto without one).
    pub attention: Attention,
}

/// What one pass over the policies ended with.
enum Round {
    /// Every policy was seen.
    Done(State),
    /// A policy switched the device: start over on it.
    Switch {
        policy: usize,
        record: Record,
        to: DeviceName,
    },
}

/// Runs the policies of `set` over one stage.
///
/// Policies are taken in order, each against the facts as the ones before it left them; a
/// later setting overrides an earlier one. A policy that sets the device, precision or
/// attention path applies only to stages that use a device. When a policy switches the
/// device, evaluation starts over on the new device (the switch and what the switching
/// policy did are kept; everything else is decided again), so every other rule sees the
/// device the stage will really use. A switch back to a device already left is an error,
/// as is a switch to a device `inventory` lacks, and a `refuse`.
pub fn evaluate(
    set: &PolicySet,
    facts: &StageFacts<'_>,
    start: Start,
    inventory: &Inventory,
) -> Result<Decision, PlaceError> {
    let policies: Vec<&Policy> = set.iter().collect();
    let mut kept: Vec<(usize, Record)> = Vec::new();
    let mut devices = vec![(start.device, String::new())];
    loop {
        let mut state = State::new(&start);
        for (_, record) in &kept {
            state.apply(record.clone());
        }
        let skip: Vec<usize> = kept.iter().map(|(i, _)| *i).collect();
        match round(&policies, &skip, facts, state, inventory)? {
            Round::Done(state) => return Ok(state.into_decision()),
            Round::Switch { policy, record, to } => {
                if devices.iter().any(|(d, _)| *d == to) {
                    return Err(device_loop(facts, &devices, policies[policy], to));
                }
                devices.push((to, record.policy.clone()));
                kept.push((policy, record));
            }
        }
    }
}

fn round(
    policies: &[&Policy],
    skip: &[usize],
    facts: &StageFacts<'_>,
    mut state: State,
    inventory: &Inventory,
) -> Result<Round, PlaceError> {
    for (index, policy) in policies.iter().enumerate() {
        if skip.contains(&index) || (policy.places() && !facts.uses_device) {
            continue;
        }
        let fact = |name: &str| state.fact(name, facts);
        if !holds(policy, &fact) {
            continue;
        }
        let record = Record {
            policy: policy.name.value.clone(),
            reason: reason(policy, &fact, facts),
            effects: effects(policy, facts, &fact)?,
            overridden: Default::default(),
        };
        let switch = record.effects.iter().find_map(|e| match e {
            Effect::Device(d) if *d != state.device => Some(*d),
            _ => None,
        });
        if let Some(to) = switch {
            inventory
                .check(to)
                .map_err(|e| cannot_apply(policy, facts, to, e))?;
            return Ok(Round::Switch {
                policy: index,
                record,
                to,
            });
        }
        state.apply(record);
    }
    Ok(Round::Done(state))
}

fn holds(policy: &Policy, fact: &dyn Fn(&str) -> Option<FactValue>) -> bool {
    let test = |c: &Condition| c.holds(fact(&c.fact.value).as_ref());
    policy.when.iter().all(test) && !policy.unless.iter().any(test)
}

fn effects(
    policy: &Policy,
    facts: &StageFacts<'_>,
    fact: &dyn Fn(&str) -> Option<FactValue>,
) -> Result<Vec<Effect>, PlaceError> {
    let mut out = Vec::new();
    for action in &policy.actions {
        out.push(match &action.value {
            Action::Device(d) => Effect::Device(*d),
            Action::Precision(p) => Effect::Precision(*p),
            Action::Attention(a) => Effect::Attention(*a),
            Action::Env { name, value } => Effect::Env(name.clone(), value.render(fact)),
            Action::Warn(message) => Effect::Warn(message.render(fact)),
            Action::Refuse { message, help } => {
                return Err(refused(policy, action, facts, message, help.as_ref(), fact));
            }
        });
    }
    Ok(out)
}

/// The conditions with the values that satisfied them: `model=deberta-v3, device=metal`,
/// `device=cpu (not cuda)`, and where the model facts came from.
fn reason(
    policy: &Policy,
    fact: &dyn Fn(&str) -> Option<FactValue>,
    facts: &StageFacts<'_>,
) -> String {
    let shown = |c: &Condition| match fact(&c.fact.value) {
        Some(value) => format!("{}={value}", c.fact.value),
        None => format!("{} unset", c.fact.value),
    };
    let when = policy.when.iter().map(shown);
    let unless = policy.unless.iter().map(|c| {
        let not: Vec<String> = c.expected.iter().map(|e| e.value.to_string()).collect();
        format!("{} (not {})", shown(c), not.join(" or "))
    });
    let parts: Vec<String> = when.chain(unless).collect();
    let mut reason = if parts.is_empty() {
        "always".to_owned()
    } else {
        parts.join(", ")
    };
    let uses_model = policy
        .when
        .iter()
        .chain(&policy.unless)
        .any(|c| c.fact.value.starts_with("model"));
    if let Some(source) = facts.model_source().filter(|_| uses_model) {
        reason.push_str(&format!("; model facts from {source}"));
    }
    reason
}

fn refused(
    policy: &Policy,
    action: &Spanned<Action>,
    facts: &StageFacts<'_>,
    message: &Template,
    help: Option<&Template>,
    fact: &dyn Fn(&str) -> Option<FactValue>,
) -> PlaceError {
    PlaceError::Refused(Box::new(Refused {
        policy: policy.name.value.clone(),
        stage: facts.name.to_owned(),
        message: message.render(fact),
        src: action.span.source.source_text(),
        span: action.span.range,
        help: help.map(|h| h.render(fact)),
    }))
}

fn device_action(policy: &Policy) -> Option<&Spanned<Action>> {
    policy
        .actions
        .iter()
        .find(|a| matches!(a.value, Action::Device(_)))
}

fn cannot_apply(
    policy: &Policy,
    facts: &StageFacts<'_>,
    to: DeviceName,
    error: clarity_device::DeviceError,
) -> PlaceError {
    let span = device_action(policy).map_or(&policy.name.span, |a| &a.span);
    let help = miette::Diagnostic::help(&error)
        .map(|h| h.to_string())
        .unwrap_or_default();
    PlaceError::CannotApply(Box::new(CannotApply {
        policy: policy.name.value.clone(),
        stage: facts.name.to_owned(),
        reason: error.to_string(),
        src: span.source.source_text(),
        span: span.range,
        device: to.to_string(),
        help: format!(
            "{help}; or `disable \"{}\"` in a policy file of the pipeline",
            policy.name.value
        ),
    }))
}

fn device_loop(
    facts: &StageFacts<'_>,
    devices: &[(DeviceName, String)],
    policy: &Policy,
    to: DeviceName,
) -> PlaceError {
    let mut chain = devices[0].0.to_string();
    for (device, by) in &devices[1..] {
        chain.push_str(&format!(" -> {device} (`{by}`)"));
    }
    chain.push_str(&format!(" -> {to} (`{}`)", policy.name.value));
    let span = device_action(policy).map_or(&policy.name.span, |a| &a.span);
    PlaceError::DeviceLoop(Box::new(DeviceLoop {
        stage: facts.name.to_owned(),
        chain,
        src: span.source.source_text(),
        span: span.range,
    }))
}
