use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Instant;

use burn::module::AutodiffModule;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, Optimizer};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{DType, Distribution, Int, Tensor};
use serde::Serialize;

use super::CommandError;
use super::adamw::TorchAdamW;
use crate::config::{ModelConfig, check_batch_size};
use crate::device::{BackendTask, Device};
use crate::{ModelOptions, SequenceClassifier};

/// What a bench step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BenchMode {
    /// Forward, cross-entropy, backward and an AdamW step (dropout on).
    Train,
    /// An eval-mode forward.
    Infer,
}

impl FromStr for BenchMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "train" => Ok(BenchMode::Train),
            "infer" => Ok(BenchMode::Infer),
            other => Err(format!("unknown mode `{other}` (expected train or infer)")),
        }
    }
}

impl fmt::Display for BenchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BenchMode::Train => "train",
            BenchMode::Infer => "infer",
        })
    }
}

/// `clarity bench` arguments.
#[derive(Debug, Clone)]
pub struct BenchArgs {
    /// `roberta-base`, `deberta-v3-base`, `deberta-v3-large`, or a model directory.
    pub model_config: String,
    /// Batch size.
    pub batch: usize,
    /// Tokens per sequence.
    pub seq_len: usize,
    /// Timed steps (after one untimed warm-up step).
    pub steps: usize,
    /// Train or infer.
    pub mode: BenchMode,
    /// Device name.
    pub device: String,
    /// Model options (attention path, precision).
    pub options: ModelOptions,
    /// Print device memory (and resident memory) to stderr every this many steps (0: never).
    pub memory_every: usize,
}

/// The JSON line `clarity bench` prints.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BenchReport {
    /// The config benchmarked.
    pub model: String,
    /// Batch size.
    pub batch: usize,
    /// Sequence length.
    pub seq_len: usize,
    /// Train or infer.
    pub mode: BenchMode,
    /// Resolved device (e.g. `cpu:flex`).
    pub device: String,
    /// Float precision.
    pub precision: String,
    /// Attention path asked for.
    pub attention: String,
    /// Timed steps.
    pub steps: usize,
    /// Median step time in milliseconds.
    pub step_ms: f64,
    /// `batch / median step time`.
    pub samples_per_s: f64,
    /// Every timed step, in milliseconds.
    pub step_ms_all: Vec<f64>,
    /// Median process CPU time of a step in milliseconds (all threads; Linux only). Unlike
    /// wall time it barely changes when other work shares the machine.
    pub cpu_ms: Option<f64>,
    /// Peak resident memory of the process in MiB (Linux `VmHWM`), when known.
    pub peak_rss_mib: Option<f64>,
    /// Worker threads of the CPU backends (rayon).
    pub threads: usize,
    /// Largest device memory in use by live tensors after a step in MiB (GPU backends).
    pub peak_device_in_use_mib: Option<f64>,
    /// Largest device memory the backend's pools held after a step in MiB (GPU backends):
    /// what the process took from the GPU, less the driver's own context.
    pub peak_device_reserved_mib: Option<f64>,
}

/// Device memory of a GPU backend's pools (Burn's cubecl runtimes: cuda, wgpu).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeviceMemory {
    /// Bytes of live tensors, in MiB.
    pub in_use_mib: f64,
    /// Bytes reserved by the memory pools, in MiB.
    pub reserved_mib: f64,
}

/// The memory of `device`'s pools as the cubecl runtime reports it for this thread's stream;
/// `None` on the CPU backends.
pub fn device_memory<B: Backend>(device: &B::Device) -> Option<DeviceMemory> {
    #[allow(unused_variables)]
    let any = device as &dyn std::any::Any;
    #[cfg(any(feature = "wgpu", feature = "cuda"))]
    {
        use burn::cubecl::Runtime;
        let mib = |bytes: u64| round2(bytes as f64 / (1024.0 * 1024.0));
        let usage = |u: burn::cubecl::MemoryUsage| DeviceMemory {
            in_use_mib: mib(u.bytes_in_use),
            reserved_mib: mib(u.bytes_reserved),
        };
        #[cfg(feature = "wgpu")]
        if let Some(d) = any.downcast_ref::<burn::backend::wgpu::WgpuDevice>() {
            return burn::backend::wgpu::WgpuRuntime::client(d)
                .memory_usage()
                .ok()
                .map(usage);
        }
        #[cfg(feature = "cuda")]
        if let Some(d) = any.downcast_ref::<burn::backend::cuda::CudaDevice>() {
            return burn::cubecl::cuda::CudaRuntime::client(d)
                .memory_usage()
                .ok()
                .map(usage);
        }
    }
    None
}

/// The built-in full-size configs, as `pytorch_bench.py` defines them.
pub const BUILTIN_CONFIGS: [(&str, &str); 3] = [
    (
        "roberta-base",
        include_str!("../bench_configs/roberta-base.json"),
    ),
    (
        "deberta-v3-base",
        include_str!("../bench_configs/deberta-v3-base.json"),
    ),
    (
        "deberta-v3-large",
        include_str!("../bench_configs/deberta-v3-large.json"),
    ),
];

/// Resolves `--model-config`: a built-in name or a directory holding `config.json`.
pub fn bench_config(name: &str) -> Result<ModelConfig, CommandError> {
    if let Some((_, text)) = BUILTIN_CONFIGS.iter().find(|(n, _)| *n == name) {
        return Ok(ModelConfig::from_json(text, name)?);
    }
    let path = Path::new(name);
    if path.is_dir() {
        return Ok(ModelConfig::from_dir(path)?);
    }
    Err(CommandError::Argument {
        arg: "--model-config".into(),
        message: format!(
            "`{name}` is neither a built-in config ({}) nor a model directory",
            BUILTIN_CONFIGS.map(|(n, _)| n).join(", ")
        ),
    })
}

/// Times training or inference steps of a randomly initialised model.
pub fn bench(args: &BenchArgs) -> Result<BenchReport, CommandError> {
    if args.batch == 0 || args.seq_len == 0 || args.steps == 0 {
        return Err(CommandError::Argument {
            arg: "--batch/--seq-len/--steps".into(),
            message: "must be at least 1".into(),
        });
    }
    let config = bench_config(&args.model_config)?;
    if let Some(max) = config.max_input_length()
        && args.seq_len > max
    {
        return Err(CommandError::Argument {
            arg: "--seq-len".into(),
            message: format!("{} tokens exceed the model's {max} positions", args.seq_len),
        });
    }
    check_batch_size(&config, args.batch, args.seq_len).map_err(|message| {
        CommandError::Argument {
            arg: "--batch/--seq-len".into(),
            message,
        }
    })?;
    let device = Device::resolve(args.device.parse()?)?;
    device.check_precision(args.options.precision)?;
    let task = BenchTask {
        config: &config,
        args,
    };
    let steps = device.run(task)?;
    let peak = |f: fn(&DeviceMemory) -> f64| {
        steps
            .iter()
            .filter_map(|s| s.memory.as_ref().map(f))
            .reduce(f64::max)
    };
    let peak_device_in_use_mib = peak(|m| m.in_use_mib);
    let peak_device_reserved_mib = peak(|m| m.reserved_mib);
    let times: Vec<f64> = steps.iter().map(|s| s.wall_ms).collect();
    let step_ms = median(&times);
    let cpu: Vec<f64> = steps.iter().filter_map(|s| s.cpu_ms).collect();
    let cpu_ms = (cpu.len() == steps.len()).then(|| round2(median(&cpu)));
    Ok(BenchReport {
        model: args.model_config.clone(),
        batch: args.batch,
        seq_len: args.seq_len,
        mode: args.mode,
        device: device.to_string(),
        precision: args.options.precision.to_string(),
        attention: args.options.attention.to_string(),
        steps: args.steps,
        step_ms: round2(step_ms),
        samples_per_s: round3(args.batch as f64 / (step_ms / 1e3)),
        step_ms_all: times.into_iter().map(round2).collect(),
        cpu_ms,
        peak_rss_mib: peak_rss_mib(),
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        peak_device_in_use_mib,
        peak_device_reserved_mib,
    })
}

struct BenchTask<'a> {
    config: &'a ModelConfig,
    args: &'a BenchArgs,
}

/// The cost of one step.
#[derive(Debug, Clone, Copy)]
struct StepTime {
    wall_ms: f64,
    cpu_ms: Option<f64>,
    /// Device memory after the step (GPU backends).
    memory: Option<DeviceMemory>,
}

impl BackendTask for BenchTask<'_> {
    type Output = Vec<StepTime>;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Vec<StepTime> {
        B::seed(&device, 0);
        let (batch, seq) = (self.args.batch, self.args.seq_len);
        let vocab = self.config.vocab_size() as f64;
        // Ids from 5 skip the special tokens, when the vocabulary has more than those.
        let low = if vocab > 5.0 { 5.0 } else { 0.0 };
        let ids =
            Tensor::<B, 2, Int>::random([batch, seq], Distribution::Uniform(low, vocab), &device);
        let mask = Tensor::<B, 2, Int>::ones([batch, seq], &device);
        let labels = Tensor::<B, 1, Int>::random(
            [batch],
            Distribution::Uniform(0.0, self.config.num_labels() as f64),
            &device,
        );
        let model = SequenceClassifier::<B>::init(self.config, &self.args.options, &device);
        let steps = self.args.steps + 1;
        let mut times = match self.args.mode {
            BenchMode::Infer => {
                let model = model.valid();
                let (ids, mask) = (ids.inner(), mask.inner());
                time_steps::<B::InnerBackend>(&device, steps, self.args.memory_every, || {
                    let logits = model.forward(ids.clone(), mask.clone()).logits;
                    let _ = logits.into_data();
                })
            }
            BenchMode::Train => {
                let loss_fn = CrossEntropyLossConfig::new().init(&device);
                let mut optim = TorchAdamW.init::<B, SequenceClassifier<B>>();
                let mut model = Some(model);
                time_steps::<B>(&device, steps, self.args.memory_every, || {
                    let m = model
                        .take()
                        .expect("the model is put back after every step");
                    // The loss in f32, as mixed-precision training computes it (candle
                    // cannot reduce a half tensor to a scalar).
                    let logits = m.forward(ids.clone(), mask.clone()).logits.cast(DType::F32);
                    let loss = loss_fn.forward(logits, labels.clone());
                    let grads = GradientsParams::from_grads(loss.backward(), &m);
                    model = Some(optim.step(2e-5, m, grads));
                })
            }
        };
        times.remove(0);
        times
    }
}

/// Runs and times `steps` steps (the first is the warm-up, step 0), sampling device memory
/// after each and printing it to stderr every `memory_every` timed steps.
fn time_steps<B: Backend>(
    device: &B::Device,
    steps: usize,
    memory_every: usize,
    mut step: impl FnMut(),
) -> Vec<StepTime> {
    (0..steps)
        .map(|i| {
            let (start, cpu_start) = (Instant::now(), process_cpu_ms());
            step();
            let _ = B::sync(device);
            let time = StepTime {
                wall_ms: start.elapsed().as_secs_f64() * 1e3,
                cpu_ms: cpu_start.zip(process_cpu_ms()).map(|(a, b)| b - a),
                memory: device_memory::<B>(device),
            };
            if memory_every > 0 && i > 0 && i % memory_every == 0 {
                report_memory(i, &time);
            }
            time
        })
        .collect()
}

/// One JSON line on stderr: the step, its time, device and resident memory.
fn report_memory(step: usize, time: &StepTime) {
    let line = serde_json::json!({
        "step": step,
        "step_ms": round2(time.wall_ms),
        "device_in_use_mib": time.memory.map(|m| m.in_use_mib),
        "device_reserved_mib": time.memory.map(|m| m.reserved_mib),
        "rss_mib": rss_mib(),
    });
    eprintln!("{line}");
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// User + system CPU time of this process (all threads) in milliseconds, from
/// `/proc/self/stat` (clock ticks of 10 ms).
fn process_cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10.0)
}

/// Peak resident set size of this process in MiB (Linux `/proc/self/status` `VmHWM`).
pub fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// Resident set size of this process in MiB (Linux `VmRSS`).
fn rss_mib() -> Option<f64> {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(round2(kib / 1024.0))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
