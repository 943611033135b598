//! Which device a stage gets: `--device`, or `auto` over the machine's inventory (probed
//! once, lazily; never when `--assume-devices` describes another machine).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use clarity_device::{Backend, DeviceName, Gpu, Inventory};
use clarity_policy::PolicyPlacer;
use clarity_policy::facts::MemoryHost;
use support::{Ask, settings, train};

fn counting_placer(
    devices: Vec<DeviceName>,
    built: Vec<Backend>,
    probes: Arc<AtomicUsize>,
) -> PolicyPlacer {
    let inventory_built = built.clone();
    PolicyPlacer::new(built, move || {
        probes.fetch_add(1, Ordering::SeqCst);
        Inventory::new(
            devices.iter().copied().map(Gpu::assumed),
            inventory_built.clone(),
            "linux",
        )
    })
    .with_host(MemoryHost::new())
}

fn on(device: &'static str) -> Ask {
    Ask {
        device,
        ..Ask::default()
    }
}

#[test]
fn auto_takes_the_best_device_of_the_real_machine_which_is_probed_once() {
    let probes = Arc::new(AtomicUsize::new(0));
    let built = vec![Backend::Flex, Backend::Wgpu, Backend::Cuda];
    let placer = counting_placer(
        vec![DeviceName::Vulkan, DeviceName::Wgpu],
        built,
        Arc::clone(&probes),
    );
    assert_eq!(
        probes.load(Ordering::SeqCst),
        0,
        "nothing is probed before a plan needs it"
    );
    let placement = train(&placer, "FacebookAI/roberta-base", "f32", &on("auto")).unwrap();
    assert_eq!(settings(&placement), "vulkan | f32 | auto");
    let placement = train(&placer, "FacebookAI/roberta-base", "f32", &on("cpu")).unwrap();
    assert_eq!(settings(&placement), "cpu | f32 | auto");
    assert_eq!(probes.load(Ordering::SeqCst), 1);
}

#[test]
fn an_assumed_machine_is_never_probed() {
    let probes = Arc::new(AtomicUsize::new(0));
    let placer = counting_placer(Vec::new(), vec![Backend::Flex], Arc::clone(&probes));
    let placement = train(
        &placer,
        "FacebookAI/roberta-base",
        "auto",
        &Ask::on("auto", "cuda:0,metal"),
    )
    .unwrap();
    assert_eq!(settings(&placement), "cuda:0 | bf16 | auto");
    assert_eq!(probes.load(Ordering::SeqCst), 0);
}

#[test]
fn a_named_device_is_used_as_named() {
    let probes = Arc::new(AtomicUsize::new(0));
    let built = vec![Backend::Candle, Backend::Cuda];
    let placer = counting_placer(
        vec![DeviceName::Cuda(0), DeviceName::Cuda(1)],
        built,
        probes,
    );
    assert_eq!(
        settings(&train(&placer, "FacebookAI/roberta-base", "f32", &on("cuda:1")).unwrap()),
        "cuda:1 | f32 | auto"
    );
    assert_eq!(
        settings(&train(&placer, "FacebookAI/roberta-base", "f32", &on("gpu")).unwrap()),
        "cuda:0 | f32 | auto"
    );
    let error = train(&placer, "FacebookAI/roberta-base", "f32", &on("cpu:flex")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "device `cpu:flex` needs the `flex` backend, which this binary was built without"
    );
    assert_eq!(
        settings(&train(&placer, "FacebookAI/roberta-base", "f32", &on("cpu")).unwrap()),
        "cpu | f32 | auto"
    );
}

#[test]
fn a_stage_param_the_policies_cannot_read_is_an_error() {
    let placer = counting_placer(
        Vec::new(),
        vec![Backend::Flex],
        Arc::new(AtomicUsize::new(0)),
    );
    let error = train(&placer, "FacebookAI/roberta-base", "fp64", &on("cpu")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "stage `train`: `precision` is \"fp64\", which is not a precision"
    );
    let placement = train(&placer, "FacebookAI/roberta-base", "fp16", &on("cpu")).unwrap();
    assert_eq!(
        placement.fired[0].reason, "precision=f16, device=cpu (not cuda)",
        "aliases are read"
    );
}
