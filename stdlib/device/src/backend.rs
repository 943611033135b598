use std::fmt;

use crate::Precision;

/// A Burn backend a `clarity` binary can be built with; its name is also its cargo feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backend {
    /// burn-flex, on the CPU: pure Rust, SIMD and multi-threaded.
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

    /// The backend `cpu` means when both CPU backends are built: flex, the faster of the two
    /// in every measurement (see `stdlib/models/README.md`).
    pub const DEFAULT_CPU: Backend = Backend::Flex;

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

    /// The precisions the backend can compute in on a device that has them all: candle's
    /// CPU matmul has no bf16 and burn-wgpu's shaders none either. A GPU narrows this by its
    /// adapter's features (f16 on wgpu needs `SHADER_F16`), recorded when it is probed.
    pub fn precisions(self) -> &'static [Precision] {
        match self {
            Backend::Flex | Backend::Cuda => &[Precision::F32, Precision::F16, Precision::Bf16],
            Backend::Candle | Backend::Wgpu => &[Precision::F32, Precision::F16],
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
