use burn::tensor::backend::Backend;
use burn::tensor::{ElementConversion, Tensor};
use clarity_data::tokenize::{BatchOrder, TokenizedDataset};

use super::PredictError;
use super::logits::LogitMatrix;
use crate::batch_tensors::batch_inputs;
use crate::heads::ClarityClassifier;
use crate::train::Objective;

/// Logits of every record of a dataset, in record order.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordLogits {
    /// Evasion logits, when the model has an evasion head.
    pub evasion: Option<LogitMatrix>,
    /// Clarity logits, when the model has a clarity head.
    pub clarity: Option<LogitMatrix>,
}

/// What a pass over a dataset gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    /// Per-record logits.
    pub records: RecordLogits,
    /// The objective's loss averaged over records (weighting each batch by its size), when an
    /// objective was given and every batch had the labels it needs.
    pub loss: Option<f64>,
}

/// Options of [`infer`].
pub struct InferOptions<'a> {
    /// Records per forward pass.
    pub batch_size: usize,
    /// Pad each batch to a multiple of this length.
    pub pad_to_multiple_of: Option<usize>,
    /// Compute this loss along the way.
    pub objective: Option<&'a Objective>,
    /// Polled between batches; `true` stops with [`PredictError::Cancelled`].
    pub cancelled: &'a dyn Fn() -> bool,
    /// Called after each batch with the number of records done.
    pub on_batch: &'a mut dyn FnMut(usize),
}

/// Runs `model` (use `model.valid()` or an inference backend: no dropout) over every record.
/// Batches go longest first so little is padded; rows are put back in record order.
pub fn infer<B: Backend>(
    model: &ClarityClassifier<B>,
    data: &TokenizedDataset,
    options: InferOptions<'_>,
    device: &B::Device,
) -> Result<Inference, PredictError> {
    let n = data.len();
    let mut evasion = model.kind().has_evasion_head().then(|| vec![None; n]);
    let mut clarity = model.kind().has_clarity_head().then(|| vec![None; n]);
    let (mut loss_sum, mut loss_ok) = (0.0, options.objective.is_some());
    let mut done = 0;
    for records in data.batches(options.batch_size, BatchOrder::ByLength) {
        if (options.cancelled)() {
            return Err(PredictError::Cancelled);
        }
        let batch = data.collate(&records, options.pad_to_multiple_of);
        let (ids, mask) = batch_inputs::<B>(&batch, device);
        let logits = model.forward(ids, mask);
        if let Some(objective) = options.objective.filter(|_| loss_ok) {
            match objective.loss(logits.clone(), &batch, device) {
                Some(loss) => {
                    let value: f64 = loss.into_scalar().elem();
                    loss_sum += value * records.len() as f64;
                }
                None => loss_ok = false,
            }
        }
        scatter(&mut evasion, logits.evasion, &records);
        scatter(&mut clarity, logits.clarity, &records);
        done += records.len();
        (options.on_batch)(done);
    }
    Ok(Inference {
        records: RecordLogits {
            evasion: evasion.map(gather),
            clarity: clarity.map(gather),
        },
        loss: (loss_ok && n > 0).then(|| loss_sum / n as f64),
    })
}

fn scatter<B: Backend>(
    into: &mut Option<Vec<Option<Vec<f32>>>>,
    logits: Option<Tensor<B, 2>>,
    records: &[usize],
) {
    let (Some(rows), Some(logits)) = (into.as_mut(), logits) else {
        return;
    };
    let [_, cols] = logits.dims();
    let values: Vec<f32> = logits
        .into_data()
        .convert::<f32>()
        .to_vec()
        .expect("converted to f32 just above");
    for (row, &record) in records.iter().enumerate() {
        rows[record] = Some(values[row * cols..(row + 1) * cols].to_vec());
    }
}

fn gather(rows: Vec<Option<Vec<f32>>>) -> LogitMatrix {
    let cols = rows.iter().flatten().next().map_or(0, Vec::len);
    let mut matrix = LogitMatrix::new(cols);
    for row in rows.into_iter().flatten() {
        matrix.push(&row);
    }
    matrix
}

/// Logits per example: the mean over an example's records (its sliding windows).
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleLogits {
    /// Example ids, in example order.
    pub example_ids: Vec<String>,
    /// Evasion logits per example.
    pub evasion: Option<LogitMatrix>,
    /// Clarity logits per example.
    pub clarity: Option<LogitMatrix>,
}

impl ExampleLogits {
    /// The examples (indices) with a NaN or infinite logit in any head.
    pub fn non_finite_examples(&self) -> Vec<usize> {
        let bad = |m: &Option<LogitMatrix>, e: usize| {
            m.as_ref()
                .is_some_and(|m| m.row(e).iter().any(|v| !v.is_finite()))
        };
        (0..self.example_ids.len())
            .filter(|&e| bad(&self.evasion, e) || bad(&self.clarity, e))
            .collect()
    }

    /// [`PredictError::NonFiniteLogits`] when a logit is NaN or infinite; `model` names the
    /// checkpoint in the error.
    pub fn check_finite(&self, model: &str) -> Result<(), PredictError> {
        let bad = self.non_finite_examples();
        if bad.is_empty() {
            return Ok(());
        }
        const SHOWN: usize = 5;
        let mut ids: Vec<String> = bad
            .iter()
            .take(SHOWN)
            .map(|&e| format!("`{}` (row {})", self.example_ids[e], e + 1))
            .collect();
        if bad.len() > SHOWN {
            ids.push(format!("and {} more", bad.len() - SHOWN));
        }
        Err(PredictError::NonFiniteLogits {
            model: model.to_owned(),
            count: bad.len(),
            total: self.example_ids.len(),
            examples: ids.join(", "),
        })
    }
}

/// Averages record logits over each example's windows.
pub fn aggregate(
    records: &RecordLogits,
    data: &TokenizedDataset,
) -> Result<ExampleLogits, PredictError> {
    let example_ids = data.meta().example_ids.clone();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); example_ids.len()];
    for (record, example) in data.iter().enumerate() {
        members[example.example].push(record);
    }
    if let Some(empty) = members.iter().position(Vec::is_empty) {
        return Err(PredictError::ExampleWithoutRecord {
            example: example_ids[empty].clone(),
        });
    }
    let average = |matrix: &LogitMatrix| {
        let mut out = LogitMatrix::new(matrix.cols);
        for rows in &members {
            let mut sum = vec![0f64; matrix.cols];
            for &r in rows {
                for (s, &v) in sum.iter_mut().zip(matrix.row(r)) {
                    *s += v as f64;
                }
            }
            let mean: Vec<f32> = sum.iter().map(|s| (s / rows.len() as f64) as f32).collect();
            out.push(&mean);
        }
        out
    };
    Ok(ExampleLogits {
        example_ids,
        evasion: records.evasion.as_ref().map(average),
        clarity: records.clarity.as_ref().map(average),
    })
}
