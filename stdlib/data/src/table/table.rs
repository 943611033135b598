use std::path::Path;

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
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    source: String,
    columns: Vec<Column>,
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
        Table {
            source: self.source.clone(),
            columns,
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
