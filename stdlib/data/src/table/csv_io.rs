use std::path::Path;

use super::cell::Cell;
use super::error::TableError;
use super::table::{Column, Table};

fn malformed(path: &Path, row: Option<usize>, err: impl std::fmt::Display) -> TableError {
    TableError::Malformed {
        path: path.to_path_buf(),
        row,
        format: "CSV",
        message: err.to_string(),
    }
}

/// Reads a CSV file with a header row; every cell is text (CSV has no types or nulls).
pub(crate) fn read(path: &Path) -> Result<Table, TableError> {
    let file = crate::files::open_capped(path, crate::files::MAX_TABLE_BYTES)
        .map_err(|e| TableError::read(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::BufReader::new(file));
    let headers = reader
        .headers()
        .map_err(|e| io_or_malformed(path, e))?
        .clone();
    let mut columns: Vec<Column> = headers
        .iter()
        .map(|h| Column {
            name: h.trim_start_matches('\u{feff}').to_string(),
            cells: Vec::new(),
        })
        .collect();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Io(_) => io_or_malformed(path, e),
            _ => malformed(path, Some(index + 1), e),
        })?;
        if record.len() != columns.len() {
            let message = format!(
                "{} fields where the header has {}",
                record.len(),
                columns.len()
            );
            return Err(malformed(path, Some(index + 1), message));
        }
        for (column, value) in columns.iter_mut().zip(record.iter()) {
            column.cells.push(Cell::Str(value.to_string()));
        }
    }
    Ok(Table::new(path.display().to_string(), columns))
}

fn io_or_malformed(path: &Path, err: csv::Error) -> TableError {
    if err.is_io_error()
        && let csv::ErrorKind::Io(io) = err.into_kind()
    {
        return TableError::read(path, io);
    }
    malformed(path, None, "cannot read the header")
}

/// Writes the table as CSV with a header row; nulls become empty fields.
pub(crate) fn write(table: &Table, path: &Path) -> Result<(), TableError> {
    let to_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(io) => TableError::write(path, io),
        other => malformed(path, None, format!("{other:?}")),
    };
    let mut writer = csv::Writer::from_path(path).map_err(to_err)?;
    writer.write_record(table.column_names()).map_err(to_err)?;
    for row in 0..table.num_rows() {
        let record: Vec<String> = table
            .columns()
            .iter()
            .map(|c| c.cells[row].as_text().unwrap_or_default().into_owned())
            .collect();
        writer.write_record(&record).map_err(to_err)?;
    }
    writer.flush().map_err(|e| TableError::write(path, e))
}

#[cfg(test)]
mod tests {
    use crate::table::{Cell, Column, Table};

    #[test]
    fn round_trips_quotes_newlines_and_commas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let table = Table::new(
            path.display().to_string(),
            vec![
                Column {
                    name: "q".into(),
                    cells: vec!["a, \"quoted\"\nline".into(), "plain".into()],
                },
                Column {
                    name: "n".into(),
                    cells: vec![Cell::Int(4), Cell::Null],
                },
            ],
        );
        table.write(&path).unwrap();
        let back = Table::read(&path).unwrap();
        assert_eq!(
            back.column("q").unwrap().cells,
            table.column("q").unwrap().cells
        );
        assert_eq!(
            back.column("n").unwrap().cells,
            [Cell::from("4"), Cell::from("")]
        );
    }

    #[test]
    fn a_short_record_names_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "a,b\n1,2\n3\n").unwrap();
        let err = Table::read(&path).unwrap_err();
        assert!(err.to_string().contains(", row 2: "), "{err}");
    }
}
