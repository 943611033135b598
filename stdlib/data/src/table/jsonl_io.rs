use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use serde_json::{Map, Value};

use super::cell::Cell;
use super::error::TableError;
use super::table::{Column, Table};

fn malformed(path: &Path, row: usize, err: impl std::fmt::Display) -> TableError {
    TableError::Malformed {
        path: path.to_path_buf(),
        row: Some(row),
        format: "JSONL",
        message: err.to_string(),
    }
}

/// Reads one JSON object per line (blank lines skipped). Columns appear in first-seen key order;
/// keys missing from a row are null; arrays and objects become their JSON text.
pub(crate) fn read(path: &Path) -> Result<Table, TableError> {
    let file = crate::files::open_capped(path, crate::files::MAX_TABLE_BYTES)
        .map_err(|e| TableError::read(path, e))?;
    let mut columns: Vec<Column> = Vec::new();
    let mut rows = 0usize;
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|e| TableError::read(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        rows += 1;
        let object: Map<String, Value> =
            serde_json::from_str(&line).map_err(|e| malformed(path, rows, e))?;
        for (key, value) in object {
            let position = match columns.iter().position(|c| c.name == key) {
                Some(p) => p,
                None => {
                    columns.push(Column {
                        name: key,
                        cells: vec![Cell::Null; rows - 1],
                    });
                    columns.len() - 1
                }
            };
            columns[position].cells.push(json_to_cell(value));
        }
        for column in &mut columns {
            column.cells.resize(rows, Cell::Null);
        }
    }
    Ok(Table::new(path.display().to_string(), columns))
}

fn json_to_cell(value: Value) -> Cell {
    match value {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(b),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Cell::Float(n.as_f64().unwrap_or(f64::NAN)), Cell::Int),
        Value::String(s) => Cell::Str(s),
        other => Cell::Str(other.to_string()),
    }
}

fn cell_to_json(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Bool(b) => Value::Bool(*b),
        Cell::Int(i) => Value::from(*i),
        Cell::Float(f) => Value::from(*f),
        Cell::Str(s) => Value::String(s.clone()),
    }
}

/// Writes one JSON object per row, keys in column order.
pub(crate) fn write(table: &Table, path: &Path) -> Result<(), TableError> {
    let file = std::fs::File::create(path).map_err(|e| TableError::write(path, e))?;
    let mut out = BufWriter::new(file);
    for row in 0..table.num_rows() {
        let object: Map<String, Value> = table
            .columns()
            .iter()
            .map(|c| (c.name.clone(), cell_to_json(&c.cells[row])))
            .collect();
        let line = Value::Object(object).to_string();
        writeln!(out, "{line}").map_err(|e| TableError::write(path, e))?;
    }
    out.flush().map_err(|e| TableError::write(path, e))
}

#[cfg(test)]
mod tests {
    use crate::table::{Cell, Table};

    #[test]
    fn reads_ragged_objects_into_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(
            &path,
            "{\"a\": 1, \"b\": \"x\"}\n\n{\"b\": null, \"c\": [1,2]}\n{\"a\": 2.5}\n",
        )
        .unwrap();
        let t = Table::read(&path).unwrap();
        assert_eq!(t.column_names(), ["a", "b", "c"]);
        assert_eq!(
            t.column("a").unwrap().cells,
            [Cell::Int(1), Cell::Null, Cell::Float(2.5)]
        );
        assert_eq!(
            t.column("b").unwrap().cells,
            [Cell::from("x"), Cell::Null, Cell::Null]
        );
        assert_eq!(
            t.column("c").unwrap().cells,
            [Cell::Null, Cell::from("[1,2]"), Cell::Null]
        );
        let out = dir.path().join("u.jsonl");
        t.write(&out).unwrap();
        assert_eq!(Table::read(&out).unwrap().columns(), t.columns());
    }

    #[test]
    fn a_bad_line_names_its_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, "{\"a\": 1}\n{oops}\n").unwrap();
        let err = Table::read(&path).unwrap_err();
        assert!(err.to_string().contains(", row 2: "), "{err}");
    }
}
