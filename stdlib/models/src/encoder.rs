use std::path::Path;

use burn::module::Module;
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, get_device_settings};

use crate::config::{ArchConfig, ModelConfig};
use crate::deberta_v2::DebertaV2Model;
use crate::nn::cast_float_params;
use crate::roberta::RobertaModel;
use crate::weights::{
    LoadPlan, LoadReport, WeightsError, WeightsFormat, load_module, save_safetensors,
};
use crate::{ModelError, ModelOptions};

/// A bare encoder (`RobertaModel` or `DebertaV2Model`), for heads of one's own.
///
/// `forward` gives `last_hidden_state`; take `[:, 0]` for the `<s>`/`[CLS]` token. Dropout
/// inside is active exactly when the backend is an autodiff backend (Burn's convention:
/// train on `Autodiff<B>`, evaluate on `model.valid()`).
// One model lives per run; boxing a variant would only add an indirection to every call.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Encoder<B: Backend> {
    /// RoBERTa.
    Roberta(RobertaModel<B>),
    /// DeBERTa-v2/v3.
    DebertaV2(DebertaV2Model<B>),
}

impl<B: Backend> Encoder<B> {
    /// A randomly initialised encoder shaped by `config`.
    pub fn init(config: &ModelConfig, options: &ModelOptions, device: &B::Device) -> Self {
        let encoder = match &config.arch {
            ArchConfig::Roberta(c) => {
                Encoder::Roberta(RobertaModel::init(c, options.attention, device))
            }
            ArchConfig::DebertaV2(c) => {
                Encoder::DebertaV2(DebertaV2Model::init(c, options.attention, device))
            }
        };
        to_precision(encoder, options, device)
    }

    /// The encoder of `dir` (config.json and weights); task heads in the file are reported
    /// as unused.
    pub fn from_pretrained(
        dir: &Path,
        options: &ModelOptions,
        device: &B::Device,
    ) -> Result<(Self, ModelConfig, LoadReport), ModelError> {
        load_pretrained(
            dir,
            |config| Self::init(config, options, device),
            |encoder, config, path, format| encoder.load_weights(config, path, format, options),
        )
    }

    /// Loads encoder weights from a file (with or without the `roberta.`/`deberta.` prefix).
    pub fn load_weights(
        self,
        config: &ModelConfig,
        path: &Path,
        format: WeightsFormat,
        options: &ModelOptions,
    ) -> Result<(Self, LoadReport), WeightsError> {
        let plan = LoadPlan::new(options.dtype(), config.base_model_prefix());
        match self {
            Encoder::Roberta(m) => {
                load_module(m, path, format, &plan).map(|(m, r)| (Encoder::Roberta(m), r))
            }
            Encoder::DebertaV2(m) => {
                load_module(m, path, format, &plan).map(|(m, r)| (Encoder::DebertaV2(m), r))
            }
        }
    }

    /// Writes the encoder's weights as `model.safetensors` with HF keys under
    /// `base_model_prefix.`.
    pub fn save_safetensors(&self, path: &Path) -> Result<(), WeightsError> {
        let prefix = self.base_model_prefix();
        let rename = |k: &str| format!("{prefix}.{k}");
        match self {
            Encoder::Roberta(m) => save_safetensors(m, path, &rename),
            Encoder::DebertaV2(m) => save_safetensors(m, path, &rename),
        }
    }

    /// `input_ids`, `attention_mask` `[batch, seq]` to `last_hidden_state` `[batch, seq, hidden]`.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> Tensor<B, 3> {
        match self {
            Encoder::Roberta(m) => m.forward(input_ids, attention_mask),
            Encoder::DebertaV2(m) => m.forward(input_ids, attention_mask),
        }
    }

    /// Width of the hidden states.
    pub fn hidden_size(&self) -> usize {
        match self {
            Encoder::Roberta(m) => m.hidden_size(),
            Encoder::DebertaV2(m) => m.hidden_size(),
        }
    }

    /// HF's `base_model_prefix` of this architecture (`roberta`, `deberta`).
    pub fn base_model_prefix(&self) -> &'static str {
        match self {
            Encoder::Roberta(_) => "roberta",
            Encoder::DebertaV2(_) => "deberta",
        }
    }
}

/// The steps `from_pretrained` shares between [`Encoder`] and the classifier: `dir`'s
/// `config.json`, a model `init` builds from it, and `dir`'s weights loaded into it by `load`.
pub(crate) fn load_pretrained<M>(
    dir: &Path,
    init: impl FnOnce(&ModelConfig) -> M,
    load: impl FnOnce(M, &ModelConfig, &Path, WeightsFormat) -> Result<(M, LoadReport), WeightsError>,
) -> Result<(M, ModelConfig, LoadReport), ModelError> {
    let config = ModelConfig::from_dir(dir)?;
    let (path, format) = crate::weights::find_weights(dir)?;
    let model = init(&config);
    let (model, report) = load(model, &config, &path, format)?;
    Ok((model, config, report))
}

/// Casts a freshly built module to the options' precision when it differs from the
/// device's default float type (which is what Burn initialises parameters with).
pub(crate) fn to_precision<B: Backend, M: Module<B>>(
    module: M,
    options: &ModelOptions,
    device: &B::Device,
) -> M {
    let target = options.dtype();
    let default: burn::tensor::DType = get_device_settings::<B>(device).float_dtype.into();
    if target == default {
        module
    } else {
        cast_float_params(module, target)
    }
}
