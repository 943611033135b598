use std::path::PathBuf;

use super::WeightsFormat;

/// What loading a weight file did.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    /// The file read.
    pub path: PathBuf,
    /// Its format.
    pub format: WeightsFormat,
    /// Number of tensors loaded.
    pub loaded: usize,
    /// Model weights absent from the file and left freshly initialised (HF names), e.g. a
    /// classification head on a pre-trained encoder.
    pub newly_initialized: Vec<String>,
    /// Tensors of the file the model does not use (HF names), e.g. a pre-training head.
    pub unexpected: Vec<String>,
    /// Float dtypes found in the file that were cast to the model's dtype (e.g. `"F16"`).
    pub cast_from: Vec<String>,
}

impl LoadReport {
    /// Warnings worth showing a user, in HF's spirit, naming the file read.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings_for(&self.path.display().to_string())
    }

    /// [`LoadReport::warnings`] naming the weights `model` (e.g. "the model of stage
    /// `weights`") instead of the file's path, which may be a cache entry's.
    pub fn warnings_for(&self, model: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self.newly_initialized.is_empty() {
            out.push(format!(
                "{} weight(s) not in {} were newly initialised: {} — train the model before using its predictions",
                self.newly_initialized.len(),
                model,
                abbreviate(&self.newly_initialized, 6)
            ));
        }
        if !self.unexpected.is_empty() {
            out.push(format!(
                "{} tensor(s) of {} are not used by this model: {}",
                self.unexpected.len(),
                model,
                abbreviate(&self.unexpected, 6)
            ));
        }
        out
    }
}

/// The first `n` items joined by ", ", then "and N more".
pub(crate) fn abbreviate(items: &[String], n: usize) -> String {
    let mut text = items
        .iter()
        .take(n)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > n {
        text.push_str(&format!(" and {} more", items.len() - n));
    }
    text
}
