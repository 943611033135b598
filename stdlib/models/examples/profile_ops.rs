//! Per-op CPU cost of the encoder's building blocks at roberta/deberta-base shapes
//! (batch 8, seq 128), on each CPU backend built in. Prints process CPU time per call, which
//! stays meaningful on a machine shared with other work (unlike wall time).

use std::time::Instant;

use burn::tensor::activation::softmax;
use burn::tensor::backend::Backend;
use burn::tensor::module::attention;
use burn::tensor::ops::AttentionModuleOptions;
use burn::tensor::{Distribution, Int, Tensor, TensorData};
use clarity_models::nn::{gelu_exact, hf_layer_norm, hf_linear};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn time<B: Backend, T>(name: &str, device: &B::Device, reps: usize, mut f: impl FnMut() -> T) {
    let _ = f();
    let (c0, w0) = (cpu_seconds(), Instant::now());
    for _ in 0..reps {
        let _ = f();
    }
    let _ = B::sync(device);
    let cpu = (cpu_seconds() - c0) * 1e3 / reps as f64;
    let wall = w0.elapsed().as_secs_f64() * 1e3 / reps as f64;
    println!("{name:<44} cpu {cpu:8.1} ms   wall {wall:8.1} ms");
}

/// Batch, sequence, hidden, heads, head width, feed-forward width (roberta/deberta-base).
const SHAPE: (usize, usize, usize, usize, usize, usize) = (8, 128, 768, 12, 64, 3072);
/// Timed calls per op.
const REPS: usize = 5;

fn run<B: Backend>(device: B::Device, backend: &str) {
    println!("== {backend}");
    dense_ops::<B>(&device);
    attention_ops::<B>(&device);
    layout_ops::<B>(&device);
}

/// The linear layers, LayerNorm and GELU.
fn dense_ops<B: Backend>(device: &B::Device) {
    let (b, s, h, _, _, ff) = SHAPE;
    let x = Tensor::<B, 3>::random([b, s, h], Distribution::Normal(0.0, 1.0), device);
    let xf = Tensor::<B, 3>::random([b, s, ff], Distribution::Normal(0.0, 1.0), device);
    let lin = hf_linear::<B>(h, h, true, 0.02, device);
    let up = hf_linear::<B>(h, ff, true, 0.02, device);
    let down = hf_linear::<B>(ff, h, true, 0.02, device);
    let ln = hf_layer_norm::<B>(h, 1e-7, device);
    time::<B, _>("linear 1024x768x768", device, REPS, || {
        lin.forward(x.clone()).into_data()
    });
    time::<B, _>("linear 1024x768x3072", device, REPS, || {
        up.forward(x.clone()).into_data()
    });
    time::<B, _>("linear 1024x3072x768", device, REPS, || {
        down.forward(xf.clone()).into_data()
    });
    time::<B, _>("layer_norm 8x128x768", device, REPS, || {
        ln.forward(x.clone()).into_data()
    });
    time::<B, _>("gelu 8x128x3072", device, REPS, || {
        gelu_exact(xf.clone()).into_data()
    });
}

/// Fused and eager attention, softmax, and DeBERTa's c2p product and gather.
fn attention_ops<B: Backend>(device: &B::Device) {
    let (b, s, _, heads, d, _) = SHAPE;
    let q = Tensor::<B, 4>::random([b, heads, s, d], Distribution::Normal(0.0, 1.0), device);
    let bias = Tensor::<B, 4>::zeros([b, 1, 1, s], device);
    let opts = AttentionModuleOptions {
        scale: Some(0.125),
        softcap: None,
        is_causal: false,
    };
    time::<B, _>("attention fused 8x12x128x64", device, REPS, || {
        attention(
            q.clone(),
            q.clone(),
            q.clone(),
            None,
            Some(bias.clone()),
            opts,
        )
        .into_data()
    });
    time::<B, _>("attention eager 8x12x128x64", device, REPS, || {
        let scores = q.clone().matmul(q.clone().swap_dims(2, 3)) * 0.125 + bias.clone();
        softmax(scores, 3).matmul(q.clone()).into_data()
    });
    let scores = Tensor::<B, 4>::random([b, heads, s, s], Distribution::Normal(0.0, 1.0), device);
    time::<B, _>("softmax 8x12x128x128", device, REPS, || {
        softmax(scores.clone(), 3).into_data()
    });
    let pos = Tensor::<B, 4>::random([1, heads, 512, d], Distribution::Normal(0.0, 1.0), device);
    time::<B, _>("c2p matmul 8x12x128x64 @ 64x512", device, REPS, || {
        q.clone().matmul(pos.clone().swap_dims(2, 3)).into_data()
    });
    let c2p = Tensor::<B, 4>::random([b, heads, s, 512], Distribution::Normal(0.0, 1.0), device);
    let idx: Vec<i64> = (0..s * s)
        .map(|k| ((k / s) * 512 + 256 + (k / s) - (k % s)) as i64)
        .collect();
    let idx = Tensor::<B, 1, Int>::from_data(TensorData::new(idx, [s * s]), device);
    time::<B, _>("c2p select 8x12x(128*512) -> 128*128", device, REPS, || {
        c2p.clone()
            .reshape([b, heads, s * 512])
            .select(2, idx.clone())
            .into_data()
    });
}

/// Splitting and merging the heads.
fn layout_ops<B: Backend>(device: &B::Device) {
    let (b, s, h, heads, d, _) = SHAPE;
    let x = Tensor::<B, 3>::random([b, s, h], Distribution::Normal(0.0, 1.0), device);
    let q = Tensor::<B, 4>::random([b, heads, s, d], Distribution::Normal(0.0, 1.0), device);
    time::<B, _>("split heads (reshape+swap) 8x128x768", device, REPS, || {
        x.clone()
            .reshape([b, s, heads, d])
            .swap_dims(1, 2)
            .into_data()
    });
    time::<B, _>(
        "merge heads (swap+reshape) 8x12x128x64",
        device,
        REPS,
        || q.clone().swap_dims(1, 2).reshape([b, s, h]).into_data(),
    );
}

fn main() {
    #[cfg(feature = "flex")]
    run::<burn::backend::Flex>(burn::backend::flex::FlexDevice, "flex");
    #[cfg(feature = "candle")]
    #[allow(deprecated)]
    run::<burn::backend::Candle>(burn::backend::candle::CandleDevice::Cpu, "candle");
}
