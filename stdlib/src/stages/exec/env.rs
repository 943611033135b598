//! The command's environment: declared variables, the documented safe set, nothing else;
//! values hidden wherever params are recorded.

use std::process::Command;

use clarity_engine::{StageContext, Value};

use super::ExecError;

/// Variables passed from clarity's environment to every command: exactly these names, or
/// names starting with one of the prefixes (`LC_*`, ...). Everything else is withheld unless
/// declared with `env "NAME"`.
pub(super) const SAFE_VARS: [&str; 7] = [
    "PATH",
    "HOME",
    "LANG",
    "TMPDIR",
    "VIRTUAL_ENV",
    "XDG_RUNTIME_DIR",
    "CUDA_VISIBLE_DEVICES",
];
pub(super) const SAFE_PREFIXES: [&str; 4] = ["LC_", "VK_", "SLURM_", "CLARITY_"];

/// Whether clarity passes `name` to every command without it being declared.
pub fn is_safe_var(name: &str) -> bool {
    SAFE_VARS.contains(&name) || SAFE_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// What `env` items hold in `stage.json` and the run manifest instead of their values.
pub(super) const HIDDEN: &str = "<hidden>";

/// One `env` item: `NAME=VALUE` (set) or `NAME` (passed through).
pub(super) enum EnvItem<'a> {
    Set(&'a str, &'a str),
    Pass(&'a str),
}

pub(super) fn env_item(text: &str) -> EnvItem<'_> {
    match text.split_once('=') {
        Some((name, value)) => EnvItem::Set(name, value),
        None => EnvItem::Pass(text),
    }
}

impl EnvItem<'_> {
    pub(super) fn name(&self) -> &str {
        match self {
            Self::Set(name, _) | Self::Pass(name) => name,
        }
    }
}

pub(super) fn hide_env_value(item: &Value) -> Value {
    match item.as_str().map(env_item) {
        Some(EnvItem::Set(name, _)) => Value::from(format!("{name}={HIDDEN}")),
        _ => item.clone(),
    }
}

pub(super) fn set_env(command: &mut Command, ctx: &StageContext<'_>) -> miette::Result<()> {
    command.env_clear();
    for (name, value) in std::env::vars_os() {
        if name.to_str().is_some_and(is_safe_var) {
            command.env(name, value);
        }
    }
    command.env("CLARITY_STAGE", ctx.stage_name());
    for name in ctx.output_names() {
        command.env(
            format!("CLARITY_OUT_{}", env_name(name)),
            ctx.output_dir(name)?,
        );
    }
    for (i, input) in ctx.inputs("inputs").iter().enumerate() {
        command.env(format!("CLARITY_IN_{i}"), &input.dir);
        command.env(
            format!("CLARITY_IN_{}", env_name(&input.reference)),
            &input.dir,
        );
    }
    for item in ctx.params().opt_list("env").unwrap_or(&[]) {
        let text = item.as_str().unwrap_or_default();
        match env_item(text) {
            EnvItem::Set(name, value) if is_env_name(name) => {
                command.env(name, value);
            }
            EnvItem::Pass(name) if is_env_name(name) => {
                if let Some(value) = std::env::var_os(name) {
                    command.env(name, value);
                }
            }
            _ => {
                return Err(ExecError::Env {
                    item: text.to_owned(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// `[A-Za-z_][A-Za-z0-9_]*`, what POSIX shells accept.
pub(super) fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn env_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}
