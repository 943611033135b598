//! Device names and backend selection.

use clarity_models::device::{BackendKind, DeviceError, DeviceRequest, DeviceTarget, GraphicsApi};

#[test]
fn device_names_parse_and_print() {
    let cases = [
        ("auto", DeviceRequest::Auto, "auto"),
        ("cpu", DeviceRequest::Cpu(None), "cpu"),
        (
            "CPU:flex",
            DeviceRequest::Cpu(Some(BackendKind::Flex)),
            "cpu:flex",
        ),
        (
            "cpu:candle",
            DeviceRequest::Cpu(Some(BackendKind::Candle)),
            "cpu:candle",
        ),
        ("cuda", DeviceRequest::Cuda(0), "cuda:0"),
        ("cuda:3", DeviceRequest::Cuda(3), "cuda:3"),
        ("metal", DeviceRequest::Metal, "metal"),
        ("vulkan", DeviceRequest::Vulkan, "vulkan"),
        ("wgpu", DeviceRequest::Wgpu, "wgpu"),
    ];
    for (text, request, shown) in cases {
        assert_eq!(text.parse::<DeviceRequest>().unwrap(), request, "{text}");
        assert_eq!(request.to_string(), shown);
        assert_eq!(shown.parse::<DeviceRequest>().unwrap(), request);
    }
    for bad in ["tpu", "cuda:x", "cpu:wgpu", "", "metal:1"] {
        assert!(
            matches!(
                bad.parse::<DeviceRequest>(),
                Err(DeviceError::Unknown { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn a_backend_not_built_in_is_an_error_naming_its_feature() {
    for (request, kind) in [
        (DeviceRequest::Cuda(0), BackendKind::Cuda),
        (DeviceRequest::Vulkan, BackendKind::Wgpu),
        (
            DeviceRequest::Cpu(Some(BackendKind::Candle)),
            BackendKind::Candle,
        ),
        (
            DeviceRequest::Cpu(Some(BackendKind::Flex)),
            BackendKind::Flex,
        ),
    ] {
        match request.resolve() {
            Ok(device) => {
                assert!(kind.compiled_in());
                assert_eq!(device.backend, kind);
            }
            Err(DeviceError::NotCompiled { feature, .. }) => {
                assert!(!kind.compiled_in());
                assert_eq!(feature, kind.cargo_feature());
            }
            Err(other) => panic!("{request}: unexpected {other:?}"),
        }
    }
}

#[test]
fn cpu_and_auto_resolve_to_a_built_in_cpu_backend_here() {
    let cpu = DeviceRequest::Cpu(None).resolve().unwrap();
    assert!(cpu.backend.compiled_in() && cpu.backend.is_cpu());
    if BackendKind::DEFAULT_CPU.compiled_in() {
        assert_eq!(cpu.backend, BackendKind::DEFAULT_CPU);
    }
    assert_eq!(cpu.to_string(), format!("cpu:{}", cpu.backend));
    // No GPU in CI: auto falls back to the CPU unless a GPU backend is built and present.
    let auto = DeviceRequest::Auto.resolve().unwrap();
    if !BackendKind::Cuda.compiled_in() && !BackendKind::Wgpu.compiled_in() {
        assert_eq!(auto, cpu);
    }
    let vulkan = DeviceRequest::Vulkan.resolve();
    if let Ok(device) = vulkan {
        assert_eq!(device.target, DeviceTarget::Wgpu(GraphicsApi::Vulkan));
    }
}
