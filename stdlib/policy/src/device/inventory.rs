use std::collections::BTreeSet;

use super::{Backend, DeviceError, DeviceKind, DeviceName, DeviceRequest};

/// What one machine offers: its devices, the backends the binary was built with, its OS.
///
/// The real inventory is probed by the stdlib (it needs Burn); `--assume-devices` builds an
/// assumed one with [`Inventory::assume`], so a plan can show what another machine would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    devices: BTreeSet<DeviceName>,
    backends: BTreeSet<Backend>,
    os: String,
    assumed: bool,
}

impl Inventory {
    /// A machine with `devices` (the CPU is always there), a binary with `backends`, on `os`
    /// (`linux`, `macos`, `windows`: Rust's `std::env::consts::OS`).
    pub fn new(
        devices: impl IntoIterator<Item = DeviceName>,
        backends: impl IntoIterator<Item = Backend>,
        os: impl Into<String>,
    ) -> Self {
        let mut devices: BTreeSet<DeviceName> = devices.into_iter().map(normalise).collect();
        devices.insert(DeviceName::CPU);
        Self {
            devices,
            backends: backends.into_iter().collect(),
            os: os.into(),
            assumed: false,
        }
    }

    /// The machine `--assume-devices` describes: the `names` given (comma-separated lists
    /// allowed) plus the CPU, with `built` plus the backends those devices need (the plan is
    /// for a binary built for that machine), on macOS when `metal` is among them, else on
    /// `host_os`.
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
            if !device.backends().iter().any(|b| backends.contains(b)) {
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
        let mut inventory = Self::new(devices, backends, os);
        inventory.assumed = true;
        Ok(inventory)
    }

    /// The devices present, the CPU included.
    pub fn devices(&self) -> impl Iterator<Item = DeviceName> + '_ {
        self.devices.iter().copied()
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
    /// Vulkan, wgpu that is present and built in, else the CPU; a named device must be built
    /// in and present.
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
        let built = device.backends().iter().any(|b| self.backends.contains(b));
        let absent_from_assumed = self.assumed && !self.has(device);
        if !built && !absent_from_assumed {
            return Err(DeviceError::NotBuilt {
                device: device.to_string(),
                feature: device.backends()[0].name().to_owned(),
                built: self.backends_text(),
            });
        }
        if built && self.has(device) {
            return Ok(());
        }
        let present = self.devices_text();
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
            present,
            help,
        })
    }

    fn has(&self, device: DeviceName) -> bool {
        match device {
            DeviceName::Cpu(_) => true,
            DeviceName::Wgpu => self.devices.iter().any(|d| d.kind().is_wgpu()),
            other => self.devices.contains(&normalise(other)),
        }
    }

    fn auto(&self) -> DeviceName {
        let first_cuda = self
            .devices
            .iter()
            .copied()
            .find(|d| d.kind() == DeviceKind::Cuda);
        let wgpu_gpus = [DeviceName::Metal, DeviceName::Vulkan, DeviceName::Wgpu];
        first_cuda
            .into_iter()
            .chain(wgpu_gpus)
            .find(|d| self.check(*d).is_ok())
            .unwrap_or(DeviceName::CPU)
    }

    fn devices_text(&self) -> String {
        self.devices
            .iter()
            .map(ToString::to_string)
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

    fn cpu_build() -> BTreeSet<Backend> {
        [Backend::Flex, Backend::Candle].into()
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
            [DeviceName::Cuda(0), DeviceName::Metal],
            cpu_build(),
            "linux",
        );
        assert_eq!(auto(&gpu_machine_cpu_build), "cpu");
        let wgpu_build = Inventory::new(
            [DeviceName::Cuda(0), DeviceName::Metal],
            [Backend::Flex, Backend::Wgpu],
            "macos",
        );
        assert_eq!(auto(&wgpu_build), "metal");
    }

    #[test]
    fn a_named_device_needs_its_backend_built_in() {
        let inventory = Inventory::new([DeviceName::Metal], cpu_build(), "macos");
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
        let inventory = Inventory::new([], [Backend::Flex, Backend::Cuda], "linux");
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
        let candle_only = Inventory::new([], [Backend::Candle], "linux");
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
}
