//! Each stdlib policy fires exactly when it should, on simulated machines.

mod support;

use clarity_policy::facts::MemoryHost;
use support::{Ask, default_placer, fired, place_in, placer, settings, stage, train};

const MACHINE: &str = "cuda,metal,vulkan,cpu";

/// What the stdlib's rules should do to a `train` stage, written out from their spec.
fn expected(model: &str, device: &str, precision: &str) -> (String, Vec<&'static str>) {
    let mut fired = Vec::new();
    let mut device = device.to_owned();
    let (mut precision, mut attention) = (precision.to_owned(), "auto");
    if model == "microsoft/deberta-v3-large" && device == "metal" {
        fired.push("deberta-v3-large-metal-to-cpu");
        device = "cpu".into();
    }
    if model == "microsoft/deberta-v3-base" && device == "metal" {
        fired.push("deberta-v3-base-metal-eager-f32");
        (precision, attention) = ("f32".into(), "eager");
    }
    if (precision == "f16" || precision == "bf16") && device != "cuda" {
        fired.push("half-precision-needs-cuda");
        precision = "f32".into();
    }
    if precision == "auto" && device == "cuda" {
        fired.push("auto-precision-bf16-on-cuda");
        precision = "bf16".into();
    }
    if precision == "auto" {
        fired.push("auto-precision-f32");
        precision = "f32".into();
    }
    fired.push("tokenizers-serial-beside-a-model");
    let device = if device == "cuda" {
        "cuda:0".to_owned()
    } else {
        device
    };
    (format!("{device} | {precision} | {attention}"), fired)
}

#[test]
fn the_stdlib_rules_fire_exactly_when_their_conditions_hold() {
    let placer = default_placer();
    let models = [
        "microsoft/deberta-v3-large",
        "microsoft/deberta-v3-base",
        "microsoft/deberta-v3-small",
        "FacebookAI/roberta-large",
    ];
    let devices = ["cpu", "cuda", "metal", "vulkan"];
    let precisions = ["auto", "f32", "f16", "bf16"];
    for model in models {
        for device in devices {
            for precision in precisions {
                let placement =
                    train(&placer, model, precision, &Ask::on(device, MACHINE)).unwrap();
                let (want_settings, want_fired) = expected(model, device, precision);
                let case = format!("{model} on {device} in {precision}");
                assert_eq!(settings(&placement), want_settings, "{case}");
                assert_eq!(fired(&placement), want_fired, "{case}");
            }
        }
    }
}

#[test]
fn deberta_v3_large_on_the_apple_gpu_falls_back_to_the_cpu_with_a_warning_and_a_reason() {
    for device in ["metal", "auto"] {
        let placement = train(
            &default_placer(),
            "microsoft/deberta-v3-large",
            "auto",
            &Ask::on(device, "metal,cpu"),
        )
        .unwrap();
        assert_eq!(
            settings(&placement),
            "cpu | f32 | auto",
            "--device {device}"
        );
        let rule = &placement.fired[0];
        assert_eq!(rule.policy, "deberta-v3-large-metal-to-cpu");
        assert_eq!(rule.action, "device=cpu");
        assert_eq!(
            rule.reason,
            "model=deberta-v3, model-size=large, device=metal; model facts from the repo name `microsoft/deberta-v3-large`"
        );
        assert_eq!(
            rule.warning.as_deref(),
            Some(
                "DeBERTa-v3-large crashes on the Apple GPU; stage `train` runs on the CPU instead (much slower)"
            )
        );
    }
}

#[test]
fn deberta_v3_base_on_the_apple_gpu_gets_eager_attention_in_f32() {
    let placement = train(
        &default_placer(),
        "microsoft/deberta-v3-base",
        "bf16",
        &Ask::on("auto", "metal"),
    )
    .unwrap();
    assert_eq!(settings(&placement), "metal | f32 | eager");
    let rule = &placement.fired[0];
    assert_eq!(
        (rule.policy.as_str(), rule.action.as_str()),
        (
            "deberta-v3-base-metal-eager-f32",
            "attention=eager, precision=f32"
        )
    );
    assert_eq!(rule.warning, None);
}

#[test]
fn half_precision_off_cuda_is_switched_to_f32_with_a_warning_naming_the_device() {
    let placement = train(
        &default_placer(),
        "FacebookAI/roberta-base",
        "f16",
        &Ask::on("vulkan", "vulkan"),
    )
    .unwrap();
    let rule = &placement.fired[0];
    assert_eq!(rule.policy, "half-precision-needs-cuda");
    assert_eq!(rule.reason, "precision=f16, device=vulkan (not cuda)");
    assert_eq!(
        rule.warning.as_deref(),
        Some("f16 needs a CUDA GPU; stage `train` runs in f32 on vulkan")
    );
}

#[test]
fn a_large_deberta_switched_to_the_cpu_is_then_checked_for_half_precision_on_the_cpu() {
    let placement = train(
        &default_placer(),
        "microsoft/deberta-v3-large",
        "bf16",
        &Ask::on("metal", "metal"),
    )
    .unwrap();
    assert_eq!(settings(&placement), "cpu | f32 | auto");
    assert_eq!(
        fired(&placement)[..2],
        ["deberta-v3-large-metal-to-cpu", "half-precision-needs-cuda"]
    );
    assert_eq!(
        placement.fired[1].reason,
        "precision=bf16, device=cpu (not cuda)"
    );
}

#[test]
fn auto_precision_is_bf16_on_cuda_and_f32_elsewhere() {
    let on = |device| {
        train(
            &default_placer(),
            "FacebookAI/roberta-base",
            "auto",
            &Ask::on(device, MACHINE),
        )
        .unwrap()
    };
    let cuda = on("auto");
    assert_eq!(settings(&cuda), "cuda:0 | bf16 | auto");
    assert_eq!(cuda.fired[0].reason, "precision=auto, device=cuda");
    assert_eq!(settings(&on("metal")), "metal | f32 | auto");
    assert_eq!(on("metal").fired[0].policy, "auto-precision-f32");
}

#[test]
fn an_unwritable_hf_cache_sends_downloads_to_a_writable_home_unless_hf_home_is_set() {
    let fetch = stage(
        "weights",
        "fetch-model",
        false,
        &[("repo", "microsoft/deberta-v3-base")],
    );
    let ask = Ask::on("auto", "cpu");
    let read_only = MemoryHost::new().read_only("/home/user/.cache");
    let placement = place_in(&placer(read_only.clone()), &fetch, &[], &ask).unwrap();
    assert_eq!(fired(&placement), ["hf-cache-fallback"]);
    assert_eq!(
        placement.env.get("HF_HOME").map(String::as_str),
        Some("/work/project/.clarity/huggingface")
    );
    assert_eq!(
        placement.fired[0].warning.as_deref(),
        Some(
            "the HuggingFace cache /home/user/.cache/huggingface/hub is not writable; downloading to /work/project/.clarity/huggingface (set HF_HOME to choose)"
        )
    );
    assert_eq!(
        placement.fired[0].action,
        "env HF_HOME=/work/project/.clarity/huggingface"
    );
    assert_eq!(settings(&placement), "cpu | f32 | auto");

    let with_home = read_only
        .clone()
        .var("HF_HOME", "/data/hf")
        .read_only("/data/hf");
    assert!(
        place_in(&placer(with_home), &fetch, &[], &ask)
            .unwrap()
            .fired
            .is_empty()
    );
    let with_hub_cache = read_only.clone().var("HF_HUB_CACHE", "/data/hub");
    assert!(
        place_in(&placer(with_hub_cache), &fetch, &[], &ask)
            .unwrap()
            .fired
            .is_empty()
    );
    assert!(
        place_in(&placer(MemoryHost::new()), &fetch, &[], &ask)
            .unwrap()
            .fired
            .is_empty()
    );
    let split = stage("split", "split", false, &[]);
    assert!(
        place_in(&placer(read_only.clone()), &split, &[], &ask)
            .unwrap()
            .fired
            .is_empty()
    );
    let no_project = read_only.read_only(support::PROJECT);
    let placement = place_in(&placer(no_project), &fetch, &[], &ask).unwrap();
    assert_eq!(
        placement.env.get("HF_HOME").map(String::as_str),
        Some("/tmp/clarity-huggingface")
    );
}

#[test]
fn tokenizers_run_parallel_in_tokenize_and_serial_beside_a_model_unless_the_user_chose() {
    let ask = Ask::on("auto", "cpu");
    let tokenize = stage("tokens", "tokenize", false, &[("tokenizer", "weights")]);
    let placement = place_in(&default_placer(), &tokenize, &[], &ask).unwrap();
    assert_eq!(fired(&placement), ["tokenizers-parallel-in-tokenize"]);
    assert_eq!(
        placement
            .env
            .get("TOKENIZERS_PARALLELISM")
            .map(String::as_str),
        Some("true")
    );
    let predict = stage("predict", "predict", true, &[]);
    let placement = place_in(&default_placer(), &predict, &[], &ask).unwrap();
    assert_eq!(
        placement
            .env
            .get("TOKENIZERS_PARALLELISM")
            .map(String::as_str),
        Some("false")
    );
    assert_eq!(
        placement.fired[0].reason,
        "uses-device=#true, env.TOKENIZERS_PARALLELISM unset"
    );
    let chosen = placer(MemoryHost::new().var("TOKENIZERS_PARALLELISM", "true"));
    assert!(
        place_in(&chosen, &predict, &[], &ask)
            .unwrap()
            .env
            .is_empty()
    );
    assert!(
        place_in(&chosen, &tokenize, &[], &ask)
            .unwrap()
            .fired
            .is_empty()
    );
}

#[test]
fn stages_without_a_device_run_on_the_cpu_whatever_is_asked_and_device_rules_skip_them() {
    let fetch = stage(
        "weights",
        "fetch-model",
        false,
        &[
            ("repo", "microsoft/deberta-v3-large"),
            ("precision", "bf16"),
        ],
    );
    let placement = place_in(&default_placer(), &fetch, &[], &Ask::on("metal", "metal")).unwrap();
    assert_eq!(settings(&placement), "cpu | bf16 | auto");
    assert!(placement.fired.is_empty());
}
