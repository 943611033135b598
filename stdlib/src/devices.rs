//! The real machine for the device policies: the backends built into this binary and the
//! devices they see, probed through clarity-models and handed to `clarity-policy` as data.

use clarity_models::device::{BackendKind, cuda_device_count};
use clarity_policy::{Backend, DeviceName, Inventory, PolicyPlacer};

/// The device-policy placement hook of this binary, on the machine it runs on (probed the
/// first time a plan needs it; `--assume-devices` plans skip the probe).
pub fn policy_placer() -> PolicyPlacer {
    PolicyPlacer::new(built_backends(), probe)
}

/// The backends built into this binary.
pub fn built_backends() -> Vec<Backend> {
    BackendKind::compiled()
        .into_iter()
        .filter_map(|k| Backend::from_name(k.name()))
        .collect()
}

/// This machine: its CUDA devices, its wgpu GPU (the Apple GPU on macOS), the CPU.
pub fn probe() -> Inventory {
    let mut devices: Vec<DeviceName> = (0..cuda_device_count()).map(DeviceName::Cuda).collect();
    devices.extend(wgpu_devices());
    Inventory::new(devices, built_backends(), std::env::consts::OS)
}

#[cfg(feature = "wgpu")]
fn wgpu_devices() -> Vec<DeviceName> {
    use clarity_models::device::{GraphicsApi, wgpu_device};
    if cfg!(target_os = "macos") {
        return vec![DeviceName::Metal];
    }
    match wgpu_device(GraphicsApi::Auto) {
        Ok((_, adapter)) if adapter.ends_with("(Vulkan)") => {
            vec![DeviceName::Vulkan, DeviceName::Wgpu]
        }
        Ok(_) => vec![DeviceName::Wgpu],
        Err(_) => Vec::new(),
    }
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_devices() -> Vec<DeviceName> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_backends_are_the_models_crates() {
        let built: Vec<&str> = built_backends().iter().map(|b| b.name()).collect();
        let models: Vec<&str> = BackendKind::compiled().iter().map(|k| k.name()).collect();
        assert_eq!(built, models);
        assert!(probe().devices().any(|d| d == DeviceName::CPU));
    }
}
