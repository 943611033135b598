//! A `table` artifact: a directory with `data.parquet` (or `data.jsonl`) and `table.json`
//! (where the rows came from, for diagnostics).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::TableError;
use super::table::{RowOrigin, Table};

/// The data file of a table artifact.
pub const TABLE_FILE: &str = "data.parquet";
/// The JSON-lines alternative of [`TABLE_FILE`], read when present instead.
pub const TABLE_JSONL_FILE: &str = "data.jsonl";
/// The description file of a table artifact.
pub const TABLE_META_FILE: &str = "table.json";

/// `table.json`: what a table artifact holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableMeta {
    /// Where the rows came from (shown in diagnostics instead of the cache path).
    pub source: String,
    /// Number of rows.
    pub rows: usize,
    /// Column names in order.
    pub columns: Vec<String>,
    /// Where the rows were in the files read (for diagnostics that name the user's row),
    /// when the table is not simply the file `source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<RowOrigin>,
}

/// Writes `table` into `dir` as [`TABLE_FILE`] plus [`TABLE_META_FILE`].
pub fn write_table_artifact(table: &Table, dir: &Path) -> Result<(), TableError> {
    std::fs::create_dir_all(dir).map_err(|e| TableError::write(dir, e))?;
    table.write(&dir.join(TABLE_FILE))?;
    let meta = TableMeta {
        source: table.source().to_string(),
        rows: table.num_rows(),
        columns: table.column_names().iter().map(|c| c.to_string()).collect(),
        origin: table.origin().cloned(),
    };
    let path = dir.join(TABLE_META_FILE);
    let text =
        serde_json::to_string_pretty(&meta).map_err(|e| TableError::write(&path, e.into()))?;
    std::fs::write(&path, text).map_err(|e| TableError::write(&path, e))
}

/// Reads a table artifact directory; the table's source is the one recorded in `table.json`.
pub fn read_table_artifact(dir: &Path) -> Result<Table, TableError> {
    let jsonl = dir.join(TABLE_JSONL_FILE);
    let data = if jsonl.is_file() {
        jsonl
    } else {
        dir.join(TABLE_FILE)
    };
    let table = Table::read(&data)?;
    let meta_path = dir.join(TABLE_META_FILE);
    match crate::files::read_capped_string(&meta_path, crate::files::MAX_META_BYTES) {
        Ok(text) => {
            let meta: TableMeta =
                serde_json::from_str(&text).map_err(|e| TableError::Malformed {
                    path: meta_path.clone(),
                    row: None,
                    format: "JSON",
                    message: e.to_string(),
                })?;
            Ok(table.with_source(meta.source).with_origin(meta.origin))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(table),
        Err(e) => Err(TableError::read(&meta_path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Cell, Column};

    #[test]
    fn round_trips_with_its_source() {
        let tmp = tempfile::tempdir().unwrap();
        let table = Table::new(
            "datasets/org/x@abc: data/train.parquet",
            vec![Column {
                name: "a".into(),
                cells: vec![Cell::Int(1)],
            }],
        );
        write_table_artifact(&table, tmp.path()).unwrap();
        let back = read_table_artifact(tmp.path()).unwrap();
        assert_eq!(back, table);
        assert!(tmp.path().join("data.parquet").is_file());
    }
}
