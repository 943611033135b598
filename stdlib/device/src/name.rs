use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use crate::{Backend, DeviceError, DeviceKind};

/// One concrete device: `cpu`, `cpu:flex`, `cpu:candle`, `cuda:N`, `metal`, `vulkan`, `wgpu`.
///
/// This is what a placement names; the models crate's `DeviceRequest` parses the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceName {
    /// The CPU, through a given backend or the binary's default CPU backend.
    Cpu(Option<Backend>),
    /// An NVIDIA GPU by index.
    Cuda(usize),
    /// The Apple GPU through wgpu's Metal backend.
    Metal,
    /// A GPU through wgpu's Vulkan backend.
    Vulkan,
    /// A GPU through wgpu's default graphics API.
    Wgpu,
}

impl DeviceName {
    /// The CPU through the default CPU backend.
    pub const CPU: DeviceName = DeviceName::Cpu(None);

    /// The names this type reads (aliases: `gpu` = `cuda`, `mps` = `metal`, `flex` =
    /// `cpu:flex`, `candle` = `cpu:candle`).
    pub const NAMES: [&'static str; 8] = [
        "cpu",
        "cpu:flex",
        "cpu:candle",
        "cuda",
        "cuda:N",
        "metal",
        "vulkan",
        "wgpu",
    ];

    /// Its kind.
    pub fn kind(self) -> DeviceKind {
        match self {
            DeviceName::Cpu(_) => DeviceKind::Cpu,
            DeviceName::Cuda(_) => DeviceKind::Cuda,
            DeviceName::Metal => DeviceKind::Metal,
            DeviceName::Vulkan => DeviceKind::Vulkan,
            DeviceName::Wgpu => DeviceKind::Wgpu,
        }
    }

    /// The backend that drives it in a binary built with `built`: the first of
    /// [`DeviceName::backends`] built in.
    pub fn backend_in(self, built: &BTreeSet<Backend>) -> Option<Backend> {
        self.backends().iter().copied().find(|b| built.contains(b))
    }

    /// The backends that can drive it, preferred first (any one of them will do).
    pub fn backends(self) -> &'static [Backend] {
        match self {
            DeviceName::Cpu(None) => &[Backend::Flex, Backend::Candle],
            DeviceName::Cpu(Some(Backend::Candle)) => &[Backend::Candle],
            DeviceName::Cpu(Some(_)) => &[Backend::Flex],
            DeviceName::Cuda(_) => &[Backend::Cuda],
            DeviceName::Metal | DeviceName::Vulkan | DeviceName::Wgpu => &[Backend::Wgpu],
        }
    }
}

impl FromStr for DeviceName {
    type Err = DeviceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim().to_ascii_lowercase();
        let (name, arg) = match input.split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (input.as_str(), None),
        };
        let device = match (name, arg) {
            ("cpu", None) => DeviceName::CPU,
            ("cpu", Some("flex")) | ("flex", None) => DeviceName::Cpu(Some(Backend::Flex)),
            ("cpu", Some("candle")) | ("candle", None) => DeviceName::Cpu(Some(Backend::Candle)),
            ("cuda" | "gpu", None) => DeviceName::Cuda(0),
            ("cuda" | "gpu", Some(index)) => match index.parse() {
                Ok(index) => DeviceName::Cuda(index),
                Err(_) => return Err(DeviceError::unknown(s)),
            },
            ("metal" | "mps", None) => DeviceName::Metal,
            ("vulkan", None) => DeviceName::Vulkan,
            ("wgpu", None) => DeviceName::Wgpu,
            _ => return Err(DeviceError::unknown(s)),
        };
        Ok(device)
    }
}

impl fmt::Display for DeviceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceName::Cpu(None) => f.write_str("cpu"),
            DeviceName::Cpu(Some(backend)) => write!(f, "cpu:{backend}"),
            DeviceName::Cuda(index) => write!(f, "cuda:{index}"),
            DeviceName::Metal => f.write_str("metal"),
            DeviceName::Vulkan => f.write_str("vulkan"),
            DeviceName::Wgpu => f.write_str("wgpu"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_parse_to_devices_that_print_canonically() {
        let cases = [
            ("cpu", "cpu"),
            ("CPU", "cpu"),
            ("flex", "cpu:flex"),
            ("cpu:candle", "cpu:candle"),
            ("cuda", "cuda:0"),
            ("gpu:2", "cuda:2"),
            ("mps", "metal"),
            ("vulkan", "vulkan"),
            ("wgpu", "wgpu"),
        ];
        for (input, shown) in cases {
            assert_eq!(
                input.parse::<DeviceName>().unwrap().to_string(),
                shown,
                "{input}"
            );
        }
    }

    #[test]
    fn unknown_names_are_errors() {
        for input in ["cdua", "cuda:x", "cpu:fast", "", "auto"] {
            assert!(input.parse::<DeviceName>().is_err(), "{input}");
        }
    }
}
