use std::fmt;

use crate::{DeviceName, Precision};

/// What an adapter is, as its driver reports it (wgpu's `DeviceType`; CUDA devices are
/// discrete GPUs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdapterType {
    /// A GPU of its own.
    DiscreteGpu,
    /// A GPU sharing the CPU's memory (Apple silicon, laptops).
    IntegratedGpu,
    /// A GPU of a virtual machine.
    VirtualGpu,
    /// A software implementation running on the CPU, such as Mesa's llvmpipe (lavapipe):
    /// `auto` never picks it over the CPU backends, which are faster on the same cores.
    Cpu,
    /// Anything else the driver reports.
    Other,
}

impl AdapterType {
    /// Its name as `clarity devices` shows it.
    pub fn name(self) -> &'static str {
        match self {
            AdapterType::DiscreteGpu => "discrete GPU",
            AdapterType::IntegratedGpu => "integrated GPU",
            AdapterType::VirtualGpu => "virtual GPU",
            AdapterType::Cpu => "CPU (software)",
            AdapterType::Other => "other",
        }
    }

    /// Whether it is a software device running on the CPU.
    pub fn is_software(self) -> bool {
        self == AdapterType::Cpu
    }
}

impl fmt::Display for AdapterType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One GPU device of a machine, as probed (or assumed): the name a placement uses, the
/// adapter behind it and the precisions it computes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gpu {
    /// The device name (`cuda:0`, `vulkan`, `metal`, `wgpu`).
    pub device: DeviceName,
    /// The adapter's name as the driver gives it (`NVIDIA H100 80GB HBM3`, `llvmpipe (LLVM
    /// 15.0.6, 256 bits)`).
    pub adapter: String,
    /// What the adapter is.
    pub adapter_type: AdapterType,
    /// The precisions it computes in: its backend's, narrowed by the adapter's features.
    pub precisions: Vec<Precision>,
}

impl Gpu {
    /// A GPU a plan assumes (`--assume-devices`): a discrete GPU with every precision its
    /// backend has.
    pub fn assumed(device: DeviceName) -> Self {
        Self {
            device,
            adapter: "assumed".to_owned(),
            adapter_type: AdapterType::DiscreteGpu,
            precisions: device.backends()[0].precisions().to_vec(),
        }
    }
}
