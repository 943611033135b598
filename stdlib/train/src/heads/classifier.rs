use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use clarity_models::config::ModelConfig;
use clarity_models::nn::{cast_float_params, hf_linear};
use clarity_models::{Encoder, ModelError, ModelOptions, SequenceClassifier};

use super::HeadKind;

/// Logits of the heads a model has.
#[derive(Debug, Clone)]
pub struct HeadLogits<B: Backend> {
    /// `[batch, 9]` from the evasion head.
    pub evasion: Option<Tensor<B, 2>>,
    /// `[batch, 3]` from the clarity head.
    pub clarity: Option<Tensor<B, 2>>,
}

/// An encoder with the CLARITY heads.
///
/// The single-head models are HF's `*ForSequenceClassification` with HF's head for the
/// architecture (RoBERTa: `<s>` → dropout → dense → tanh → dropout → `out_proj`; DeBERTa-v2:
/// `ContextPooler` → dropout → `classifier`), so their weights carry exactly HF's names. The
/// multitask model puts two linear heads on the first token.
// One model lives per run; boxing a variant would only add an indirection to every call.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum ClarityClassifier<B: Backend> {
    /// One 3-way clarity head (HF's head, `num_labels` 3).
    Direct(SequenceClassifier<B>),
    /// One 9-way evasion head (HF's head, `num_labels` 9).
    Hierarchical(SequenceClassifier<B>),
    /// Both heads on the first token.
    Multitask(MultitaskClassifier<B>),
}

/// The multitask model: `last_hidden_state[:, 0]` (the `<s>`/`[CLS]` token) -> dropout ->
/// `Linear(hidden, 9)` (evasion) and `Linear(hidden, 3)` (clarity).
#[derive(Module, Debug)]
pub struct MultitaskClassifier<B: Backend> {
    /// The pre-trained encoder.
    pub encoder: Encoder<B>,
    /// Dropout on the pooled token (active only on an autodiff backend).
    pub dropout: Dropout,
    /// The 9-way evasion head.
    pub evasion_classifier: Linear<B>,
    /// The 3-way clarity head.
    pub clarity_classifier: Linear<B>,
}

/// Sizes and initialisation of new heads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadSpec {
    /// Which heads.
    pub kind: HeadKind,
    /// Dropout probability before the multitask heads (HF's heads take theirs from the
    /// model config).
    pub dropout: f64,
    /// Standard deviation of the weight initialisation (HF's `initializer_range`).
    pub init_std: f64,
    /// Evasion classes.
    pub evasion_classes: usize,
    /// Clarity classes.
    pub clarity_classes: usize,
}

impl<B: Backend> ClarityClassifier<B> {
    /// Puts freshly initialised heads (weights normal with mean 0, biases 0, as HF's
    /// `_init_weights`) on `encoder`. `config` is the model's config with the head's labels
    /// ([`super::HeadConfig::model_config`]): a single head is HF's head for its
    /// `num_labels`, with its `initializer_range` and dropout; the multitask heads take
    /// `spec`'s `init_std` and dropout.
    pub fn new(
        encoder: Encoder<B>,
        config: &ModelConfig,
        spec: &HeadSpec,
        options: &ModelOptions,
        device: &B::Device,
    ) -> Result<Self, ModelError> {
        Ok(match spec.kind {
            HeadKind::Direct => Self::Direct(SequenceClassifier::with_fresh_head(
                encoder, config, options, device,
            )?),
            HeadKind::Hierarchical => Self::Hierarchical(SequenceClassifier::with_fresh_head(
                encoder, config, options, device,
            )?),
            HeadKind::Multitask => {
                Self::Multitask(MultitaskClassifier::new(encoder, spec, options, device))
            }
        })
    }

    /// Which heads this model has.
    pub fn kind(&self) -> HeadKind {
        match self {
            Self::Direct(_) => HeadKind::Direct,
            Self::Hierarchical(_) => HeadKind::Hierarchical,
            Self::Multitask(_) => HeadKind::Multitask,
        }
    }

    /// `input_ids`, `attention_mask` `[batch, seq]` to the heads' logits.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> HeadLogits<B> {
        match self {
            Self::Direct(m) => HeadLogits {
                evasion: None,
                clarity: Some(m.forward(input_ids, attention_mask).logits),
            },
            Self::Hierarchical(m) => HeadLogits {
                evasion: Some(m.forward(input_ids, attention_mask).logits),
                clarity: None,
            },
            Self::Multitask(m) => m.forward(input_ids, attention_mask),
        }
    }
}

impl<B: Backend> MultitaskClassifier<B> {
    /// Puts two freshly initialised linear heads (`N(0, init_std)`, zero bias) on `encoder`,
    /// in the options' precision.
    pub fn new(
        encoder: Encoder<B>,
        spec: &HeadSpec,
        options: &ModelOptions,
        device: &B::Device,
    ) -> Self {
        let hidden = encoder.hidden_size();
        let head = |classes| hf_linear(hidden, classes, true, spec.init_std, device);
        let model = Self {
            encoder,
            dropout: DropoutConfig::new(spec.dropout).init(),
            evasion_classifier: head(spec.evasion_classes),
            clarity_classifier: head(spec.clarity_classes),
        };
        cast_float_params(model, options.dtype())
    }

    /// `input_ids`, `attention_mask` `[batch, seq]` to both heads' logits.
    pub fn forward(
        &self,
        input_ids: Tensor<B, 2, Int>,
        attention_mask: Tensor<B, 2, Int>,
    ) -> HeadLogits<B> {
        let hidden = self.encoder.forward(input_ids, attention_mask);
        let [batch, _, width] = hidden.dims();
        let pooled = hidden.narrow(1, 0, 1).reshape([batch, width]);
        let pooled = self.dropout.forward(pooled);
        HeadLogits {
            evasion: Some(self.evasion_classifier.forward(pooled.clone())),
            clarity: Some(self.clarity_classifier.forward(pooled)),
        }
    }
}
