use std::collections::HashMap;

use burn::module::{AutodiffModule, ModuleVisitor, Param, ParamId};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Tensor};

/// Gradients of a module's float parameters, flattened to rank 1, in the module's visit order
/// (so every reduction over them runs in a fixed order and is reproducible).
#[derive(Debug, Clone)]
pub struct Gradients<B: Backend> {
    entries: Vec<(ParamId, Tensor<B, 1>)>,
    index: HashMap<ParamId, usize>,
}

impl<B: Backend> Default for Gradients<B> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<B: Backend> Gradients<B> {
    /// The gradients of `module`'s parameters taken out of a backward pass.
    pub fn from_backward<AB, M>(module: &M, mut grads: AB::Gradients) -> Self
    where
        AB: AutodiffBackend<InnerBackend = B>,
        M: AutodiffModule<AB>,
    {
        let mut collector = Collector {
            grads: &mut grads,
            out: Self::default(),
        };
        module.visit(&mut collector);
        collector.out
    }

    /// Number of parameters with a gradient.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no parameter has a gradient.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The flattened gradient of a parameter.
    pub fn get(&self, id: ParamId) -> Option<&Tensor<B, 1>> {
        self.index.get(&id).map(|&i| &self.entries[i].1)
    }

    /// Takes the flattened gradient of a parameter out.
    pub(crate) fn take(&mut self, id: ParamId) -> Option<Tensor<B, 1>> {
        let i = self.index.remove(&id)?;
        let zero = self.entries[i].1.zeros_like();
        Some(std::mem::replace(&mut self.entries[i].1, zero))
    }

    /// Adds `grad` to the gradient of `id` (or sets it).
    pub fn add(&mut self, id: ParamId, grad: Tensor<B, 1>) {
        match self.index.get(&id) {
            Some(&i) => {
                let current = self.entries[i].1.clone();
                self.entries[i].1 = current + grad;
            }
            None => {
                self.index.insert(id, self.entries.len());
                self.entries.push((id, grad));
            }
        }
    }

    /// Multiplies every gradient by `factor`.
    pub fn scale(&mut self, factor: f64) {
        for (_, grad) in &mut self.entries {
            *grad = grad.clone().mul_scalar(factor);
        }
    }

    /// The L2 norm of all gradients together, `sqrt(sum of squares)`, read back to the host.
    pub fn global_norm(&self) -> f64 {
        let mut total: Option<Tensor<B, 1>> = None;
        for (_, grad) in &self.entries {
            let squares = grad.clone().square().sum();
            total = Some(match total {
                Some(t) => t + squares,
                None => squares,
            });
        }
        total.map_or(0.0, |t| {
            let value: f64 = t.into_scalar().elem();
            value.sqrt()
        })
    }

    /// Every gradient cast to `dtype` (e.g. half-precision gradients to f32 master weights).
    pub fn cast(mut self, dtype: burn::tensor::DType) -> Self {
        for (_, grad) in &mut self.entries {
            *grad = grad.clone().cast(dtype);
        }
        self
    }

    /// The flattened gradients in visit order.
    pub fn iter(&self) -> impl Iterator<Item = (ParamId, &Tensor<B, 1>)> {
        self.entries.iter().map(|(id, grad)| (*id, grad))
    }
}

/// Clips the gradients by their global norm with `torch.nn.utils.clip_grad_norm_` semantics:
/// `total = ||all grads||_2`, `coef = max_norm / (total + 1e-6)`; when `coef < 1` every
/// gradient is multiplied by `coef`. Returns `total` (before clipping).
pub fn clip_grad_norm<B: Backend>(grads: &mut Gradients<B>, max_norm: f64) -> f64 {
    let total = grads.global_norm();
    let coef = max_norm / (total + 1e-6);
    if coef < 1.0 {
        grads.scale(coef);
    }
    total
}

struct Collector<'a, AB: AutodiffBackend> {
    grads: &'a mut AB::Gradients,
    out: Gradients<AB::InnerBackend>,
}

impl<AB: AutodiffBackend> ModuleVisitor<AB> for Collector<'_, AB> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<AB, D>>) {
        if let Some(grad) = param.val().grad_remove(self.grads) {
            let numel = grad.shape().num_elements();
            self.out.add(param.id, grad.reshape([numel]));
        }
    }
}

/// Sums the gradients of successive micro-batches and hands back their mean, so that
/// accumulating `k` micro-batches of size `b` matches one batch of size `k * b`.
#[derive(Debug, Clone)]
pub struct GradientAccumulator<B: Backend> {
    sum: Gradients<B>,
    micro_batches: usize,
}

impl<B: Backend> Default for GradientAccumulator<B> {
    fn default() -> Self {
        Self {
            sum: Gradients::default(),
            micro_batches: 0,
        }
    }
}

impl<B: Backend> GradientAccumulator<B> {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one micro-batch's gradients.
    pub fn accumulate(&mut self, grads: Gradients<B>) {
        for (id, grad) in grads.entries {
            self.sum.add(id, grad);
        }
        self.micro_batches += 1;
    }

    /// Number of micro-batches added since the last [`Self::mean`].
    pub fn micro_batches(&self) -> usize {
        self.micro_batches
    }

    /// The mean gradient over the micro-batches added so far; resets the accumulator.
    pub fn mean(&mut self) -> Gradients<B> {
        let mut grads = std::mem::take(&mut self.sum);
        if self.micro_batches > 1 {
            grads.scale(1.0 / self.micro_batches as f64);
        }
        self.micro_batches = 0;
        grads
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::TestBackend;
    use burn::tensor::TensorData;

    fn flat(values: &[f32]) -> Tensor<TestBackend, 1> {
        Tensor::from_data(
            TensorData::new(values.to_vec(), [values.len()]),
            &Default::default(),
        )
    }

    fn values(t: &Tensor<TestBackend, 1>) -> Vec<f32> {
        t.clone().into_data().to_vec().unwrap()
    }

    fn two_params(a: &[f32], b: &[f32]) -> (Gradients<TestBackend>, ParamId, ParamId) {
        let (ia, ib) = (ParamId::from(1), ParamId::from(2));
        let mut g = Gradients::default();
        g.add(ia, flat(a));
        g.add(ib, flat(b));
        (g, ia, ib)
    }

    #[test]
    fn clips_by_the_global_norm() {
        // ||[3, 0]||^2 + ||[4]||^2 = 25 -> total 5; coef = 1 / (5 + 1e-6);
        // grads become [3, 0] * coef and [4] * coef.
        let (mut g, ia, ib) = two_params(&[3.0, 0.0], &[4.0]);
        let total = clip_grad_norm(&mut g, 1.0);
        assert!((total - 5.0).abs() < 1e-6);
        let coef = 1.0 / (5.0 + 1e-6);
        assert!((values(g.get(ia).unwrap())[0] as f64 - 3.0 * coef).abs() < 1e-6);
        assert!((values(g.get(ib).unwrap())[0] as f64 - 4.0 * coef).abs() < 1e-6);
        assert!((g.global_norm() - 1.0).abs() < 1e-5);
    }

    #[test]
    fn leaves_small_gradients_alone() {
        // total = sqrt(0.09 + 0.16) = 0.5 < 1: unchanged.
        let (mut g, ia, _) = two_params(&[0.3], &[0.4]);
        let total = clip_grad_norm(&mut g, 1.0);
        assert!((total - 0.5).abs() < 1e-6);
        assert_eq!(values(g.get(ia).unwrap()), vec![0.3]);
    }

    #[test]
    fn accumulation_averages() {
        // micro-batch grads [1, 2] then [3, 6]: mean [2, 4].
        let id = ParamId::from(7);
        let mut acc = GradientAccumulator::<TestBackend>::new();
        for v in [[1.0, 2.0], [3.0, 6.0]] {
            let mut g = Gradients::default();
            g.add(id, flat(&v));
            acc.accumulate(g);
        }
        assert_eq!(acc.micro_batches(), 2);
        let mean = acc.mean();
        assert_eq!(values(mean.get(id).unwrap()), vec![2.0, 4.0]);
        assert_eq!(acc.micro_batches(), 0);
        assert!(acc.mean().is_empty());
    }
}
