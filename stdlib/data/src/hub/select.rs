use globset::Glob;

use crate::table::TableFormat;

/// Which files of a repo to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// A model: `config.json`, the weights (`model.safetensors`, sharded safetensors, else
    /// `pytorch_model.bin` or its shards), every tokenizer file present, plus files matching
    /// `extra` globs.
    Model {
        /// Extra globs; each must match at least one file.
        extra: Vec<String>,
    },
    /// A dataset: the files matching `patterns` (each must match), or when empty every parquet,
    /// CSV and JSONL file.
    Dataset {
        /// Globs over repo paths, e.g. `data/train-*.parquet`.
        patterns: Vec<String>,
    },
}

/// Tokenizer files brought along with a model when the repo has them.
pub const TOKENIZER_FILES: [&str; 9] = [
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "spm.model",
    "sentencepiece.bpe.model",
    "vocab.json",
    "merges.txt",
    "vocab.txt",
];

/// The files of a clarity checkpoint (or export) beside an HF model's: the heads and the input
/// template, brought along when the directory has them.
pub const CHECKPOINT_FILES: [&str; 2] = ["head.json", "clarity_template.json"];

/// Why a selection failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unselected {
    /// Required files are absent: what is missing, and what to do.
    Missing(Vec<String>, String),
    /// A glob does not parse.
    BadPattern(String, String),
}

/// Picks the files of `selection` from `available` (repo paths). Returns them sorted.
pub fn select_files(
    selection: &Selection,
    available: &[String],
) -> Result<Vec<String>, Unselected> {
    match selection {
        Selection::Model { extra } => select_model(extra, available),
        Selection::Dataset { patterns } => select_dataset(patterns, available),
    }
}

fn has(available: &[String], name: &str) -> bool {
    available.iter().any(|f| f == name)
}

fn shards<'a>(available: &'a [String], prefix: &str, suffix: &str) -> Vec<&'a String> {
    available
        .iter()
        .filter(|f| f.starts_with(prefix) && f.ends_with(suffix) && f.contains("-of-"))
        .collect()
}

fn weight_files(available: &[String]) -> Option<Vec<String>> {
    let sharded = |index: &str, prefix: &str, suffix: &str| {
        let parts = shards(available, prefix, suffix);
        (has(available, index) && !parts.is_empty()).then(|| {
            std::iter::once(index.to_string())
                .chain(parts.into_iter().cloned())
                .collect::<Vec<_>>()
        })
    };
    if has(available, "model.safetensors") {
        return Some(vec!["model.safetensors".into()]);
    }
    if let Some(files) = sharded("model.safetensors.index.json", "model-", ".safetensors") {
        return Some(files);
    }
    if has(available, "pytorch_model.bin") {
        return Some(vec!["pytorch_model.bin".into()]);
    }
    sharded("pytorch_model.bin.index.json", "pytorch_model-", ".bin")
}

fn select_model(extra: &[String], available: &[String]) -> Result<Vec<String>, Unselected> {
    let mut chosen = Vec::new();
    let mut missing = Vec::new();
    if has(available, "config.json") {
        chosen.push("config.json".to_string());
    } else {
        missing.push("config.json".to_string());
    }
    match weight_files(available) {
        Some(files) => chosen.extend(files),
        None => missing.push("weights (model.safetensors or pytorch_model.bin)".into()),
    }
    chosen.extend(
        TOKENIZER_FILES
            .iter()
            .filter(|f| has(available, f))
            .map(|f| f.to_string()),
    );
    chosen.extend(
        CHECKPOINT_FILES
            .iter()
            .filter(|f| has(available, f))
            .map(|f| f.to_string()),
    );
    let tokenizer = has(available, "tokenizer.json")
        || has(available, "spm.model")
        || (has(available, "vocab.json") && has(available, "merges.txt"));
    if !tokenizer {
        missing.push("a tokenizer (tokenizer.json, spm.model, or vocab.json + merges.txt)".into());
    }
    add_matches(extra, available, &mut chosen, &mut missing)?;
    finish(
        chosen,
        missing,
        "a model repo needs config.json, weights and tokenizer files",
    )
}

fn select_dataset(patterns: &[String], available: &[String]) -> Result<Vec<String>, Unselected> {
    let mut chosen = Vec::new();
    let mut missing = Vec::new();
    if patterns.is_empty() {
        chosen.extend(
            available
                .iter()
                .filter(|f| TableFormat::from_path(std::path::Path::new(f)).is_some())
                .cloned(),
        );
        if chosen.is_empty() {
            missing.push("table files (.parquet, .csv or .jsonl)".into());
        }
    }
    add_matches(patterns, available, &mut chosen, &mut missing)?;
    finish(
        chosen,
        missing,
        "a dataset repo needs parquet, CSV or JSONL files; set `files` to pick them",
    )
}

/// Adds the files each pattern matches to `chosen`; a pattern matching nothing is `missing`.
fn add_matches(
    patterns: &[String],
    available: &[String],
    chosen: &mut Vec<String>,
    missing: &mut Vec<String>,
) -> Result<(), Unselected> {
    for pattern in patterns {
        let matched = matching(pattern, available)?;
        if matched.is_empty() {
            missing.push(format!("files matching {pattern:?}"));
        }
        chosen.extend(matched);
    }
    Ok(())
}

fn matching(pattern: &str, available: &[String]) -> Result<Vec<String>, Unselected> {
    let glob = Glob::new(pattern)
        .map_err(|e| Unselected::BadPattern(pattern.to_string(), e.kind().to_string()))?;
    let matcher = glob.compile_matcher();
    Ok(available
        .iter()
        .filter(|f| matcher.is_match(f.as_str()))
        .cloned()
        .collect())
}

fn finish(
    mut chosen: Vec<String>,
    missing: Vec<String>,
    help: &str,
) -> Result<Vec<String>, Unselected> {
    if !missing.is_empty() {
        return Err(Unselected::Missing(missing, help.to_string()));
    }
    chosen.sort();
    chosen.dedup();
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn model_prefers_safetensors_and_brings_tokenizer_files() {
        let available = files(&[
            ".gitattributes",
            "README.md",
            "config.json",
            "model.safetensors",
            "pytorch_model.bin",
            "tf_model.h5",
            "vocab.json",
            "merges.txt",
            "tokenizer.json",
        ]);
        let chosen = select_files(&Selection::Model { extra: vec![] }, &available).unwrap();
        assert_eq!(
            chosen,
            [
                "config.json",
                "merges.txt",
                "model.safetensors",
                "tokenizer.json",
                "vocab.json"
            ]
        );
    }

    #[test]
    fn deberta_v3_layout_gets_the_bin_and_spm_model() {
        let available = files(&[
            "config.json",
            "pytorch_model.bin",
            "spm.model",
            "tokenizer_config.json",
            "README.md",
        ]);
        let chosen = select_files(&Selection::Model { extra: vec![] }, &available).unwrap();
        assert_eq!(
            chosen,
            [
                "config.json",
                "pytorch_model.bin",
                "spm.model",
                "tokenizer_config.json"
            ]
        );
    }

    #[test]
    fn sharded_weights_come_with_their_index() {
        let available = files(&[
            "config.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "model.safetensors.index.json",
            "tokenizer.json",
        ]);
        let chosen = select_files(
            &Selection::Model {
                extra: vec!["*.md".into()],
            },
            &available,
        );
        assert_eq!(
            chosen,
            Err(Unselected::Missing(
                vec!["files matching \"*.md\"".into()],
                "a model repo needs config.json, weights and tokenizer files".into()
            ))
        );
        let chosen = select_files(&Selection::Model { extra: vec![] }, &available).unwrap();
        assert_eq!(chosen.len(), 5);
    }

    #[test]
    fn model_names_everything_missing() {
        let Err(Unselected::Missing(missing, _)) =
            select_files(&Selection::Model { extra: vec![] }, &files(&["README.md"]))
        else {
            panic!("expected missing files");
        };
        assert_eq!(missing.len(), 3);
        assert_eq!(missing[0], "config.json");
    }

    #[test]
    fn dataset_takes_tables_or_the_patterns() {
        let available = files(&[
            "README.md",
            "data/train-00000-of-00001.parquet",
            "data/test-00000-of-00001.parquet",
            "extra.csv",
        ]);
        let all = select_files(&Selection::Dataset { patterns: vec![] }, &available).unwrap();
        assert_eq!(
            all,
            [
                "data/test-00000-of-00001.parquet",
                "data/train-00000-of-00001.parquet",
                "extra.csv"
            ]
        );
        let some = select_files(
            &Selection::Dataset {
                patterns: vec!["data/*.parquet".into()],
            },
            &available,
        )
        .unwrap();
        assert_eq!(some.len(), 2);
        let bad = select_files(
            &Selection::Dataset {
                patterns: vec!["data/[".into()],
            },
            &available,
        );
        assert!(matches!(bad, Err(Unselected::BadPattern(p, _)) if p == "data/["));
    }
}
