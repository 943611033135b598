use super::catalog::ENV_PREFIX;
use super::{FactValue, HfCache, Host, ModelFacts};

/// The facts of one stage that policies cannot change: what it is, what it works on, the
/// machine. (The device, precision, attention path and the variables policies set are
/// kept by the evaluation, which asks these for the rest.)
pub struct StageFacts<'a> {
    /// The stage's kind.
    pub kind: &'a str,
    /// The stage's name.
    pub name: &'a str,
    /// Whether its kind runs on a device.
    pub uses_device: bool,
    /// `auto` or the kind of the device asked for.
    pub requested_device: String,
    /// The operating system.
    pub os: String,
    /// Its model, when one is found.
    pub model: Option<ModelFacts>,
    /// The HuggingFace cache.
    pub hf_cache: &'a HfCache,
    /// The environment.
    pub host: &'a dyn Host,
}

impl StageFacts<'_> {
    /// The value of fact `name`; `None` when it has none (an unset variable, an unknown model).
    pub fn get(&self, name: &str) -> Option<FactValue> {
        if let Some(var) = name.strip_prefix(ENV_PREFIX) {
            return self.host.var(var).map(FactValue::Text);
        }
        let model = self.model.as_ref();
        let text = |s: &str| Some(FactValue::text(s));
        match name {
            "stage" => text(self.kind),
            "stage-name" => text(self.name),
            "uses-device" => Some(FactValue::Bool(self.uses_device)),
            "requested-device" => text(&self.requested_device),
            "os" => text(&self.os),
            "model" => model.and_then(|m| m.family.as_deref()).and_then(text),
            "model-size" => model.and_then(|m| m.size.as_deref()).and_then(text),
            "model-repo" => model.and_then(|m| text(&m.repo)),
            "hf-cache" => text(&self.hf_cache.dir.display().to_string()),
            "hf-cache-writable" => Some(FactValue::Bool(self.hf_cache.writable)),
            "hf-cache-fallback" => text(&self.hf_cache.fallback.display().to_string()),
            _ => None,
        }
    }

    /// Where the model facts were read, when a model was found.
    pub fn model_source(&self) -> Option<&str> {
        self.model.as_ref().map(|m| m.source.as_str())
    }
}
