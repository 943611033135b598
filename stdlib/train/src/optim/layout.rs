use burn::module::{AutodiffModule, Module, ModuleMapper, Param};
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{DType, Tensor};

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

/// A copy of `module` whose float parameters are fresh leaves of dtype `dtype` (same ids), for
/// half-precision compute over f32 master weights: gradients come out on the copy's
/// parameters and, cast back to f32, update the master.
pub fn compute_copy<AB: AutodiffBackend, M: AutodiffModule<AB>>(module: &M, dtype: DType) -> M {
    struct Cast(DType);
    impl<AB: AutodiffBackend> ModuleMapper<AB> for Cast {
        fn map_float<const D: usize>(
            &mut self,
            param: Param<Tensor<AB, D>>,
        ) -> Param<Tensor<AB, D>> {
            let dtype = self.0;
            param.map(|tensor| {
                let require_grad = tensor.is_require_grad();
                let copy = Tensor::<AB, D>::from_inner(tensor.inner().cast(dtype));
                if require_grad {
                    copy.require_grad()
                } else {
                    copy
                }
            })
        }
    }
    module.clone().map(&mut Cast(dtype))
}
