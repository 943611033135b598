use std::rc::Rc;

use burn::tensor::DType;
use burn_store::{ModuleAdapter, TensorSnapshot};

/// Casts float tensors to the model's dtype as they are loaded (fp16 `.bin` files into an
/// f32 model, f32 files into a bf16 model, ...).
#[derive(Debug, Clone, Copy)]
pub struct CastAdapter {
    dtype: DType,
}

impl CastAdapter {
    /// Casts floats to `dtype`.
    pub fn new(dtype: DType) -> Self {
        Self { dtype }
    }
}

impl ModuleAdapter for CastAdapter {
    fn adapt(&self, snapshot: &TensorSnapshot) -> TensorSnapshot {
        if snapshot.dtype == self.dtype || !snapshot.dtype.is_float() {
            return snapshot.clone();
        }
        let data = snapshot.clone_data_fn();
        let dtype = self.dtype;
        TensorSnapshot::from_closure(
            Rc::new(move || Ok(data()?.convert_dtype(dtype))),
            dtype,
            snapshot.shape.clone(),
            snapshot.path_stack.clone().unwrap_or_default(),
            snapshot.container_stack.clone().unwrap_or_default(),
            snapshot.tensor_id.unwrap_or_default(),
        )
    }

    fn clone_box(&self) -> Box<dyn ModuleAdapter> {
        Box::new(*self)
    }
}
