//! The header of the table a stage input reads, when it is known before anything runs: a
//! local `fetch-dataset` split's or a `synthetic-dataset`'s, through any `split` stages
//! (which keep every column).

use clarity_data::synthetic::COLUMNS;
use clarity_engine::BoundInput;

use super::fetch_dataset::local_header;

/// A table's column names and where they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TableHeader {
    /// Where, for messages: "the header of data/train.csv".
    pub source: String,
    /// Its column names.
    pub columns: Vec<String>,
}

/// The header of the table `input` reads; `None` when it cannot be known before running
/// (a Hub dataset, a stage that makes new tables, an unreadable file).
pub(super) fn table_header(input: &BoundInput<'_>) -> Option<TableHeader> {
    match input.kind {
        "fetch-dataset" => local_header(input),
        "synthetic-dataset" => Some(TableHeader {
            source: "the columns of synthetic-dataset".to_owned(),
            columns: COLUMNS.map(str::to_owned).to_vec(),
        }),
        "split" => table_header(&input.upstream.input("from")?),
        _ => None,
    }
}
