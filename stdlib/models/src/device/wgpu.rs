//! wgpu device set-up, once per process (the first graphics API asked for wins).

use std::sync::OnceLock;

use burn::backend::wgpu::{RuntimeOptions, WgpuDevice, graphics, init_setup};

use super::GraphicsApi;
use super::probe::quietly;

/// The default wgpu device initialised with `api`, and its adapter's description; an
/// error when wgpu finds no adapter.
pub fn device(api: GraphicsApi) -> Result<(WgpuDevice, String), String> {
    static SETUP: OnceLock<Result<String, String>> = OnceLock::new();
    let device = WgpuDevice::DefaultDevice;
    let description = SETUP
        .get_or_init(|| {
            quietly(|| {
                let options = RuntimeOptions::default();
                let setup = match api {
                    GraphicsApi::Auto => init_setup::<graphics::AutoGraphicsApi>(&device, options),
                    GraphicsApi::Vulkan => init_setup::<graphics::Vulkan>(&device, options),
                    GraphicsApi::Metal => init_setup::<graphics::Metal>(&device, options),
                };
                let info = setup.adapter.get_info();
                format!("{} ({:?})", info.name, info.backend)
            })
            .ok_or_else(|| "wgpu found no usable adapter".to_string())
        })
        .clone()?;
    Ok((device, description))
}
