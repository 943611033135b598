use burn::module::{Module, ModuleMapper, Param};
use burn::tensor::Tensor;
use burn::tensor::backend::Backend;

/// Rewrites every float parameter into a fresh, contiguous row-major tensor (same values, ids
/// and `require_grad`).
///
/// Weights loaded from PyTorch files are transposed views; kernels on strided and contiguous
/// operands round differently. Training starts (and resumes) from this canonical layout — the
/// layout optimiser updates produce — so a resumed run is bit-identical to an uninterrupted one.
pub fn canonical_layout<B: Backend, M: Module<B>>(module: M) -> M {
    struct Canonical;
    impl<B: Backend> ModuleMapper<B> for Canonical {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
            param.map(|tensor| {
                let require_grad = tensor.is_require_grad();
                let device = tensor.device();
                Tensor::from_data(tensor.into_data(), &device).set_require_grad(require_grad)
            })
        }
    }
    module.map(&mut Canonical)
}
