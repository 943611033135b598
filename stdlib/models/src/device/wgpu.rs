//! wgpu device set-up, once per process (the first graphics API asked for wins), and the
//! adapter it found as inventory entries.

use std::sync::OnceLock;

use burn::backend::wgpu::{RuntimeOptions, WgpuDevice, graphics, init_setup};
use burn::tensor::DType;
use burn::tensor::backend::Backend;
use clarity_device::{AdapterType, DeviceName, Gpu, Precision};

use super::probe::quietly;

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

impl GraphicsApi {
    /// The API a wgpu device name asks for (`None` for non-wgpu devices).
    pub fn of(device: DeviceName) -> Option<GraphicsApi> {
        match device {
            DeviceName::Vulkan => Some(GraphicsApi::Vulkan),
            DeviceName::Metal => Some(GraphicsApi::Metal),
            DeviceName::Wgpu => Some(GraphicsApi::Auto),
            DeviceName::Cpu(_) | DeviceName::Cuda(_) => None,
        }
    }
}

/// The adapter wgpu set up.
#[derive(Debug, Clone)]
struct Adapter {
    name: String,
    api: wgpu::Backend,
    adapter_type: AdapterType,
}

/// The default wgpu device initialised with `api`, and its adapter's description; an
/// error when wgpu finds no adapter.
pub fn device(api: GraphicsApi) -> Result<(WgpuDevice, String), String> {
    let adapter = setup(api)?;
    Ok((
        WgpuDevice::DefaultDevice,
        format!("{} ({:?})", adapter.name, adapter.api),
    ))
}

fn setup(api: GraphicsApi) -> Result<Adapter, String> {
    static SETUP: OnceLock<Result<Adapter, String>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            quietly(|| {
                let device = WgpuDevice::DefaultDevice;
                let options = RuntimeOptions::default();
                let setup = match api {
                    GraphicsApi::Auto => init_setup::<graphics::AutoGraphicsApi>(&device, options),
                    GraphicsApi::Vulkan => init_setup::<graphics::Vulkan>(&device, options),
                    GraphicsApi::Metal => init_setup::<graphics::Metal>(&device, options),
                };
                let info = setup.adapter.get_info();
                Adapter {
                    name: info.name,
                    api: info.backend,
                    adapter_type: adapter_type(info.device_type),
                }
            })
            .ok_or_else(|| "wgpu found no usable adapter".to_string())
        })
        .clone()
}

fn adapter_type(device_type: wgpu::DeviceType) -> AdapterType {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => AdapterType::DiscreteGpu,
        wgpu::DeviceType::IntegratedGpu => AdapterType::IntegratedGpu,
        wgpu::DeviceType::VirtualGpu => AdapterType::VirtualGpu,
        wgpu::DeviceType::Cpu => AdapterType::Cpu,
        wgpu::DeviceType::Other => AdapterType::Other,
    }
}

/// The adapter of wgpu's default API as inventory entries: `vulkan` or `metal` by its API,
/// and `wgpu` for the same adapter. f16 where Burn's runtime registered it for the adapter
/// (wgpu's `SHADER_F16`); never bf16 (burn-wgpu's shaders have none).
pub(super) fn gpus() -> Vec<Gpu> {
    let Ok(adapter) = setup(GraphicsApi::Auto) else {
        return Vec::new();
    };
    let device = WgpuDevice::DefaultDevice;
    let f16 = quietly(|| <burn::backend::Wgpu as Backend>::supports_dtype(&device, DType::F16))
        .unwrap_or(false);
    let mut precisions = vec![Precision::F32];
    if f16 {
        precisions.push(Precision::F16);
    }
    let names: &[DeviceName] = match adapter.api {
        wgpu::Backend::Vulkan => &[DeviceName::Vulkan, DeviceName::Wgpu],
        wgpu::Backend::Metal => &[DeviceName::Metal, DeviceName::Wgpu],
        _ => &[DeviceName::Wgpu],
    };
    names
        .iter()
        .map(|name| Gpu {
            device: *name,
            adapter: format!("{} ({:?})", adapter.name, adapter.api),
            adapter_type: adapter.adapter_type,
            precisions: precisions.clone(),
        })
        .collect()
}
