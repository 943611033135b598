use burn::module::{Module, ModuleMapper, Param};
use burn::tensor::backend::Backend;
use burn::tensor::{DType, Tensor};

/// Casts every float parameter of `module` to `dtype` (keeping `require_grad`).
///
/// Each cast parameter is a fresh leaf: on an autodiff backend, casting a parameter that
/// requires gradients records a cast op, and its output cannot become a parameter again
/// (`detach` keeps `require_grad`, so it does not help). The cast is therefore done on an
/// untracked copy and the result marked as requiring gradients afterwards.
pub fn cast_float_params<B: Backend, M: Module<B>>(module: M, dtype: DType) -> M {
    struct Cast(DType);
    impl<B: Backend> ModuleMapper<B> for Cast {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
            let dtype = self.0;
            param.map(|t| {
                if t.dtype() == dtype {
                    return t;
                }
                let require_grad = t.is_require_grad();
                t.set_require_grad(false)
                    .cast(dtype)
                    .set_require_grad(require_grad)
            })
        }
    }
    module.map(&mut Cast(dtype))
}
