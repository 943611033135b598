use std::path::Path;

use serde::{Deserialize, Serialize};

use super::cell::Cell;
use super::error::TableError;
use super::format::TableFormat;

/// A named column of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// One cell per row.
    pub cells: Vec<Cell>,
}

/// A table: named columns of equal length, and the name of the file it came from (used in
/// diagnostics). Rows are numbered from 1 in messages, header excluded.
///
/// A table made of other tables' rows (a split side, shards appended) remembers where each
/// row was in the files read, so that a diagnostic names the file and row the user can open
/// ([`Table::location`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    source: String,
    columns: Vec<Column>,
    origin: Option<RowOrigin>,
}

/// Where the rows of a table were in the files they were read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowOrigin {
    /// The files, in order, with their row counts: their rows one after the other make the
    /// rows `rows` counts in.
    pub files: Vec<OriginFile>,
    /// For each row of the table, its 0-based row among the files' rows; absent when the
    /// table's rows are exactly those rows, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<u64>>,
}

/// A file some of a table's rows were read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginFile {
    /// The file as diagnostics name it.
    pub name: String,
    /// Its number of rows.
    pub rows: u64,
}

impl RowOrigin {
    /// The 0-based row among the files' rows of row `row` of the table.
    fn base_row(&self, row: usize) -> u64 {
        match &self.rows {
            Some(rows) => rows.get(row).copied().unwrap_or(row as u64),
            None => row as u64,
        }
    }

    fn total_rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// The file and 1-based row of row `row` of the table.
    fn locate(&self, row: usize) -> Option<(String, usize)> {
        let mut at = self.base_row(row);
        for file in &self.files {
            if at < file.rows {
                return Some((file.name.clone(), at as usize + 1));
            }
            at -= file.rows;
        }
        None
    }
}

impl Table {
    /// A table from columns; all must have the same length (true of every reader here).
    pub fn new(source: impl Into<String>, columns: Vec<Column>) -> Self {
        debug_assert!(
            columns
                .windows(2)
                .all(|w| w[0].cells.len() == w[1].cells.len())
        );
        Self {
            source: source.into(),
            columns,
            origin: None,
        }
    }

    /// Reads a parquet, CSV or JSONL file, by extension.
    pub fn read(path: &Path) -> Result<Self, TableError> {
        match TableFormat::from_path(path) {
            Some(TableFormat::Parquet) => super::parquet_io::read(path),
            Some(TableFormat::Csv) => super::csv_io::read(path),
            Some(TableFormat::Jsonl) => super::jsonl_io::read(path),
            None => Err(TableError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// Writes the table as parquet, CSV or JSONL, by extension.
    pub fn write(&self, path: &Path) -> Result<(), TableError> {
        match TableFormat::from_path(path) {
            Some(TableFormat::Parquet) => super::parquet_io::write(self, path),
            Some(TableFormat::Csv) => super::csv_io::write(self, path),
            Some(TableFormat::Jsonl) => super::jsonl_io::write(self, path),
            None => Err(TableError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// The file this table was read from (or a description of where it came from).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renames the source shown in diagnostics.
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }

    /// Where the rows came from, when the table is not simply the file [`Table::source`].
    pub fn origin(&self) -> Option<&RowOrigin> {
        self.origin.as_ref()
    }

    /// Sets where the rows came from (as recorded by [`Table::origin`]); an origin that does
    /// not describe this many rows is ignored.
    pub fn with_origin(mut self, origin: Option<RowOrigin>) -> Self {
        let fits = |o: &RowOrigin| match &o.rows {
            Some(rows) => rows.len() == self.num_rows(),
            None => o.total_rows() == self.num_rows() as u64,
        };
        self.origin = origin.filter(fits);
        self
    }

    /// The file and the 1-based row (header excluded) that row `row` (0-based) of this table
    /// was read from: for a split side or appended shards, the row in the user's file, not
    /// in this table.
    pub fn location(&self, row: usize) -> (String, usize) {
        self.origin
            .as_ref()
            .and_then(|o| o.locate(row))
            .unwrap_or_else(|| (self.source.clone(), row + 1))
    }

    /// This table's rows as an origin: its own, or the file itself.
    fn origin_or_self(&self) -> RowOrigin {
        self.origin.clone().unwrap_or_else(|| RowOrigin {
            files: vec![OriginFile {
                name: self.source.clone(),
                rows: self.num_rows() as u64,
            }],
            rows: None,
        })
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.cells.len())
    }

    /// The columns in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column names in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column called `name`, or a diagnostic naming the file and the columns it has.
    pub fn require_column(&self, name: &str) -> Result<&Column, TableError> {
        self.column(name).ok_or_else(|| TableError::MissingColumn {
            source_name: self.source.clone(),
            column: name.to_string(),
            available: self.column_names().join(", "),
        })
    }

    /// A new table with the given rows, in the given order.
    pub fn take_rows(&self, rows: &[usize]) -> Table {
        let columns = self
            .columns
            .iter()
            .map(|c| Column {
                name: c.name.clone(),
                cells: rows.iter().map(|&r| c.cells[r].clone()).collect(),
            })
            .collect();
        let base = self.origin_or_self();
        let origin = RowOrigin {
            rows: Some(rows.iter().map(|&r| base.base_row(r)).collect()),
            files: base.files,
        };
        Table {
            source: self.source.clone(),
            columns,
            origin: Some(origin),
        }
    }

    /// Appends another table's rows; both must have the same column names in the same order.
    pub fn append(&mut self, other: Table) -> Result<(), TableError> {
        if self.column_names() != other.column_names() {
            return Err(TableError::ColumnMismatch {
                first: self.source.clone(),
                second: other.source,
            });
        }
        let (mine, theirs) = (self.origin_or_self(), other.origin_or_self());
        let rows = if mine.rows.is_none() && theirs.rows.is_none() {
            None
        } else {
            let offset = mine.total_rows();
            let own = (0..self.num_rows()).map(|r| mine.base_row(r));
            let appended = (0..other.num_rows()).map(|r| theirs.base_row(r) + offset);
            Some(own.chain(appended).collect())
        };
        let mut files = mine.files;
        files.extend(theirs.files);
        self.origin = Some(RowOrigin { files, rows });
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            mine.cells.extend(theirs.cells);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Cell, Column, Table};

    fn sample() -> Table {
        Table::new(
            "t.csv",
            vec![
                Column {
                    name: "a".into(),
                    cells: vec![Cell::Int(1), Cell::Int(2), Cell::Int(3)],
                },
                Column {
                    name: "b".into(),
                    cells: vec!["x".into(), Cell::Null, "z".into()],
                },
            ],
        )
    }

    #[test]
    fn takes_rows_in_the_given_order() {
        let t = sample().take_rows(&[2, 0]);
        assert_eq!(t.num_rows(), 2);
        assert_eq!(t.column("a").unwrap().cells, [Cell::Int(3), Cell::Int(1)]);
        assert_eq!(
            t.column("b").unwrap().cells,
            [Cell::from("z"), Cell::from("x")]
        );
    }

    #[test]
    fn missing_column_names_the_file_and_the_columns() {
        let err = sample().require_column("c").unwrap_err();
        assert_eq!(err.to_string(), "t.csv: missing column `c`");
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert_eq!(help, "the columns are: a, b");
    }

    #[test]
    fn rows_are_located_in_the_files_they_came_from() {
        let mut shards = sample().with_source("a.csv");
        shards.append(sample().with_source("b.csv")).unwrap();
        assert_eq!(shards.location(4), ("b.csv".to_string(), 2));
        let side = shards
            .with_source("a.csv + b.csv")
            .take_rows(&[5, 1])
            .take_rows(&[1, 0]);
        assert_eq!(side.location(0), ("a.csv".to_string(), 2));
        assert_eq!(side.location(1), ("b.csv".to_string(), 3));
        assert_eq!(sample().location(2), ("t.csv".to_string(), 3));
    }

    #[test]
    fn appends_only_matching_columns() {
        let mut t = sample();
        t.append(sample()).unwrap();
        assert_eq!(t.num_rows(), 6);
        let other = Table::new(
            "u.csv",
            vec![Column {
                name: "a".into(),
                cells: vec![],
            }],
        );
        assert!(t.append(other).is_err());
    }
}
