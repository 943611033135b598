use std::fmt;

/// The kind of a device, as policies see it (the `device` fact).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeviceKind {
    /// The host CPU.
    Cpu,
    /// An NVIDIA GPU.
    Cuda,
    /// The Apple GPU, through wgpu's Metal backend.
    Metal,
    /// A GPU through wgpu's Vulkan backend.
    Vulkan,
    /// A GPU through wgpu with its default graphics API (e.g. DX12).
    Wgpu,
}

impl DeviceKind {
    /// Every kind, in the order `auto` prefers them (the CPU last).
    pub const ALL: [DeviceKind; 5] = [
        DeviceKind::Cuda,
        DeviceKind::Metal,
        DeviceKind::Vulkan,
        DeviceKind::Wgpu,
        DeviceKind::Cpu,
    ];

    /// Its name: `cpu`, `cuda`, `metal`, `vulkan`, `wgpu`.
    pub fn name(self) -> &'static str {
        match self {
            DeviceKind::Cpu => "cpu",
            DeviceKind::Cuda => "cuda",
            DeviceKind::Metal => "metal",
            DeviceKind::Vulkan => "vulkan",
            DeviceKind::Wgpu => "wgpu",
        }
    }

    /// Whether wgpu drives it.
    pub fn is_wgpu(self) -> bool {
        matches!(
            self,
            DeviceKind::Metal | DeviceKind::Vulkan | DeviceKind::Wgpu
        )
    }
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
