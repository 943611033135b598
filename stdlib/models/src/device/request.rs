use std::fmt;
use std::str::FromStr;

use super::{BackendKind, Device, DeviceError, DeviceTarget, GraphicsApi};

/// A device as named on the command line or in a pipeline: `auto`, `cpu`, `cpu:flex`,
/// `cpu:candle`, `cuda`, `cuda:N`, `metal`, `vulkan`, `wgpu`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DeviceRequest {
    /// CUDA if built in and present, else the Apple GPU on macOS (wgpu), else the CPU.
    #[default]
    Auto,
    /// The CPU, through a given backend or the default one.
    Cpu(Option<BackendKind>),
    /// An NVIDIA GPU by index.
    Cuda(usize),
    /// The Apple GPU through wgpu's Metal backend.
    Metal,
    /// A GPU through wgpu's Vulkan backend.
    Vulkan,
    /// A GPU through wgpu with its default graphics API.
    Wgpu,
}

impl DeviceRequest {
    /// The concrete device: checks that its backend is built in (`auto` picks among those).
    pub fn resolve(self) -> Result<Device, DeviceError> {
        let device = match self {
            DeviceRequest::Auto => return Ok(auto_device()),
            DeviceRequest::Cpu(None) => {
                let backend = if BackendKind::DEFAULT_CPU.compiled_in() {
                    BackendKind::DEFAULT_CPU
                } else if BackendKind::Candle.compiled_in() {
                    BackendKind::Candle
                } else {
                    BackendKind::DEFAULT_CPU
                };
                Device::new(backend, DeviceTarget::Cpu)
            }
            DeviceRequest::Cpu(Some(backend)) => Device::new(backend, DeviceTarget::Cpu),
            DeviceRequest::Cuda(index) => Device::new(BackendKind::Cuda, DeviceTarget::Cuda(index)),
            DeviceRequest::Metal => {
                Device::new(BackendKind::Wgpu, DeviceTarget::Wgpu(GraphicsApi::Metal))
            }
            DeviceRequest::Vulkan => {
                Device::new(BackendKind::Wgpu, DeviceTarget::Wgpu(GraphicsApi::Vulkan))
            }
            DeviceRequest::Wgpu => {
                Device::new(BackendKind::Wgpu, DeviceTarget::Wgpu(GraphicsApi::Auto))
            }
        };
        if device.backend.compiled_in() {
            Ok(device)
        } else {
            Err(DeviceError::NotCompiled {
                device: self.to_string(),
                feature: device.backend.cargo_feature().to_string(),
                available: BackendKind::compiled()
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }
}

fn auto_device() -> Device {
    if BackendKind::Cuda.compiled_in() && super::cuda_device_count() > 0 {
        return Device::new(BackendKind::Cuda, DeviceTarget::Cuda(0));
    }
    if BackendKind::Wgpu.compiled_in() && cfg!(target_os = "macos") {
        return Device::new(BackendKind::Wgpu, DeviceTarget::Wgpu(GraphicsApi::Metal));
    }
    let backend = if BackendKind::DEFAULT_CPU.compiled_in() || !BackendKind::Candle.compiled_in() {
        BackendKind::DEFAULT_CPU
    } else {
        BackendKind::Candle
    };
    Device::new(backend, DeviceTarget::Cpu)
}

impl FromStr for DeviceRequest {
    type Err = DeviceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let input = s.trim().to_ascii_lowercase();
        let unknown = || DeviceError::Unknown {
            input: s.to_string(),
        };
        let (name, arg) = match input.split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (input.as_str(), None),
        };
        Ok(match (name, arg) {
            ("auto", None) => DeviceRequest::Auto,
            ("cpu", None) => DeviceRequest::Cpu(None),
            ("cpu", Some("flex")) | ("flex", None) => DeviceRequest::Cpu(Some(BackendKind::Flex)),
            ("cpu", Some("candle")) | ("candle", None) => {
                DeviceRequest::Cpu(Some(BackendKind::Candle))
            }
            ("cuda" | "gpu", None) => DeviceRequest::Cuda(0),
            ("cuda" | "gpu", Some(index)) => {
                DeviceRequest::Cuda(index.parse().map_err(|_| unknown())?)
            }
            ("metal" | "mps", None) => DeviceRequest::Metal,
            ("vulkan", None) => DeviceRequest::Vulkan,
            ("wgpu", None) => DeviceRequest::Wgpu,
            _ => return Err(unknown()),
        })
    }
}

impl fmt::Display for DeviceRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceRequest::Auto => f.write_str("auto"),
            DeviceRequest::Cpu(None) => f.write_str("cpu"),
            DeviceRequest::Cpu(Some(k)) => write!(f, "cpu:{k}"),
            DeviceRequest::Cuda(i) => write!(f, "cuda:{i}"),
            DeviceRequest::Metal => f.write_str("metal"),
            DeviceRequest::Vulkan => f.write_str("vulkan"),
            DeviceRequest::Wgpu => f.write_str("wgpu"),
        }
    }
}
