//! A collated [`Batch`] as Burn tensors.

use burn::tensor::backend::Backend;
use burn::tensor::{Int, Tensor, TensorData};
use clarity_data::tokenize::Batch;

/// `input_ids` and `attention_mask`, `[batch, seq]`.
pub fn batch_inputs<B: Backend>(
    batch: &Batch,
    device: &B::Device,
) -> (Tensor<B, 2, Int>, Tensor<B, 2, Int>) {
    let shape = [batch.batch_size, batch.seq_len];
    let int = |values: &[u32]| {
        let data: Vec<i64> = values.iter().map(|&v| i64::from(v)).collect();
        Tensor::<B, 2, Int>::from_data(TensorData::new(data, shape), device)
    };
    (int(&batch.input_ids), int(&batch.attention_mask))
}

/// Class-index targets `[batch]`; `None` when a row has no label.
pub fn targets<B: Backend>(
    labels: impl Iterator<Item = Option<usize>>,
    device: &B::Device,
) -> Option<Tensor<B, 1, Int>> {
    let values: Vec<i64> = labels.map(|l| l.map(|i| i as i64)).collect::<Option<_>>()?;
    let n = values.len();
    Some(Tensor::from_data(TensorData::new(values, [n]), device))
}

/// The evasion targets of a batch.
pub fn evasion_targets<B: Backend>(batch: &Batch, device: &B::Device) -> Option<Tensor<B, 1, Int>> {
    targets(batch.evasion.iter().map(|l| l.map(|l| l.index())), device)
}

/// The clarity targets of a batch.
pub fn clarity_targets<B: Backend>(batch: &Batch, device: &B::Device) -> Option<Tensor<B, 1, Int>> {
    targets(batch.clarity.iter().map(|l| l.map(|l| l.index())), device)
}
