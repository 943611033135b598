use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor};
use clarity_models::Encoder;
use clarity_models::nn::hf_linear;

use super::HeadKind;

/// Logits of the heads a model has.
#[derive(Debug, Clone)]
pub struct HeadLogits<B: Backend> {
    /// `[batch, 9]` from the evasion head.
    pub evasion: Option<Tensor<B, 2>>,
    /// `[batch, 3]` from the clarity head.
    pub clarity: Option<Tensor<B, 2>>,
}

/// An encoder with the CLARITY heads: `last_hidden_state[:, 0]` (the `<s>`/`[CLS]` token)
/// -> dropout -> `Linear(hidden, 9)` (evasion) and/or `Linear(hidden, 3)` (clarity).
#[derive(Module, Debug)]
pub struct ClarityClassifier<B: Backend> {
    /// The pre-trained encoder.
    pub encoder: Encoder<B>,
    /// Dropout on the pooled token (active only on an autodiff backend).
    pub dropout: Dropout,
    /// The 9-way evasion head.
    pub evasion_classifier: Option<Linear<B>>,
    /// The 3-way clarity head.
    pub clarity_classifier: Option<Linear<B>>,
}

/// Sizes and initialisation of new heads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadSpec {
    /// Which heads.
    pub kind: HeadKind,
    /// Dropout probability before the heads.
    pub dropout: f64,
    /// Standard deviation of the weight initialisation (HF's `initializer_range`).
    pub init_std: f64,
    /// Evasion classes.
    pub evasion_classes: usize,
    /// Clarity classes.
    pub clarity_classes: usize,
}

impl<B: Backend> ClarityClassifier<B> {
    /// Puts freshly initialised heads (weights `N(0, init_std)`, biases 0, as HF's
    /// `_init_weights`) on `encoder`.
    pub fn new(encoder: Encoder<B>, spec: &HeadSpec, device: &B::Device) -> Self {
        let hidden = encoder.hidden_size();
        let head = |classes| hf_linear(hidden, classes, true, spec.init_std, device);
        Self {
            encoder,
            dropout: DropoutConfig::new(spec.dropout).init(),
            evasion_classifier: spec
                .kind
                .has_evasion_head()
                .then(|| head(spec.evasion_classes)),
            clarity_classifier: spec
                .kind
                .has_clarity_head()
                .then(|| head(spec.clarity_classes)),
        }
    }

    /// Which heads this model has.
    pub fn kind(&self) -> HeadKind {
        match (&self.evasion_classifier, &self.clarity_classifier) {
            (Some(_), Some(_)) => HeadKind::Multitask,
            (Some(_), None) => HeadKind::Hierarchical,
            _ => HeadKind::Direct,
        }
    }

    /// `input_ids`, `attention_mask` `[batch, seq]` to the heads' logits.
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
            evasion: self
                .evasion_classifier
                .as_ref()
                .map(|head| head.forward(pooled.clone())),
            clarity: self
                .clarity_classifier
                .as_ref()
                .map(|head| head.forward(pooled)),
        }
    }
}
