//! Resource requests: a stage's `resources.*` params (its `resources { … }` block, or
//! `--set STAGE.resources.KEY=VALUE`) are taken out of its params and checked here, with the
//! pipeline's `executor` block.

use crate::diag::Diagnostics;
use crate::lang::Spanned;
use crate::resources::{
    EXECUTOR_KINDS, EXECUTOR_SETTINGS, ExecutorConfig, RESOURCE_KEYS, Resources,
};
use crate::{Value, suggest};

use super::EValue;
use super::error::ResourceError;

/// Settings as written and evaluated.
pub type Settings = Vec<(Spanned<String>, Spanned<EValue>)>;

const PREFIX: &str = "resources.";

/// Takes the `resources.KEY` params out of `params`, as settings named `KEY`.
pub fn take_resources(params: &mut Settings) -> Settings {
    let (resources, rest): (Settings, Settings) = std::mem::take(params)
        .into_iter()
        .partition(|(name, _)| name.value.starts_with(PREFIX));
    *params = rest;
    resources
        .into_iter()
        .map(|(mut name, value)| {
            name.value = name.value[PREFIX.len()..].to_owned();
            (name, value)
        })
        .collect()
}

/// The resources these settings ask for (later settings win).
pub fn check_resources(settings: &Settings, diags: &mut Diagnostics) -> Resources {
    let mut out = Resources::default();
    for (key, value) in settings {
        let wrong = |expected: &'static str, diags: &mut Diagnostics| {
            let (src, span) = (value.span.source.source_text(), value.span.range);
            diags.push(ResourceError::WrongType {
                key: key.value.clone(),
                expected,
                found: value.value.type_name().to_owned(),
                src,
                span,
            });
        };
        let count = || match &value.value {
            EValue::Scalar(Value::Int(n)) => u32::try_from(*n).ok(),
            _ => None,
        };
        let text = || match &value.value {
            EValue::Scalar(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        };
        match key.value.as_str() {
            "gpus" | "cpus" => match count() {
                Some(n) if key.value == "gpus" => out.gpus = Some(n),
                Some(n) if n > 0 => out.cpus = Some(n),
                _ => wrong("a non-negative integer (cpus: at least 1)", diags),
            },
            "mem" => match (&value.value, text()) {
                (EValue::Scalar(Value::Int(mb)), _) if *mb > 0 => out.mem = Some(format!("{mb}M")),
                (_, Some(s)) => out.mem = Some(s),
                _ => wrong("a size such as \"16G\" (or megabytes)", diags),
            },
            "time" => match text() {
                Some(s) => out.time = Some(s),
                None => wrong("a time limit such as \"4:00:00\"", diags),
            },
            "partition" | "account" => match text() {
                Some(s) if key.value == "partition" => out.partition = Some(s),
                Some(s) => out.account = Some(s),
                None => wrong("a name", diags),
            },
            "sbatch" => match strings(&value.value) {
                Some(args) => out.sbatch.extend(args),
                None => wrong("strings (sbatch arguments)", diags),
            },
            other => {
                let help = suggest::did_you_mean(other, RESOURCE_KEYS, || {
                    format!("resources are {}", RESOURCE_KEYS.join(", "))
                });
                let (src, span) = (key.span.source.source_text(), key.span.range);
                diags.push(ResourceError::UnknownSetting {
                    key: other.to_owned(),
                    src,
                    span,
                    help,
                });
            }
        }
    }
    out
}

/// The pipeline's executor block, checked.
pub fn check_executor(
    kind: &Spanned<String>,
    settings: &Settings,
    diags: &mut Diagnostics,
) -> Option<ExecutorConfig> {
    if !EXECUTOR_KINDS.contains(&kind.value.as_str()) {
        let help = suggest::did_you_mean(&kind.value, EXECUTOR_KINDS, || {
            format!("executors are {}", EXECUTOR_KINDS.join(", "))
        });
        let (src, span) = (kind.span.source.source_text(), kind.span.range);
        diags.push(ResourceError::UnknownExecutor {
            kind: kind.value.clone(),
            src,
            span,
            help,
        });
        return None;
    }
    let (own, resources): (Settings, Settings) = settings
        .iter()
        .cloned()
        .partition(|(key, _)| EXECUTOR_SETTINGS.contains(&key.value.as_str()));
    let mut shared_filesystem = None;
    for (key, value) in &own {
        match &value.value {
            EValue::Scalar(Value::Bool(b)) => shared_filesystem = Some(*b),
            other => {
                let (src, span) = (value.span.source.source_text(), value.span.range);
                diags.push(ResourceError::WrongType {
                    key: key.value.clone(),
                    expected: "#true or #false",
                    found: other.type_name().to_owned(),
                    src,
                    span,
                });
            }
        }
    }
    Some(ExecutorConfig {
        kind: kind.value.clone(),
        defaults: check_resources(&resources, diags),
        shared_filesystem,
    })
}

fn strings(value: &EValue) -> Option<Vec<String>> {
    match value {
        EValue::Scalar(Value::String(s)) => Some(vec![s.clone()]),
        EValue::List(items) => items
            .iter()
            .map(|i| match &i.value {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        EValue::Scalar(_) => None,
    }
}
