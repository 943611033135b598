/// The type of a fact's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactType {
    /// Text; compared without regard to case, `*` in a condition matches any run of characters.
    Text,
    /// `#true` or `#false`.
    Bool,
}

/// A fact a policy's `when` or `unless` can test, and a message can quote as `{name}`.
#[derive(Debug, Clone, Copy)]
pub struct FactSpec {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub ty: FactType,
    /// The values it can take, when they are a closed set (conditions are checked against
    /// them); empty when any value is possible.
    pub values: &'static [&'static str],
    /// What it is and where it comes from.
    pub doc: &'static str,
}

const fn text(name: &'static str, values: &'static [&'static str], doc: &'static str) -> FactSpec {
    FactSpec {
        name,
        ty: FactType::Text,
        values,
        doc,
    }
}

const fn boolean(name: &'static str, doc: &'static str) -> FactSpec {
    FactSpec {
        name,
        ty: FactType::Bool,
        values: &[],
        doc,
    }
}

/// Every fact, besides `env.NAME` (the environment variable `NAME`, unset: `#null`).
pub const FACTS: &[FactSpec] = &[
    text(
        "stage",
        &[],
        "the stage's kind: `train`, `predict`, `tokenize`, `fetch-model`, ...",
    ),
    text("stage-name", &[], "the stage's name in the pipeline"),
    boolean(
        "uses-device",
        "whether the stage's kind runs on a device (its schema says so)",
    ),
    text(
        "device",
        &["cpu", "cuda", "metal", "vulkan", "wgpu"],
        "the kind of device the stage is placed on so far: the requested device (`--device`, the pipeline's `device`, or `auto` resolved on this machine), as changed by earlier policies; `cpu` for stages that use no device",
    ),
    text(
        "requested-device",
        &["auto", "cpu", "cuda", "metal", "vulkan", "wgpu"],
        "the kind of device asked for, before policies: `auto` or the kind of the named device",
    ),
    text(
        "precision",
        &["auto", "f32", "f16", "bf16"],
        "the precision so far: the stage's `precision` param (`f32` when it has none), as changed by earlier policies",
    ),
    text(
        "attention",
        &["auto", "eager", "fused"],
        "the attention path so far: the stage's `attention` param (`auto` when it has none), as changed by earlier policies",
    ),
    text(
        "os",
        &["linux", "macos", "windows"],
        "the operating system (`macos` when `--assume-devices` names `metal`)",
    ),
    text(
        "model",
        &[],
        "the model family: `deberta-v3`, `deberta-v2`, `roberta`, `bert`, ... from the model's config.json (`model_type`; DeBERTa-v2 configs without `conv_kernel_size` are `deberta-v3`), else from the repo name",
    ),
    text(
        "model-size",
        &["xsmall", "small", "base", "large", "xlarge", "xxlarge"],
        "the model size, from the config's `hidden_size` and `num_hidden_layers`, else from the repo name",
    ),
    text(
        "model-repo",
        &[],
        "the model's Hub repository or local directory, as the pipeline names it",
    ),
    text(
        "hf-cache",
        &[],
        "the HuggingFace hub cache directory: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`",
    ),
    boolean(
        "hf-cache-writable",
        "whether files can be created in `hf-cache`",
    ),
    text(
        "hf-cache-fallback",
        &[],
        "a writable HuggingFace home to use instead: the project's `.clarity/huggingface`, else `$TMPDIR/clarity-huggingface`",
    ),
];

/// The prefix of environment-variable facts.
pub const ENV_PREFIX: &str = "env.";

/// The fact called `name` (an `env.NAME` fact is text, any value).
pub fn fact_spec(name: &str) -> Option<FactSpec> {
    if let Some(var) = name.strip_prefix(ENV_PREFIX) {
        let valid = !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then(|| text("env", &[], "an environment variable"));
    }
    FACTS.iter().find(|f| f.name == name).copied()
}

/// The fact name closest to `name`, for "did you mean".
pub fn suggest_fact(name: &str) -> Option<&'static str> {
    clarity_engine::suggest::closest(name, FACTS.iter().map(|f| f.name))
}
