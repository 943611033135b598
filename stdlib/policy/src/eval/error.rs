use clarity_device::DeviceError;
use clarity_engine::lang::SourceText;
use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

use crate::lang::PolicyError;

type Src = SourceText;

/// Why a stage cannot be placed.
#[derive(Debug, Error, Diagnostic)]
pub enum PlaceError {
    /// The device asked for cannot be used.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Device(#[from] DeviceError),
    /// A policy refused the stage.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Refused(Box<Refused>),
    /// A policy switches to a device this machine lacks.
    #[error(transparent)]
    #[diagnostic(transparent)]
    CannotApply(Box<CannotApply>),
    /// Policies switch the device back to one already left.
    #[error(transparent)]
    #[diagnostic(transparent)]
    DeviceLoop(Box<DeviceLoop>),
    /// A stage param the policies read has a value they do not know.
    #[error("stage `{stage}`: `{param}` is \"{value}\", which is not a {what}")]
    #[diagnostic(code(clarity::policy::bad_param))]
    BadParam {
        /// The stage.
        stage: String,
        /// The param.
        param: String,
        /// Its value.
        value: String,
        /// `precision` or `attention path`.
        what: String,
        /// The values it takes.
        #[help]
        help: String,
    },
    /// The policy files have errors.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Policies(#[from] PolicyErrors),
}

/// A policy refused a stage.
#[derive(Debug, Error, Diagnostic)]
#[error("policy `{policy}` refuses stage `{stage}`: {message}")]
#[diagnostic(code(clarity::policy::refused))]
pub struct Refused {
    /// The policy.
    pub policy: String,
    /// The stage.
    pub stage: String,
    /// The policy's message.
    pub message: String,
    /// Source text of the policy file.
    #[source_code]
    pub src: Src,
    /// The `refuse` action.
    #[label("refused here")]
    pub span: SourceSpan,
    /// The policy's help.
    #[help]
    pub help: Option<String>,
}

/// A policy switches a stage to a device the machine lacks.
#[derive(Debug, Error, Diagnostic)]
#[error("policy `{policy}` cannot apply to stage `{stage}`: {reason}")]
#[diagnostic(code(clarity::policy::cannot_apply))]
pub struct CannotApply {
    /// The policy.
    pub policy: String,
    /// The stage.
    pub stage: String,
    /// Why the device cannot be used.
    pub reason: String,
    /// Source text of the policy file.
    #[source_code]
    pub src: Src,
    /// The `device` action.
    #[label("switches to `{device}`")]
    pub span: SourceSpan,
    /// The device.
    pub device: String,
    /// What to do.
    #[help]
    pub help: String,
}

/// Policies switch a stage's device back to one already left.
#[derive(Debug, Error, Diagnostic)]
#[error("device policies loop on stage `{stage}`: {chain}")]
#[diagnostic(
    code(clarity::policy::device_loop),
    help("make the policies' `when` clauses exclude each other, or disable one")
)]
pub struct DeviceLoop {
    /// The stage.
    pub stage: String,
    /// The devices in order, with the policies that switched.
    pub chain: String,
    /// Source text of the policy file.
    #[source_code]
    pub src: Src,
    /// The `device` action that closes the loop.
    #[label("switches back")]
    pub span: SourceSpan,
}

/// Every error in the policy files, as one diagnostic.
#[derive(Debug, Error, Diagnostic)]
#[error("the device policies have {} error(s)", errors.len())]
#[diagnostic(
    code(clarity::policy::errors),
    help("fix the policy files; each error is shown below")
)]
pub struct PolicyErrors {
    /// The errors.
    #[related]
    pub errors: Vec<PolicyError>,
}
