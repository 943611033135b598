use std::fmt;

/// A Burn backend a `clarity` binary can be built with; its name is also its cargo feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backend {
    /// burn-flex, on the CPU.
    Flex,
    /// burn-candle, on the CPU.
    Candle,
    /// burn-wgpu: Metal, Vulkan, DX12.
    Wgpu,
    /// burn-cuda: NVIDIA GPUs.
    Cuda,
}

impl Backend {
    /// Every backend.
    pub const ALL: [Backend; 4] = [Backend::Flex, Backend::Candle, Backend::Wgpu, Backend::Cuda];

    /// The backend's name, also the cargo feature that builds it in.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::Candle => "candle",
            Backend::Wgpu => "wgpu",
            Backend::Cuda => "cuda",
        }
    }

    /// The backend called `name`.
    pub fn from_name(name: &str) -> Option<Backend> {
        Self::ALL.into_iter().find(|b| b.name() == name)
    }

    /// Whether it runs on the CPU.
    pub fn is_cpu(self) -> bool {
        matches!(self, Backend::Flex | Backend::Candle)
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
