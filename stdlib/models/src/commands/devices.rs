use std::fmt;

use serde::Serialize;

use crate::device::{BackendKind, DeviceRequest};

/// One backend in `clarity devices`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BackendStatus {
    /// Backend name (also its cargo feature).
    pub backend: String,
    /// Whether this binary has it.
    pub built: bool,
    /// What it sees, or why nothing.
    pub devices: Vec<String>,
    /// The `--device` names that select it.
    pub names: Vec<String>,
}

/// `clarity devices`: the backends of this binary and the devices they see.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DevicesReport {
    /// Every backend.
    pub backends: Vec<BackendStatus>,
    /// What `--device auto` resolves to.
    pub auto: String,
    /// What `--device cpu` resolves to.
    pub cpu: String,
}

/// Probes the backends built into this binary.
pub fn devices() -> DevicesReport {
    let backends = BackendKind::ALL
        .into_iter()
        .map(|kind| {
            let built = kind.compiled_in();
            let devices = if built {
                probe(kind)
            } else {
                vec![format!(
                    "not built (rebuild with --features {})",
                    kind.cargo_feature()
                )]
            };
            BackendStatus {
                backend: kind.name().to_string(),
                built,
                devices,
                names: names(kind),
            }
        })
        .collect();
    let resolve = |r: DeviceRequest| {
        r.resolve()
            .map_or_else(|e| e.to_string(), |d| d.to_string())
    };
    DevicesReport {
        backends,
        auto: resolve(DeviceRequest::Auto),
        cpu: resolve(DeviceRequest::Cpu(None)),
    }
}

fn names(kind: BackendKind) -> Vec<String> {
    let names: &[&str] = match kind {
        BackendKind::Flex => &["cpu:flex"],
        BackendKind::Candle => &["cpu:candle"],
        BackendKind::Wgpu => &["wgpu", "vulkan", "metal"],
        BackendKind::Cuda => &["cuda", "cuda:N"],
    };
    names.iter().map(|s| s.to_string()).collect()
}

fn probe(kind: BackendKind) -> Vec<String> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    match kind {
        BackendKind::Flex | BackendKind::Candle => vec![format!("cpu ({threads} threads)")],
        BackendKind::Cuda => match crate::device::cuda_device_count() {
            0 => vec!["no CUDA device or driver found".to_string()],
            n => (0..n).map(|i| format!("cuda:{i}")).collect(),
        },
        BackendKind::Wgpu => probe_wgpu(),
    }
}

#[cfg(feature = "wgpu")]
fn probe_wgpu() -> Vec<String> {
    match crate::device::wgpu_device(crate::device::GraphicsApi::Auto) {
        Ok((_, adapter)) => vec![adapter],
        Err(reason) => vec![reason],
    }
}

#[cfg(not(feature = "wgpu"))]
fn probe_wgpu() -> Vec<String> {
    Vec::new()
}

impl fmt::Display for DevicesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<6} {:<22} devices",
            "backend", "built", "--device"
        )?;
        for b in &self.backends {
            writeln!(
                f,
                "{:<8} {:<6} {:<22} {}",
                b.backend,
                if b.built { "yes" } else { "no" },
                b.names.join(", "),
                b.devices.join("; ")
            )?;
        }
        writeln!(f, "--device cpu  -> {}", self.cpu)?;
        write!(f, "--device auto -> {}", self.auto)
    }
}
