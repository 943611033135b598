use burn::module::{Module, ModuleMapper, Param};
use burn::tensor::backend::Backend;
use burn::tensor::{DType, Tensor};

/// Casts every float parameter of `module` to `dtype` (keeping `require_grad`).
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
                t.detach().cast(dtype).set_require_grad(require_grad)
            })
        }
    }
    module.map(&mut Cast(dtype))
}
