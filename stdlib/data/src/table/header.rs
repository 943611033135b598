//! A table file's column names without its rows, for checks made before anything runs:
//! a bounded read of the CSV header line, the first JSONL object, or the parquet schema.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Take};
use std::path::Path;

use serde_json::{Map, Value};

use super::{TableError, TableFormat};

/// The most bytes read for a CSV header line or a JSONL file's first object.
pub const MAX_HEADER_BYTES: u64 = 1 << 20;

/// The column names [`Table::read`](super::Table::read) would give `path`, by extension,
/// reading at most [`MAX_HEADER_BYTES`] (parquet: the schema in its footer). JSONL columns
/// are the first object's keys. A header longer than the cap is a read error.
pub fn read_column_names(path: &Path) -> Result<Vec<String>, TableError> {
    match TableFormat::from_path(path) {
        Some(TableFormat::Csv) => csv_header(path),
        Some(TableFormat::Jsonl) => jsonl_header(path),
        Some(TableFormat::Parquet) => parquet_header(path),
        None => Err(TableError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

fn open_head(path: &Path) -> Result<Take<File>, TableError> {
    let file = crate::files::open_regular(path).map_err(|e| TableError::read(path, e))?;
    Ok(file.take(MAX_HEADER_BYTES))
}

fn too_long(path: &Path) -> TableError {
    let message = format!("no header within the first {MAX_HEADER_BYTES} bytes");
    let error = std::io::Error::new(std::io::ErrorKind::FileTooLarge, message);
    TableError::read(path, error)
}

fn malformed(path: &Path, format: &'static str, message: impl ToString) -> TableError {
    TableError::Malformed {
        path: path.to_path_buf(),
        row: None,
        format,
        message: message.to_string(),
    }
}

fn csv_header(path: &Path) -> Result<Vec<String>, TableError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::new(open_head(path)?));
    let headers = reader
        .headers()
        .map_err(|e| malformed(path, "CSV", e))?
        .clone();
    // A header cut by the cap would end at it.
    if reader.position().byte() >= MAX_HEADER_BYTES {
        return Err(too_long(path));
    }
    Ok(headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect())
}

fn jsonl_header(path: &Path) -> Result<Vec<String>, TableError> {
    let mut lines = BufReader::new(open_head(path)?);
    let mut line = String::new();
    loop {
        line.clear();
        let read = lines
            .read_line(&mut line)
            .map_err(|e| TableError::read(path, e))?;
        if read == 0 {
            return Ok(Vec::new());
        }
        if !line.ends_with('\n') && lines.get_ref().limit() == 0 {
            return Err(too_long(path));
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let object: Map<String, Value> =
        serde_json::from_str(&line).map_err(|e| malformed(path, "JSONL", e))?;
    Ok(object.keys().cloned().collect())
}

fn parquet_header(path: &Path) -> Result<Vec<String>, TableError> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = crate::files::open_regular(path).map_err(|e| TableError::read(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(|e| malformed(path, "parquet", e))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    Ok(schema
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| f.name().to_string())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{MAX_HEADER_BYTES, read_column_names};
    use crate::table::{Cell, Column, Table};

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_csv_and_jsonl_headers() {
        let dir = tempfile::tempdir().unwrap();
        let csv = write(&dir, "t.csv", "\u{feff}question,\"an,swer\"\nwhy,because\n");
        assert_eq!(read_column_names(&csv).unwrap(), ["question", "an,swer"]);
        let jsonl = write(&dir, "t.jsonl", "\n{\"q\": 1, \"a\": null}\n{\"z\": 2}\n");
        let mut names = read_column_names(&jsonl).unwrap();
        names.sort();
        assert_eq!(names, ["a", "q"]);
    }

    #[test]
    fn reads_the_parquet_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let column = |name: &str| Column {
            name: name.into(),
            cells: vec![Cell::Str("x".into())],
        };
        let table = Table::new("t", vec![column("question"), column("label")]);
        table.write(&path).unwrap();
        assert_eq!(read_column_names(&path).unwrap(), ["question", "label"]);
    }

    #[test]
    fn a_header_past_the_cap_is_an_error_not_a_cut_name() {
        let dir = tempfile::tempdir().unwrap();
        let long = "x".repeat(MAX_HEADER_BYTES as usize + 10);
        assert!(read_column_names(&write(&dir, "t.csv", &format!("a,{long}\n"))).is_err());
        let object = format!("{{\"a\": \"{long}\"}}\n");
        assert!(read_column_names(&write(&dir, "t.jsonl", &object)).is_err());
    }
}
