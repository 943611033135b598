use std::fmt;

use burn::tensor::backend::AutodiffBackend;

use super::{BackendKind, DeviceError};

/// The graphics API wgpu is asked to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphicsApi {
    /// wgpu's choice for the platform.
    Auto,
    /// Vulkan.
    Vulkan,
    /// Metal (Apple).
    Metal,
}

/// Where on a backend work runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceTarget {
    /// The host CPU.
    Cpu,
    /// An NVIDIA GPU by index.
    Cuda(usize),
    /// The default wgpu adapter of a graphics API.
    Wgpu(GraphicsApi),
}

/// A resolved device: a built-in backend and its hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Device {
    /// The Burn backend.
    pub backend: BackendKind,
    /// The hardware.
    pub target: DeviceTarget,
}

/// Generic work to run on whichever backend a [`Device`] selects at run time.
///
/// Each implementation is compiled once per backend built in; inference code uses
/// `B::InnerBackend` (no autodiff), training code `B`.
pub trait BackendTask {
    /// What the work returns.
    type Output;
    /// Runs on backend `B` (an autodiff backend) and `device`.
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output;
}

impl Device {
    /// A device on `backend`.
    pub fn new(backend: BackendKind, target: DeviceTarget) -> Self {
        Self { backend, target }
    }

    /// Whether this is a CPU device.
    pub fn is_cpu(&self) -> bool {
        matches!(self.target, DeviceTarget::Cpu)
    }

    /// An error when this device's backend cannot compute in `precision`.
    pub fn check_precision(&self, precision: crate::Precision) -> Result<(), DeviceError> {
        if self.backend.supports(precision) {
            Ok(())
        } else {
            Err(DeviceError::UnsupportedPrecision {
                device: self.to_string(),
                precision: precision.to_string(),
            })
        }
    }

    /// Runs `task` on this device's backend.
    pub fn run<T: BackendTask>(&self, task: T) -> Result<T::Output, DeviceError> {
        #[allow(unused_imports)]
        use burn::backend::Autodiff;
        match (self.backend, self.target) {
            #[cfg(feature = "flex")]
            (BackendKind::Flex, DeviceTarget::Cpu) => {
                Ok(task.run::<Autodiff<burn::backend::Flex>>(burn::backend::flex::FlexDevice))
            }
            #[cfg(feature = "candle")]
            #[allow(deprecated)]
            (BackendKind::Candle, DeviceTarget::Cpu) => Ok(task
                .run::<Autodiff<burn::backend::Candle>>(burn::backend::candle::CandleDevice::Cpu)),
            #[cfg(feature = "wgpu")]
            (BackendKind::Wgpu, DeviceTarget::Wgpu(api)) => {
                let (device, _) =
                    super::wgpu::device(api).map_err(|reason| DeviceError::Unavailable {
                        device: self.to_string(),
                        reason,
                    })?;
                Ok(task.run::<Autodiff<burn::backend::Wgpu>>(device))
            }
            #[cfg(feature = "cuda")]
            (BackendKind::Cuda, DeviceTarget::Cuda(index)) => {
                let count = super::cuda_device_count();
                if index >= count {
                    return Err(DeviceError::Unavailable {
                        device: self.to_string(),
                        reason: format!("{count} CUDA device(s) found"),
                    });
                }
                Ok(
                    task.run::<Autodiff<burn::backend::Cuda>>(
                        burn::backend::cuda::CudaDevice::new(index),
                    ),
                )
            }
            _ => Err(DeviceError::NotCompiled {
                device: self.to_string(),
                feature: self.backend.cargo_feature().to_string(),
                available: BackendKind::compiled()
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.target {
            DeviceTarget::Cpu => write!(f, "cpu:{}", self.backend),
            DeviceTarget::Cuda(i) => write!(f, "cuda:{i}"),
            DeviceTarget::Wgpu(GraphicsApi::Auto) => f.write_str("wgpu"),
            DeviceTarget::Wgpu(GraphicsApi::Vulkan) => f.write_str("vulkan"),
            DeviceTarget::Wgpu(GraphicsApi::Metal) => f.write_str("metal"),
        }
    }
}
