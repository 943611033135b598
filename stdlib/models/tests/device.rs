//! Running on a device: names (the shared vocabulary of `clarity-device`) resolved on this
//! machine's probed inventory onto the backends built in.

use clarity_device::{Backend, DeviceError, DeviceName, DeviceRequest, Precision};
use clarity_models::device::{Device, compiled_in, inventory};

#[test]
fn a_backend_not_built_in_is_an_error_naming_its_feature() {
    for (name, backend) in [
        (DeviceName::Cuda(0), Backend::Cuda),
        (DeviceName::Vulkan, Backend::Wgpu),
        (DeviceName::Cpu(Some(Backend::Candle)), Backend::Candle),
        (DeviceName::Cpu(Some(Backend::Flex)), Backend::Flex),
    ] {
        match Device::named(name) {
            Ok(device) => {
                assert!(compiled_in(backend));
                assert_eq!(device.backend, backend);
            }
            Err(DeviceError::NotBuilt { feature, .. }) => {
                assert!(!compiled_in(backend));
                assert_eq!(feature, backend.name());
            }
            Err(other) => panic!("{name}: unexpected {other:?}"),
        }
    }
}

#[test]
fn cpu_and_auto_resolve_to_a_built_in_cpu_backend_here() {
    let cpu = Device::resolve(DeviceRequest::Device(DeviceName::CPU)).unwrap();
    assert!(compiled_in(cpu.backend) && cpu.backend.is_cpu());
    if compiled_in(Backend::DEFAULT_CPU) {
        assert_eq!(cpu.backend, Backend::DEFAULT_CPU);
    }
    assert_eq!(cpu.to_string(), format!("cpu:{}", cpu.backend));
    // No GPU in CI (lavapipe, if installed, is a software adapter `auto` skips): auto falls
    // back to the CPU unless a hardware GPU is built in and present.
    let auto = Device::resolve(DeviceRequest::Auto).unwrap();
    if inventory().gpus().all(|gpu| gpu.adapter_type.is_software()) {
        assert_eq!(auto, cpu);
    }
}

#[test]
fn a_device_absent_here_or_an_index_out_of_range_is_refused() {
    let error = Device::resolve(DeviceRequest::Device(DeviceName::Cuda(7))).unwrap_err();
    match error {
        DeviceError::NotBuilt { feature, .. } => {
            assert!(!compiled_in(Backend::Cuda));
            assert_eq!(feature, "cuda");
        }
        DeviceError::Absent { device, .. } => assert_eq!(device, "cuda:7"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn precisions_are_checked_per_device() {
    let candle = Device::named(DeviceName::Cpu(Some(Backend::Candle)));
    if let Ok(candle) = candle {
        let error = candle.check_precision(Precision::Bf16).unwrap_err();
        assert!(
            matches!(error, DeviceError::UnsupportedPrecision { ref supported, .. } if supported == "f32, f16"),
            "{error:?}"
        );
        assert!(candle.check_precision(Precision::F16).is_ok());
    }
    if let Ok(flex) = Device::named(DeviceName::Cpu(Some(Backend::Flex))) {
        for p in Precision::ALL {
            assert!(flex.check_precision(p).is_ok(), "{p}");
        }
    }
}
