use std::fmt;

use clarity_device::{Backend, DeviceName, DeviceRequest, Inventory, Precision};
use serde::Serialize;

use crate::device::{Device, compiled_in, inventory};

/// One backend in `clarity devices`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BackendStatus {
    /// Backend name (also its cargo feature).
    pub backend: String,
    /// Whether this binary has it.
    pub built: bool,
    /// The `--device` names that select it.
    pub names: Vec<String>,
}

/// One device of this machine in `clarity devices`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeviceStatus {
    /// Its `--device` name.
    pub device: String,
    /// The adapter behind it (the CPU: its thread count).
    pub adapter: String,
    /// What the adapter is: `CPU`, `discrete GPU`, `CPU (software)`, ...
    #[serde(rename = "type")]
    pub adapter_type: String,
    /// The precisions it computes in.
    pub precisions: Vec<Precision>,
    /// Whether `auto` may pick it (software adapters are skipped).
    pub auto_eligible: bool,
}

/// `clarity devices`: the backends of this binary, the devices of this machine, and what
/// `cpu` and `auto` select — the same inventory and `auto` the policies use for `plan`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DevicesReport {
    /// Every backend.
    pub backends: Vec<BackendStatus>,
    /// The devices present, the CPU first.
    pub devices: Vec<DeviceStatus>,
    /// What `--device auto` resolves to.
    pub auto: String,
    /// What `--device cpu` resolves to.
    pub cpu: String,
}

/// Probes this machine (once per process) and reports it.
pub fn devices() -> DevicesReport {
    report(inventory())
}

fn report(inventory: &Inventory) -> DevicesReport {
    let backends = Backend::ALL
        .into_iter()
        .map(|backend| BackendStatus {
            backend: backend.name().to_owned(),
            built: compiled_in(backend),
            names: names(backend).iter().map(|s| s.to_string()).collect(),
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let cpu = DeviceStatus {
        device: "cpu".to_owned(),
        adapter: format!("{threads} threads"),
        adapter_type: "CPU".to_owned(),
        precisions: inventory.precisions(DeviceName::CPU),
        auto_eligible: true,
    };
    let gpus = inventory.gpus().map(|gpu| DeviceStatus {
        device: gpu.device.to_string(),
        adapter: gpu.adapter.clone(),
        adapter_type: gpu.adapter_type.to_string(),
        precisions: gpu.precisions.clone(),
        auto_eligible: !gpu.adapter_type.is_software(),
    });
    let resolve = |request: DeviceRequest| {
        inventory
            .resolve(request)
            .and_then(Device::named)
            .map_or_else(|e| e.to_string(), |d| d.to_string())
    };
    DevicesReport {
        backends,
        devices: std::iter::once(cpu).chain(gpus).collect(),
        auto: resolve(DeviceRequest::Auto),
        cpu: resolve(DeviceRequest::Device(DeviceName::CPU)),
    }
}

fn names(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Flex => &["cpu:flex"],
        Backend::Candle => &["cpu:candle"],
        Backend::Wgpu => &["wgpu", "vulkan", "metal"],
        Backend::Cuda => &["cuda", "cuda:N"],
    }
}

impl fmt::Display for DevicesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<8} {:<6} --device", "backend", "built")?;
        for b in &self.backends {
            let built = if b.built { "yes" } else { "no" };
            write!(f, "{:<8} {:<6} {}", b.backend, built, b.names.join(", "))?;
            if !b.built {
                write!(f, " (rebuild with --features {})", b.backend)?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<8} {:<16} {:<16} adapter",
            "device", "type", "precisions"
        )?;
        for d in &self.devices {
            let precisions: Vec<&str> = d.precisions.iter().map(|p| p.name()).collect();
            let skipped = if d.auto_eligible {
                ""
            } else {
                " (auto skips it)"
            };
            writeln!(
                f,
                "{:<8} {:<16} {:<16} {}{skipped}",
                d.device,
                d.adapter_type,
                precisions.join(", "),
                d.adapter
            )?;
        }
        writeln!(f)?;
        writeln!(f, "--device cpu  -> {}", self.cpu)?;
        write!(f, "--device auto -> {}", self.auto)
    }
}

#[cfg(test)]
mod tests {
    use clarity_device::{AdapterType, Gpu};

    use super::*;

    #[test]
    fn a_software_adapter_is_listed_with_its_type_and_auto_skips_it() {
        let lavapipe = Gpu {
            device: DeviceName::Vulkan,
            adapter: "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan)".to_owned(),
            adapter_type: AdapterType::Cpu,
            precisions: vec![Precision::F32, Precision::F16],
        };
        let built = [Backend::Flex, Backend::Wgpu];
        let machine = Inventory::new([lavapipe], built, "linux");
        let text = report(&machine).to_string();
        assert!(
            text.contains(
                "vulkan   CPU (software)   f32, f16         llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan) (auto skips it)"
            ),
            "{text}"
        );
        if compiled_in(Backend::Flex) {
            assert!(text.ends_with("--device auto -> cpu:flex"), "{text}");
        }
    }
}
