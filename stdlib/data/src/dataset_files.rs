//! Which split each file of a dataset repo belongs to, and reading a split's shards as one table.

use std::collections::BTreeMap;
use std::path::PathBuf;

use miette::Diagnostic;
use thiserror::Error;

use crate::table::{Table, TableError};

/// A dataset's files could not be assigned to the requested splits.
#[derive(Debug, Error, Diagnostic)]
pub enum SplitFilesError {
    /// A requested split has no file.
    #[error("no file of {source_name} belongs to split {split:?}")]
    #[diagnostic(
        code(clarity::dataset::split_without_files),
        help(
            "files: {files}; a file belongs to a split whose name is a word of its path (e.g. data/train-00000.parquet); set `splits` or `files` to match"
        )
    )]
    NoFiles {
        /// The dataset.
        source_name: String,
        /// The split.
        split: String,
        /// The dataset's table files, comma-separated.
        files: String,
    },
    /// A shard could not be read.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Table(#[from] TableError),
}

/// The words of a path: its parts split at every character that is not a letter or digit,
/// lower-cased (`data/train-00000-of-00001.parquet` -> data, train, 00000, of, 00001, parquet).
fn words(path: &str) -> Vec<String> {
    path.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Files assigned to splits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFiles<'f> {
    /// Each requested split's files, in input order.
    pub by_split: BTreeMap<String, Vec<&'f String>>,
    /// Files of no requested split.
    pub unassigned: Vec<&'f String>,
}

/// Assigns files (repo paths) to splits: a file belongs to the first split whose name is one of
/// its path's words (`validation` also matches `valid`, `val` and `dev`). With a single split,
/// every file belongs to it. Files of no split are returned separately. Every split must get at
/// least one file.
pub fn assign_split_files<'f>(
    source_name: &str,
    files: &'f [String],
    splits: &[String],
) -> Result<SplitFiles<'f>, SplitFilesError> {
    let mut assigned: BTreeMap<String, Vec<&String>> =
        splits.iter().map(|s| (s.clone(), Vec::new())).collect();
    let mut unassigned = Vec::new();
    for file in files {
        let file_words = words(file);
        let split = if splits.len() == 1 {
            splits.first()
        } else {
            splits.iter().find(|split| {
                let name = split.to_ascii_lowercase();
                let aliases: &[&str] = if name == "validation" {
                    &["validation", "valid", "val", "dev"]
                } else {
                    &[]
                };
                file_words
                    .iter()
                    .any(|w| *w == name || aliases.contains(&w.as_str()))
            })
        };
        match split.and_then(|s| assigned.get_mut(s)) {
            Some(list) => list.push(file),
            None => unassigned.push(file),
        }
    }
    if let Some((split, _)) = assigned.iter().find(|(_, f)| f.is_empty()) {
        return Err(SplitFilesError::NoFiles {
            source_name: source_name.to_string(),
            split: split.clone(),
            files: files.join(", "),
        });
    }
    Ok(SplitFiles {
        by_split: assigned,
        unassigned,
    })
}

/// Reads shards and appends them (in the given order) into one table described by `source`;
/// each shard is `(path, name)`, the name being how diagnostics about its rows name it.
pub fn read_shards(shards: &[(PathBuf, String)], source: &str) -> Result<Table, TableError> {
    let mut table: Option<Table> = None;
    for (path, name) in shards {
        let shard = Table::read(path)?.with_source(name.clone());
        match table.as_mut() {
            Some(t) => t.append(shard)?,
            None => table = Some(shard),
        }
    }
    Ok(table
        .unwrap_or_else(|| Table::new(source, Vec::new()))
        .with_source(source))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn assigns_qevasion_shards_by_path_words() {
        let files = names(&[
            "data/test-00000-of-00001.parquet",
            "data/train-00000-of-00002.parquet",
            "data/train-00001-of-00002.parquet",
            "extra/notes.csv",
        ]);
        let got = assign_split_files("q", &files, &names(&["train", "test"])).unwrap();
        assert_eq!(got.by_split["train"].len(), 2);
        assert_eq!(got.by_split["test"], [&files[0]]);
        assert_eq!(got.unassigned, [&files[3]]);
    }

    #[test]
    fn one_split_takes_everything_and_missing_splits_are_named() {
        let files = names(&["qevasion.csv"]);
        let got = assign_split_files("q", &files, &names(&["train"])).unwrap();
        assert_eq!(got.by_split["train"], [&files[0]]);
        let files = names(&["train.csv", "dev.csv"]);
        let got = assign_split_files("q", &files, &names(&["train", "validation"])).unwrap();
        assert_eq!(got.by_split["validation"], [&files[1]]);
        let err = assign_split_files("q", &files, &names(&["train", "test"])).unwrap_err();
        assert_eq!(err.to_string(), "no file of q belongs to split \"test\"");
    }
}
