use std::fmt;

use burn::tensor::backend::AutodiffBackend;
use clarity_device::{Backend, DeviceError, DeviceName, DeviceRequest, Precision};

use super::probe::{built_backends, inventory};

/// A device to run on: a name from the shared vocabulary and the backend built into this
/// binary that drives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Device {
    /// The Burn backend.
    pub backend: Backend,
    /// The device; CPU devices name their backend (`cpu:flex`).
    pub name: DeviceName,
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
    /// The device `request` means on this machine (probed once per process), as the
    /// policies resolve it: `auto` skips software adapters; a named device must be built in
    /// and present.
    pub fn resolve(request: DeviceRequest) -> Result<Device, DeviceError> {
        Device::named(inventory().resolve(request)?)
    }

    /// `name` on the backend that drives it in this binary, without probing the machine
    /// (for a placement the policies already checked).
    pub fn named(name: DeviceName) -> Result<Device, DeviceError> {
        let built = built_backends();
        let backend = name
            .backend_in(&built)
            .ok_or_else(|| DeviceError::NotBuilt {
                device: name.to_string(),
                feature: name.backends()[0].name().to_owned(),
                built: built
                    .iter()
                    .map(|b| b.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let name = match name {
            DeviceName::Cpu(_) => DeviceName::Cpu(Some(backend)),
            other => other,
        };
        Ok(Device { backend, name })
    }

    /// The CPU through the default CPU backend built in.
    pub fn cpu() -> Result<Device, DeviceError> {
        Device::named(DeviceName::CPU)
    }

    /// Whether this is a CPU device.
    pub fn is_cpu(&self) -> bool {
        self.backend.is_cpu()
    }

    /// An error when this device cannot compute in `precision`: decided per device, by its
    /// backend and, for a GPU, its adapter's features (see `clarity devices`).
    pub fn check_precision(&self, precision: Precision) -> Result<(), DeviceError> {
        inventory().check_precision(self.name, precision)
    }

    /// Runs `task` on this device's backend.
    pub fn run<T: BackendTask>(&self, task: T) -> Result<T::Output, DeviceError> {
        #[allow(unused_imports)]
        use burn::backend::Autodiff;
        #[cfg(any(feature = "wgpu", feature = "cuda"))]
        super::kernel_cache::configure();
        match (self.backend, self.name) {
            #[cfg(feature = "flex")]
            (Backend::Flex, DeviceName::Cpu(_)) => {
                Ok(task.run::<Autodiff<burn::backend::Flex>>(burn::backend::flex::FlexDevice))
            }
            #[cfg(feature = "candle")]
            #[allow(deprecated)]
            (Backend::Candle, DeviceName::Cpu(_)) => Ok(task
                .run::<Autodiff<burn::backend::Candle>>(burn::backend::candle::CandleDevice::Cpu)),
            #[cfg(feature = "wgpu")]
            (Backend::Wgpu, name) => {
                let api = super::GraphicsApi::of(name).unwrap_or(super::GraphicsApi::Auto);
                let (device, _) =
                    super::wgpu::device(api).map_err(|reason| DeviceError::Unavailable {
                        device: self.to_string(),
                        reason,
                    })?;
                Ok(task.run::<Autodiff<burn::backend::Wgpu>>(device))
            }
            #[cfg(feature = "cuda")]
            (Backend::Cuda, DeviceName::Cuda(index)) => {
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
            _ => Err(DeviceError::NotBuilt {
                device: self.to_string(),
                feature: self.backend.name().to_owned(),
                built: built_backends()
                    .iter()
                    .map(|b| b.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.name.fmt(f)
    }
}
