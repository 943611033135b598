use std::collections::{BTreeMap, BTreeSet};

use crate::{Backend, DeviceError, DeviceKind, DeviceName, DeviceRequest, Gpu, Precision};

/// What one machine offers: its GPUs (each with its adapter's type and precisions), the
/// backends the binary was built with, its OS. The CPU is always there.
///
/// The real inventory is probed by clarity-models (it needs Burn); `--assume-devices`
/// builds an assumed one with [`Inventory::assume`], so a plan can show what another
/// machine would do. Tool commands and the policies resolve `auto` over the same inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    gpus: BTreeMap<DeviceName, Gpu>,
    backends: BTreeSet<Backend>,
    os: String,
    assumed: bool,
}

impl Inventory {
    /// A machine with `gpus` (and the CPU), a binary with `backends`, on `os` (`linux`,
    /// `macos`, `windows`: Rust's `std::env::consts::OS`).
    pub fn new(
        gpus: impl IntoIterator<Item = Gpu>,
        backends: impl IntoIterator<Item = Backend>,
        os: impl Into<String>,
    ) -> Self {
        Self {
            gpus: gpus
                .into_iter()
                .filter(|gpu| gpu.device.kind() != DeviceKind::Cpu)
                .map(|gpu| (gpu.device, gpu))
                .collect(),
            backends: backends.into_iter().collect(),
            os: os.into(),
            assumed: false,
        }
    }

    /// The machine `--assume-devices` describes: the `names` given (comma-separated lists
    /// allowed) plus the CPU, each GPU a discrete one with its backend's precisions, with
    /// `built` plus the backends those devices need (the plan is for a binary built for
    /// that machine), on macOS when `metal` is among them, else on `host_os`.
    pub fn assume(
        names: &[String],
        built: &BTreeSet<Backend>,
        host_os: &str,
    ) -> Result<Self, DeviceError> {
        let mut devices = BTreeSet::new();
        for name in names
            .iter()
            .flat_map(|n| n.split(','))
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            devices.insert(normalise(name.parse::<DeviceName>()?));
        }
        let mut backends = built.clone();
        for device in &devices {
            if device.backend_in(&backends).is_none() {
                backends.insert(device.backends()[0]);
            }
        }
        if !backends.iter().any(|b| b.is_cpu()) {
            backends.insert(Backend::Flex);
        }
        let os = if devices.contains(&DeviceName::Metal) {
            "macos"
        } else {
            host_os
        };
        let mut inventory = Self::new(devices.into_iter().map(Gpu::assumed), backends, os);
        inventory.assumed = true;
        Ok(inventory)
    }

    /// The devices present: the CPU, then the GPUs.
    pub fn devices(&self) -> impl Iterator<Item = DeviceName> + '_ {
        std::iter::once(DeviceName::CPU).chain(self.gpus.keys().copied())
    }

    /// The GPUs present, with their adapters.
    pub fn gpus(&self) -> impl Iterator<Item = &Gpu> + '_ {
        self.gpus.values()
    }

    /// The backends built in.
    pub fn backends(&self) -> &BTreeSet<Backend> {
        &self.backends
    }

    /// The operating system.
    pub fn os(&self) -> &str {
        &self.os
    }

    /// Whether this inventory was assumed (`--assume-devices`) rather than probed.
    pub fn is_assumed(&self) -> bool {
        self.assumed
    }

    /// The device `request` means on this machine: `auto` takes the first of CUDA, Metal,
    /// Vulkan, wgpu that is present, built in and not a software adapter (such as Mesa's
    /// llvmpipe: the CPU backends are faster on the same cores), else the CPU; a named
    /// device must be built in and present, software or not.
    pub fn resolve(&self, request: DeviceRequest) -> Result<DeviceName, DeviceError> {
        match request {
            DeviceRequest::Auto => Ok(self.auto()),
            DeviceRequest::Device(device) => self.check(device).map(|()| device),
        }
    }

    /// Checks that `device` can run here: its backend is built in and the device present
    /// (on an assumed machine, presence is checked first: its binary is assumed to be built
    /// for the devices it has).
    pub fn check(&self, device: DeviceName) -> Result<(), DeviceError> {
        let built = device.backend_in(&self.backends).is_some();
        let absent_from_assumed = self.assumed && self.gpu(device).is_none() && !is_cpu(device);
        if !built && !absent_from_assumed {
            return Err(DeviceError::NotBuilt {
                device: device.to_string(),
                feature: device.backends()[0].name().to_owned(),
                built: self.backends_text(),
            });
        }
        if built && (is_cpu(device) || self.gpu(device).is_some()) {
            return Ok(());
        }
        let (machine, help) = if self.assumed {
            (
                "the assumed machine",
                format!("add `{device}` to --assume-devices, or use --device auto"),
            )
        } else {
            (
                "this machine",
                "`clarity devices` shows what this machine offers; use --device auto or cpu"
                    .to_owned(),
            )
        };
        Err(DeviceError::Absent {
            device: device.to_string(),
            machine: machine.to_owned(),
            present: self.devices_text(),
            help,
        })
    }

    /// The GPU behind `device` (`wgpu` means the first wgpu GPU); `None` for the CPU or a
    /// device not present.
    pub fn gpu(&self, device: DeviceName) -> Option<&Gpu> {
        match device {
            DeviceName::Cpu(_) => None,
            DeviceName::Wgpu => self
                .gpus
                .get(&DeviceName::Wgpu)
                .or_else(|| self.gpus.values().find(|g| g.device.kind().is_wgpu())),
            other => self.gpus.get(&other),
        }
    }

    /// The precisions `device` computes in here: a CPU backend's own, a GPU's as probed
    /// (its backend's, narrowed by its adapter's features); empty when it cannot run here.
    pub fn precisions(&self, device: DeviceName) -> Vec<Precision> {
        if self.check(device).is_err() {
            return Vec::new();
        }
        match self.gpu(device) {
            Some(gpu) => gpu.precisions.clone(),
            None => device
                .backend_in(&self.backends)
                .map(|b| b.precisions().to_vec())
                .unwrap_or_default(),
        }
    }

    /// Checks that `device` (present here) computes in `precision`.
    pub fn check_precision(
        &self,
        device: DeviceName,
        precision: Precision,
    ) -> Result<(), DeviceError> {
        self.check(device)?;
        let supported = self.precisions(device);
        if supported.contains(&precision) {
            return Ok(());
        }
        let names: Vec<&str> = supported.iter().map(|p| p.name()).collect();
        let backend = device.backend_in(&self.backends).map_or("", Backend::name);
        let help = match self.gpu(device) {
            Some(gpu) => format!(
                "its adapter ({}, {}) has no {precision}; use --precision f32, or a device \
                 that has it (`clarity devices` lists each device's precisions)",
                gpu.adapter, gpu.adapter_type
            ),
            None => format!(
                "the {backend} backend has no {precision}; use --precision f32, or \
                 --device cpu:flex"
            ),
        };
        Err(DeviceError::UnsupportedPrecision {
            device: device.to_string(),
            precision: precision.to_string(),
            supported: names.join(", "),
            help,
        })
    }

    fn auto(&self) -> DeviceName {
        let first_cuda = self
            .gpus
            .keys()
            .copied()
            .find(|d| d.kind() == DeviceKind::Cuda && self.is_hardware(*d));
        let wgpu_gpus = [DeviceName::Metal, DeviceName::Vulkan, DeviceName::Wgpu];
        first_cuda
            .into_iter()
            .chain(wgpu_gpus.into_iter().filter(|d| self.is_hardware(*d)))
            .find(|d| self.check(*d).is_ok())
            .unwrap_or(DeviceName::CPU)
    }

    /// Whether `device` is present and not a software adapter.
    fn is_hardware(&self, device: DeviceName) -> bool {
        self.gpu(device)
            .is_some_and(|gpu| !gpu.adapter_type.is_software())
    }

    fn devices_text(&self) -> String {
        self.devices()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn backends_text(&self) -> String {
        let names: Vec<&str> = self.backends.iter().map(|b| b.name()).collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    }
}

fn is_cpu(device: DeviceName) -> bool {
    device.kind() == DeviceKind::Cpu
}

/// The inventory lists hardware: every CPU backend means the same CPU.
fn normalise(device: DeviceName) -> DeviceName {
    match device {
        DeviceName::Cpu(_) => DeviceName::CPU,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AdapterType;

    fn cpu_build() -> BTreeSet<Backend> {
        [Backend::Flex, Backend::Candle].into()
    }

    fn gpus<const N: usize>(devices: [DeviceName; N]) -> Vec<Gpu> {
        devices.into_iter().map(Gpu::assumed).collect()
    }

    fn lavapipe(device: DeviceName) -> Gpu {
        Gpu {
            device,
            adapter: "llvmpipe (LLVM 15.0.6, 256 bits)".to_owned(),
            adapter_type: AdapterType::Cpu,
            precisions: vec![Precision::F32, Precision::F16],
        }
    }

    fn assume(names: &str) -> Inventory {
        Inventory::assume(&[names.to_owned()], &cpu_build(), "linux").unwrap()
    }

    fn auto(inventory: &Inventory) -> String {
        inventory.resolve(DeviceRequest::Auto).unwrap().to_string()
    }

    #[test]
    fn auto_prefers_cuda_then_metal_then_other_wgpu_gpus_then_cpu() {
        assert_eq!(auto(&assume("cpu")), "cpu");
        assert_eq!(auto(&assume("metal,cpu")), "metal");
        assert_eq!(auto(&assume("cuda,metal")), "cuda:0");
        assert_eq!(auto(&assume("cuda:1,vulkan")), "cuda:1");
        assert_eq!(auto(&assume("vulkan")), "vulkan");
        assert_eq!(auto(&assume("wgpu")), "wgpu");
    }

    #[test]
    fn auto_only_picks_devices_whose_backend_is_built_in() {
        let gpu_machine_cpu_build = Inventory::new(
            gpus([DeviceName::Cuda(0), DeviceName::Metal]),
            cpu_build(),
            "linux",
        );
        assert_eq!(auto(&gpu_machine_cpu_build), "cpu");
        let wgpu_build = Inventory::new(
            gpus([DeviceName::Cuda(0), DeviceName::Metal]),
            [Backend::Flex, Backend::Wgpu],
            "macos",
        );
        assert_eq!(auto(&wgpu_build), "metal");
    }

    #[test]
    fn a_named_device_needs_its_backend_built_in() {
        let inventory = Inventory::new(gpus([DeviceName::Metal]), cpu_build(), "macos");
        let error = inventory
            .resolve(DeviceRequest::Device(DeviceName::Metal))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "device `metal` needs the `wgpu` backend, which this binary was built without"
        );
        let DeviceError::NotBuilt { feature, built, .. } = error else {
            panic!("{error:?}")
        };
        assert_eq!((feature.as_str(), built.as_str()), ("wgpu", "flex, candle"));
        let error = inventory
            .resolve(DeviceRequest::Device(DeviceName::Cuda(0)))
            .unwrap_err();
        assert!(
            matches!(error, DeviceError::NotBuilt { ref feature, .. } if feature == "cuda"),
            "{error:?}"
        );
    }

    #[test]
    fn a_named_device_must_be_present() {
        let inventory = Inventory::new(gpus([]), [Backend::Flex, Backend::Cuda], "linux");
        let error = inventory
            .resolve(DeviceRequest::Device(DeviceName::Cuda(0)))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "this machine has no device `cuda:0` (it has: cpu)"
        );
        let assumed = assume("cuda:0");
        let error = assumed
            .resolve(DeviceRequest::Device(DeviceName::Cuda(1)))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the assumed machine has no device `cuda:1` (it has: cpu, cuda:0)"
        );
        let error = assume("metal")
            .resolve(DeviceRequest::Device(DeviceName::Cuda(0)))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the assumed machine has no device `cuda:0` (it has: cpu, metal)"
        );
    }

    #[test]
    fn the_cpu_is_always_there_through_any_cpu_backend_built_in() {
        let candle_only = Inventory::new(gpus([]), [Backend::Candle], "linux");
        assert_eq!(
            candle_only
                .resolve(DeviceRequest::Device(DeviceName::CPU))
                .unwrap(),
            DeviceName::CPU
        );
        let error = candle_only
            .resolve(DeviceRequest::Device(DeviceName::Cpu(Some(Backend::Flex))))
            .unwrap_err();
        assert!(
            matches!(error, DeviceError::NotBuilt { ref feature, .. } if feature == "flex"),
            "{error:?}"
        );
    }

    #[test]
    fn an_assumed_machine_is_built_for_its_devices_and_metal_means_macos() {
        let mac = assume("metal, cpu");
        assert_eq!(mac.os(), "macos");
        assert!(mac.is_assumed());
        assert!(mac.backends().contains(&Backend::Wgpu));
        assert_eq!(
            mac.devices().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["cpu", "metal"]
        );
        let linux = assume("cuda");
        assert_eq!(linux.os(), "linux");
        assert!(linux.backends().contains(&Backend::Cuda));
        let error = Inventory::assume(&["metla".to_owned()], &cpu_build(), "linux").unwrap_err();
        assert_eq!(error.to_string(), "unknown device `metla`");
        assert!(
            matches!(error, DeviceError::Unknown { ref help, .. } if help.starts_with("did you mean `metal`?")),
            "{error:?}"
        );
    }

    #[test]
    fn auto_skips_software_adapters_but_a_named_one_runs() {
        let wgpu_build = [Backend::Flex, Backend::Wgpu];
        let machine = Inventory::new(
            [lavapipe(DeviceName::Vulkan), lavapipe(DeviceName::Wgpu)],
            wgpu_build,
            "linux",
        );
        assert_eq!(auto(&machine), "cpu");
        assert_eq!(
            machine
                .resolve(DeviceRequest::Device(DeviceName::Vulkan))
                .unwrap(),
            DeviceName::Vulkan
        );
        let with_a_gpu = Inventory::new(
            [
                lavapipe(DeviceName::Vulkan),
                Gpu::assumed(DeviceName::Cuda(0)),
            ],
            [Backend::Flex, Backend::Wgpu, Backend::Cuda],
            "linux",
        );
        assert_eq!(auto(&with_a_gpu), "cuda:0");
    }

    #[test]
    fn precisions_are_decided_per_device() {
        let machine = Inventory::new(
            [Gpu {
                precisions: vec![Precision::F32],
                ..lavapipe(DeviceName::Vulkan)
            }],
            [Backend::Flex, Backend::Candle, Backend::Wgpu],
            "linux",
        );
        let cpu = DeviceName::CPU;
        assert_eq!(machine.precisions(cpu), Precision::ALL);
        let candle = DeviceName::Cpu(Some(Backend::Candle));
        assert_eq!(machine.precisions(candle), [Precision::F32, Precision::F16]);
        assert!(machine.check_precision(candle, Precision::F16).is_ok());
        let error = machine
            .check_precision(candle, Precision::Bf16)
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "device `cpu:candle` does not support bf16 (it has: f32, f16)"
        );
        let error = machine
            .check_precision(DeviceName::Vulkan, Precision::F16)
            .unwrap_err();
        let DeviceError::UnsupportedPrecision { help, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(help.contains("llvmpipe"), "{help}");
        assert!(machine.precisions(DeviceName::Cuda(0)).is_empty());
        let error = machine
            .check_precision(DeviceName::Cuda(0), Precision::F32)
            .unwrap_err();
        assert!(matches!(error, DeviceError::NotBuilt { .. }), "{error:?}");
        assert_eq!(
            assume("vulkan").precisions(DeviceName::Wgpu),
            [Precision::F32, Precision::F16]
        );
    }
}
