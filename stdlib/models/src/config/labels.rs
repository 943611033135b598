use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The label fields every HF `PretrainedConfig` carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelConfig {
    /// Class index (as a string key, like HF writes it) to label name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id2label: Option<BTreeMap<String, String>>,
    /// Label name to class index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label2id: Option<BTreeMap<String, i64>>,
    /// Explicit number of labels (HF derives it from `id2label` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_labels: Option<usize>,
}

impl LabelConfig {
    /// The number of classes of a classification head: `num_labels`, else the size of
    /// `id2label`, else 2 (HF's default).
    pub fn num_labels(&self) -> usize {
        self.num_labels
            .or_else(|| self.id2label.as_ref().map(BTreeMap::len))
            .unwrap_or(2)
    }

    /// Label names in class-index order, when `id2label` names every index `0..n`.
    pub fn label_names(&self) -> Option<Vec<String>> {
        let map = self.id2label.as_ref()?;
        (0..map.len())
            .map(|i| map.get(&i.to_string()).cloned())
            .collect()
    }

    /// Sets the labels (`id2label`, `label2id`, `num_labels`) from names in index order.
    pub fn set_label_names(&mut self, names: &[String]) {
        self.id2label = Some(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (i.to_string(), n.clone()))
                .collect(),
        );
        self.label2id = Some(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i as i64))
                .collect(),
        );
        self.num_labels = None;
    }
}
