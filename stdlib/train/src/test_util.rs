//! Shared helpers for unit tests.

use burn::tensor::{Int, Tensor, TensorData, backend::Backend};

pub(crate) type TestBackend = burn::backend::Flex;

pub(crate) fn logits<B: Backend>(rows: &[[f64; 3]]) -> Tensor<B, 2> {
    logits_n(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>())
}

pub(crate) fn logits_n<B: Backend>(rows: &[Vec<f64>]) -> Tensor<B, 2> {
    let cols = rows.first().map_or(0, Vec::len);
    let flat: Vec<f32> = rows.iter().flatten().map(|&v| v as f32).collect();
    Tensor::from_data(
        TensorData::new(flat, [rows.len(), cols]),
        &Default::default(),
    )
}

pub(crate) fn targets<B: Backend>(values: &[i64]) -> Tensor<B, 1, Int> {
    Tensor::from_data(
        TensorData::new(values.to_vec(), [values.len()]),
        &Default::default(),
    )
}

pub(crate) fn scalar<B: Backend>(tensor: Tensor<B, 1>) -> f64 {
    tensor.into_data().convert::<f64>().to_vec::<f64>().unwrap()[0]
}
