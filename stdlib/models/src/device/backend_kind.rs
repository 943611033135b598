use std::fmt;

/// A Burn backend this crate can be built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackendKind {
    /// burn-flex: pure-Rust CPU backend (SIMD, multi-threaded).
    Flex,
    /// burn-candle on CPU.
    Candle,
    /// burn-wgpu: Vulkan, Metal, DX12 through wgpu.
    Wgpu,
    /// burn-cuda: NVIDIA GPUs.
    Cuda,
}

impl BackendKind {
    /// Every backend, compiled in or not.
    pub const ALL: [BackendKind; 4] = [
        BackendKind::Flex,
        BackendKind::Candle,
        BackendKind::Wgpu,
        BackendKind::Cuda,
    ];

    /// The CPU backend `cpu` means when both are built: flex, the faster of the two in
    /// this crate's measurements (see the crate README / bench figures).
    pub const DEFAULT_CPU: BackendKind = BackendKind::Flex;

    /// The backend's name, also its cargo feature.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Flex => "flex",
            BackendKind::Candle => "candle",
            BackendKind::Wgpu => "wgpu",
            BackendKind::Cuda => "cuda",
        }
    }

    /// The cargo feature that builds this backend in.
    pub fn cargo_feature(self) -> &'static str {
        self.name()
    }

    /// Whether this binary was built with the backend.
    pub fn compiled_in(self) -> bool {
        match self {
            BackendKind::Flex => cfg!(feature = "flex"),
            BackendKind::Candle => cfg!(feature = "candle"),
            BackendKind::Wgpu => cfg!(feature = "wgpu"),
            BackendKind::Cuda => cfg!(feature = "cuda"),
        }
    }

    /// Whether the backend runs on the CPU.
    pub fn is_cpu(self) -> bool {
        matches!(self, BackendKind::Flex | BackendKind::Candle)
    }

    /// Whether the backend computes in `precision` (candle's CPU matmul has no bf16 and
    /// wgpu has no bf16; wgpu f16 further depends on the adapter).
    pub fn supports(self, precision: crate::Precision) -> bool {
        use crate::Precision::*;
        match (self, precision) {
            (_, F32) => true,
            (BackendKind::Flex | BackendKind::Cuda, F16 | Bf16) => true,
            (BackendKind::Candle | BackendKind::Wgpu, F16) => true,
            (BackendKind::Candle | BackendKind::Wgpu, Bf16) => false,
        }
    }

    /// The backends built into this binary.
    pub fn compiled() -> Vec<BackendKind> {
        Self::ALL.into_iter().filter(|k| k.compiled_in()).collect()
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
