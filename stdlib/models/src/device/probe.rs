//! What this binary and machine offer: the backends built in and the GPUs they see, with
//! each adapter's type and precisions, probed without panicking when a driver is absent.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, OnceLock};

use clarity_device::{Backend, Gpu, Inventory};

/// Whether this binary was built with `backend`.
pub fn compiled_in(backend: Backend) -> bool {
    match backend {
        Backend::Flex => cfg!(feature = "flex"),
        Backend::Candle => cfg!(feature = "candle"),
        Backend::Wgpu => cfg!(feature = "wgpu"),
        Backend::Cuda => cfg!(feature = "cuda"),
    }
}

/// The backends built into this binary.
pub fn built_backends() -> BTreeSet<Backend> {
    Backend::ALL
        .into_iter()
        .filter(|b| compiled_in(*b))
        .collect()
}

/// This machine, probed once per process: the CUDA devices, the wgpu adapter (both only
/// when built in), the CPU. Tool commands and the policies resolve `auto` over it.
pub fn inventory() -> &'static Inventory {
    static INVENTORY: OnceLock<Inventory> = OnceLock::new();
    INVENTORY.get_or_init(probe_inventory)
}

/// Probes this machine (see [`inventory`], which caches it).
pub fn probe_inventory() -> Inventory {
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    super::kernel_cache::configure();
    let mut gpus = cuda_gpus();
    gpus.extend(wgpu_gpus());
    Inventory::new(gpus, built_backends(), std::env::consts::OS)
}

/// Number of CUDA devices (0 without the `cuda` feature or without a driver).
pub fn cuda_device_count() -> usize {
    #[cfg(feature = "cuda")]
    {
        use burn::tensor::backend::Backend;
        quietly(|| <burn::backend::Cuda as Backend>::device_count(0)).unwrap_or(0)
    }
    #[cfg(not(feature = "cuda"))]
    {
        0
    }
}

#[cfg(feature = "cuda")]
fn cuda_gpus() -> Vec<Gpu> {
    use burn::backend::cuda::CudaDevice;
    use burn::tensor::DType;
    use clarity_device::{AdapterType, DeviceName, Precision};
    (0..cuda_device_count())
        .map(|index| {
            let device = CudaDevice::new(index);
            let precisions = Precision::ALL
                .into_iter()
                .filter(|p| {
                    let dtype = match p {
                        Precision::F32 => DType::F32,
                        Precision::F16 => DType::F16,
                        Precision::Bf16 => DType::BF16,
                    };
                    *p == Precision::F32
                        || quietly(|| {
                            <burn::backend::Cuda as burn::tensor::backend::Backend>::supports_dtype(
                                &device, dtype,
                            )
                        })
                        .unwrap_or(false)
                })
                .collect();
            Gpu {
                device: DeviceName::Cuda(index),
                adapter: format!("CUDA device {index}"),
                adapter_type: AdapterType::DiscreteGpu,
                precisions,
            }
        })
        .collect()
}

#[cfg(not(feature = "cuda"))]
fn cuda_gpus() -> Vec<Gpu> {
    Vec::new()
}

#[cfg(feature = "wgpu")]
fn wgpu_gpus() -> Vec<Gpu> {
    super::wgpu::gpus()
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_gpus() -> Vec<Gpu> {
    Vec::new()
}

/// Runs `f`, catching a panic without printing it. The GPU runtimes panic (on their own
/// threads too) when no driver or adapter is present; for a probe that is an answer, not a
/// crash, and a CPU-only machine must not print panic messages and backtraces for it.
#[cfg_attr(not(any(feature = "cuda", feature = "wgpu")), allow(dead_code))]
pub(crate) fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: Mutex<()> = Mutex::new(());
    let _one_at_a_time = HOOK.lock().unwrap_or_else(|e| e.into_inner());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_probe_is_an_answer_and_the_hook_is_restored() {
        assert_eq!(quietly(|| 3), Some(3));
        assert_eq!(quietly(|| -> u8 { panic!("no driver") }), None);
        // The usual hook is back: a panic elsewhere is still caught and reported by callers.
        assert!(catch_unwind(|| panic!("later")).is_err());
    }

    #[test]
    fn the_inventory_has_the_cpu_and_the_backends_built_in() {
        let inventory = inventory();
        assert_eq!(inventory.backends(), &built_backends());
        assert!(
            inventory
                .devices()
                .any(|d| d == clarity_device::DeviceName::CPU)
        );
    }
}
