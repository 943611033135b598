use miette::Diagnostic;
use thiserror::Error;

use crate::DeviceName;

/// A device that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
pub enum DeviceError {
    /// Not a device name.
    #[error("unknown device `{input}`")]
    #[diagnostic(code(clarity::device::unknown))]
    Unknown {
        /// What was written.
        input: String,
        /// Did you mean / the names.
        #[help]
        help: String,
    },
    /// The device needs a backend this binary was built without.
    #[error("device `{device}` needs the `{feature}` backend, which this binary was built without")]
    #[diagnostic(
        code(clarity::device::not_built),
        help("rebuild clarity with `--features {feature}` (this binary has: {built})")
    )]
    NotBuilt {
        /// The device.
        device: String,
        /// The cargo feature that builds its backend in.
        feature: String,
        /// The backends this binary has.
        built: String,
    },
    /// The backend is built in but the machine has no such device.
    #[error("{machine} has no device `{device}` (it has: {present})")]
    #[diagnostic(code(clarity::device::absent))]
    Absent {
        /// The device.
        device: String,
        /// `this machine` or `the assumed machine`.
        machine: String,
        /// The devices it has.
        present: String,
        /// What to do.
        #[help]
        help: String,
    },
    /// The device is there and its backend built in, but it could not be started.
    #[error("device `{device}` could not be started: {reason}")]
    #[diagnostic(
        code(clarity::device::unavailable),
        help("`clarity devices` shows what this machine offers; use --device cpu")
    )]
    Unavailable {
        /// The device.
        device: String,
        /// Why (the runtime's words).
        reason: String,
    },
    /// The device cannot compute in the precision asked for.
    #[error("device `{device}` does not support {precision} (it has: {supported})")]
    #[diagnostic(code(clarity::device::precision))]
    UnsupportedPrecision {
        /// The device.
        device: String,
        /// The precision asked for.
        precision: String,
        /// The precisions it has.
        supported: String,
        /// What to do.
        #[help]
        help: String,
    },
}

impl DeviceError {
    /// [`DeviceError::Unknown`] for `input`, with a suggestion.
    pub fn unknown(input: &str) -> Self {
        let names = std::iter::once("auto").chain(DeviceName::NAMES);
        let listed = names.clone().collect::<Vec<_>>().join(", ");
        let help = match clarity_engine::suggest::closest(&input.to_ascii_lowercase(), names) {
            Some(best) => format!("did you mean `{best}`? (devices: {listed})"),
            None => format!("devices: {listed}"),
        };
        DeviceError::Unknown {
            input: input.to_owned(),
            help,
        }
    }
}
