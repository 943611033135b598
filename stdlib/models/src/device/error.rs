use miette::Diagnostic;
use thiserror::Error;

/// A device name that cannot be used.
#[derive(Debug, Error, Diagnostic, Clone, PartialEq, Eq)]
pub enum DeviceError {
    /// Not a device name.
    #[error("unknown device `{input}`")]
    #[diagnostic(
        code(clarity::models::device::unknown),
        help("devices: auto, cpu, cpu:flex, cpu:candle, cuda, cuda:N, metal, vulkan, wgpu")
    )]
    Unknown {
        /// What was given.
        input: String,
    },

    /// The device needs a backend this binary was built without.
    #[error("device `{device}` needs the `{feature}` backend, which this binary was built without")]
    #[diagnostic(
        code(clarity::models::device::not_compiled),
        help("rebuild with `--features {feature}` (this binary has: {available})")
    )]
    NotCompiled {
        /// The device asked for.
        device: String,
        /// The cargo feature.
        feature: String,
        /// The backends that are built in.
        available: String,
    },

    /// The backend is built in but the hardware or driver is missing.
    #[error("device `{device}` is not available: {reason}")]
    #[diagnostic(
        code(clarity::models::device::unavailable),
        help("run `clarity devices` to see what this machine offers, or use --device cpu")
    )]
    Unavailable {
        /// The device asked for.
        device: String,
        /// Why.
        reason: String,
    },

    /// The backend cannot compute in the precision asked for.
    #[error("device `{device}` does not support {precision}")]
    #[diagnostic(
        code(clarity::models::device::precision),
        help("use --precision f32, or a device whose backend has {precision} (flex, cuda)")
    )]
    UnsupportedPrecision {
        /// The device.
        device: String,
        /// The precision asked for.
        precision: String,
    },
}
