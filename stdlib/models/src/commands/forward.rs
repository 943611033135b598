use std::path::{Path, PathBuf};

use burn::module::AutodiffModule;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{Int, Tensor, TensorData};
use clarity_engine::fs::read_capped_string;
use serde::{Deserialize, Serialize};

use super::CommandError;
use crate::config::SourceText;
use crate::config::{ModelConfig, check_batch_size};
use crate::device::{BackendTask, Device};
use crate::{ModelOptions, SequenceClassifier};

/// The most bytes an `--inputs` file may have (a batch of 64 sequences of 512 ids takes
/// about 200 KiB).
pub const MAX_INPUTS_BYTES: u64 = 64 * 1024 * 1024;

/// `clarity forward` arguments.
#[derive(Debug, Clone)]
pub struct ForwardArgs {
    /// HF model directory (config.json + weights), ours or the Hub's.
    pub model: PathBuf,
    /// JSON file `{"input_ids": [[..]], "attention_mask": [[..]]}`.
    pub inputs: PathBuf,
    /// Device name (`auto`, `cpu`, `cuda:0`, ...).
    pub device: String,
    /// Model options (attention path, precision).
    pub options: ModelOptions,
}

/// `clarity forward` output: eval-mode logits and `last_hidden_state`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ForwardOutput {
    /// `[batch][num_labels]`.
    pub logits: Vec<Vec<f32>>,
    /// `[batch][seq][hidden]`.
    pub last_hidden_state: Vec<Vec<Vec<f32>>>,
}

/// The result of `clarity forward`, with the load warnings to show.
#[derive(Debug, Clone)]
pub struct ForwardRun {
    /// The outputs.
    pub output: ForwardOutput,
    /// Warnings (e.g. a freshly initialised head).
    pub warnings: Vec<String>,
    /// The device used.
    pub device: String,
}

#[derive(Debug, Deserialize)]
struct Inputs {
    input_ids: Vec<Vec<i64>>,
    attention_mask: Option<Vec<Vec<i64>>>,
}

/// Runs the model of `args.model` in eval mode on the inputs.
pub fn forward(args: &ForwardArgs) -> Result<ForwardRun, CommandError> {
    let device = Device::resolve(args.device.parse()?)?;
    device.check_precision(args.options.precision)?;
    let config = ModelConfig::from_dir(&args.model)?;
    let batch = read_inputs(&args.inputs, &config)?;
    let task = ForwardTask {
        model: &args.model,
        options: args.options,
        batch,
    };
    let (output, warnings) = device.run(task)??;
    Ok(ForwardRun {
        output,
        warnings,
        device: device.to_string(),
    })
}

/// A checked batch: equal-length rows of ids and 0/1 mask values.
struct Batch {
    input_ids: Vec<Vec<i64>>,
    attention_mask: Vec<Vec<i64>>,
}

struct ForwardTask<'a> {
    model: &'a Path,
    options: ModelOptions,
    batch: Batch,
}

impl BackendTask for ForwardTask<'_> {
    type Output = Result<(ForwardOutput, Vec<String>), CommandError>;

    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let (model, _, report) =
            SequenceClassifier::<B>::from_pretrained(self.model, &self.options, &device)
                .map_err(CommandError::from)?;
        let model = model.valid();
        let ids = matrix::<B::InnerBackend>(&self.batch.input_ids, &device);
        let mask = matrix::<B::InnerBackend>(&self.batch.attention_mask, &device);
        let out = model.forward(ids, mask);
        let [batch, labels] = out.logits.dims();
        let [_, seq, hidden] = out.last_hidden_state.dims();
        let logits = to_f32(out.logits);
        let hidden_state = to_f32(out.last_hidden_state);
        let output = ForwardOutput {
            logits: logits
                .chunks(labels)
                .take(batch)
                .map(<[f32]>::to_vec)
                .collect(),
            last_hidden_state: hidden_state
                .chunks(seq * hidden)
                .map(|b| b.chunks(hidden).map(<[f32]>::to_vec).collect())
                .collect(),
        };
        Ok((output, report.warnings()))
    }
}

fn matrix<B: Backend>(rows: &[Vec<i64>], device: &B::Device) -> Tensor<B, 2, Int> {
    let cols = rows.first().map_or(0, Vec::len);
    let flat: Vec<i64> = rows.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [rows.len(), cols]), device)
}

fn to_f32<B: Backend, const D: usize>(t: Tensor<B, D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("converted to f32 just above")
}

/// Reads and checks the inputs against the model: a rectangular non-empty batch, ids in
/// the vocabulary, mask values 0/1, a length the position embeddings cover.
fn read_inputs(path: &Path, config: &ModelConfig) -> Result<Batch, CommandError> {
    let text = read_capped_string(path, MAX_INPUTS_BYTES).map_err(|source| CommandError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let src = SourceText::new(path.display().to_string(), text);
    let invalid = |message: String, field: &str| CommandError::Inputs {
        span: src.field_span(field),
        message,
        src: src.named(),
    };
    let inputs: Inputs = serde_json::from_str(src.text()).map_err(|e| CommandError::Inputs {
        message: e.to_string(),
        span: src.span_at(e.line(), e.column()),
        src: src.named(),
    })?;
    let ids = inputs.input_ids;
    let seq = ids.first().map_or(0, Vec::len);
    if ids.is_empty() || seq == 0 {
        return Err(invalid("input_ids is empty".into(), "input_ids"));
    }
    if let Some(row) = ids.iter().position(|r| r.len() != seq) {
        return Err(invalid(
            format!(
                "row {row} has {} ids, row 0 has {seq} (pad the batch)",
                ids[row].len()
            ),
            "input_ids",
        ));
    }
    let vocab = config.vocab_size() as i64;
    if let Some(bad) = ids.iter().flatten().find(|&&id| id < 0 || id >= vocab) {
        return Err(invalid(
            format!("token id {bad} is outside the vocabulary (0..{vocab})"),
            "input_ids",
        ));
    }
    if let Some(max_len) = config.max_input_length()
        && seq > max_len
    {
        return Err(invalid(
            format!("sequences of {seq} tokens exceed the model's {max_len} positions"),
            "input_ids",
        ));
    }
    check_batch_size(config, ids.len(), seq).map_err(|message| invalid(message, "input_ids"))?;
    let mask = match inputs.attention_mask {
        None => vec![vec![1; seq]; ids.len()],
        Some(mask) => {
            if mask.len() != ids.len() || mask.iter().any(|r| r.len() != seq) {
                return Err(invalid(
                    "attention_mask must have the shape of input_ids".into(),
                    "attention_mask",
                ));
            }
            if mask.iter().flatten().any(|&m| m != 0 && m != 1) {
                return Err(invalid(
                    "attention_mask values must be 0 or 1".into(),
                    "attention_mask",
                ));
            }
            mask
        }
    };
    Ok(Batch {
        input_ids: ids,
        attention_mask: mask,
    })
}
