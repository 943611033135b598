use clarity_data::tokenize::TokenizedDataset;
use clarity_models::config::ModelConfig;

use super::JobError;

/// Checks that the longest sequence `data` may hold (its `max_length`, special tokens
/// included) fits the model's position table; `what` names the records in the error.
pub fn check_input_length(
    config: &ModelConfig,
    data: &TokenizedDataset,
    what: &str,
) -> Result<(), JobError> {
    let max_length = data.meta().max_length;
    match config.max_input_length() {
        Some(limit) if max_length > limit => Err(JobError::InputTooLong {
            what: what.to_owned(),
            max_length,
            limit,
        }),
        _ => Ok(()),
    }
}
