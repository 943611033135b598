use clarity_data::tokenize::TokenizedDataset;
use clarity_models::config::ModelConfig;

use super::{JobError, check_input_length};

/// Checks, before anything runs, that every record of `data` can go through the model: its
/// `max_length` fits the position table ([`check_input_length`]), each record holds 1 to
/// `max_length` ids and at most that many type-0 tokens, and every id (the padding id
/// included) is below the model's vocabulary size. `what` names the records in the error.
pub fn check_tokens(
    config: &ModelConfig,
    data: &TokenizedDataset,
    what: &str,
) -> Result<(), JobError> {
    check_input_length(config, data, what)?;
    let meta = data.meta();
    let vocab_size = config.vocab_size();
    let mut max_id = (meta.pad_id, None);
    for (index, record) in data.iter().enumerate() {
        let len = record.ids.len();
        let problem = if len == 0 {
            Some("has no ids".to_owned())
        } else if len > meta.max_length {
            Some(format!(
                "has {len} ids, more than its max-length {}",
                meta.max_length
            ))
        } else if record.type0_len as usize > len {
            Some(format!(
                "has {} first-segment tokens but only {len} ids",
                record.type0_len
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(JobError::DamagedTokens {
                what: what.to_owned(),
                record: index,
                example: record.example_id.to_owned(),
                problem,
            });
        }
        if let Some(&id) = record.ids.iter().max()
            && id > max_id.0
        {
            max_id = (id, Some(record.example_id));
        }
    }
    match max_id {
        (id, example) if id as usize >= vocab_size => Err(JobError::TokenOutOfVocabulary {
            what: what.to_owned(),
            max_id: id,
            example: example
                .map_or_else(|| "its padding id".to_owned(), |e| format!("example `{e}`")),
            vocab_size,
            tokenizer: meta.tokenizer.clone(),
        }),
        _ => Ok(()),
    }
}
