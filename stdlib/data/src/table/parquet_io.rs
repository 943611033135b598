use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::Field;
use parquet::schema::types::Type;

use super::cell::Cell;
use super::error::TableError;
use super::table::{Column, Table};

fn malformed(path: &Path, row: Option<usize>, err: impl std::fmt::Display) -> TableError {
    TableError::Malformed {
        path: path.to_path_buf(),
        row,
        format: "parquet",
        message: err.to_string(),
    }
}

/// Reads every row of a parquet file (flat schemas; nested values become their text form).
pub(crate) fn read(path: &Path) -> Result<Table, TableError> {
    // Parquet is read at offsets from the footer, so the file must be regular and its
    // (then trustworthy) length within the cap.
    let file = crate::files::open_regular(path).map_err(|e| TableError::read(path, e))?;
    let len = file
        .metadata()
        .map_err(|e| TableError::read(path, e))?
        .len();
    if len > crate::files::MAX_TABLE_BYTES {
        return Err(TableError::read(
            path,
            std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("file larger than {} bytes", crate::files::MAX_TABLE_BYTES),
            ),
        ));
    }
    let reader = SerializedFileReader::new(file).map_err(|e| malformed(path, None, e))?;
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let mut columns: Vec<Column> = schema
        .root_schema()
        .get_fields()
        .iter()
        .map(|f| Column {
            name: f.name().to_string(),
            cells: Vec::new(),
        })
        .collect();
    let rows = reader
        .get_row_iter(None)
        .map_err(|e| malformed(path, None, e))?;
    for (index, row) in rows.enumerate() {
        let row = row.map_err(|e| malformed(path, Some(index + 1), e))?;
        for (column, (_, field)) in columns.iter_mut().zip(row.get_column_iter()) {
            column.cells.push(field_to_cell(field));
        }
    }
    Ok(Table::new(path.display().to_string(), columns))
}

fn field_to_cell(field: &Field) -> Cell {
    match field {
        Field::Null => Cell::Null,
        Field::Bool(b) => Cell::Bool(*b),
        Field::Byte(v) => Cell::Int(i64::from(*v)),
        Field::Short(v) => Cell::Int(i64::from(*v)),
        Field::Int(v) => Cell::Int(i64::from(*v)),
        Field::Long(v) => Cell::Int(*v),
        Field::UByte(v) => Cell::Int(i64::from(*v)),
        Field::UShort(v) => Cell::Int(i64::from(*v)),
        Field::UInt(v) => Cell::Int(i64::from(*v)),
        Field::ULong(v) => i64::try_from(*v).map_or_else(|_| Cell::Str(v.to_string()), Cell::Int),
        Field::Float16(v) => Cell::Float(f64::from(*v)),
        Field::Float(v) => Cell::Float(f64::from(*v)),
        Field::Double(v) => Cell::Float(*v),
        Field::Str(s) => Cell::Str(s.clone()),
        Field::Bytes(b) => Cell::Str(String::from_utf8_lossy(b.data()).into_owned()),
        other => Cell::Str(other.to_string()),
    }
}

/// The parquet type a column is written with.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bool,
    Int,
    Float,
    Text,
}

fn column_kind(column: &Column) -> Kind {
    let mut kind: Option<Kind> = None;
    for cell in &column.cells {
        let this = match cell {
            Cell::Null => continue,
            Cell::Bool(_) => Kind::Bool,
            Cell::Int(_) => Kind::Int,
            Cell::Float(_) => Kind::Float,
            Cell::Str(_) => return Kind::Text,
        };
        kind = Some(match (kind, this) {
            (None, k) => k,
            (Some(a), b) if a == b => a,
            (Some(Kind::Int), Kind::Float) | (Some(Kind::Float), Kind::Int) => Kind::Float,
            _ => return Kind::Text,
        });
    }
    kind.unwrap_or(Kind::Text)
}

fn field_type(column: &Column, kind: Kind) -> parquet::errors::Result<Type> {
    let (physical, logical) = match kind {
        Kind::Bool => (PhysicalType::BOOLEAN, None),
        Kind::Int => (PhysicalType::INT64, None),
        Kind::Float => (PhysicalType::DOUBLE, None),
        Kind::Text => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
    };
    Type::primitive_type_builder(&column.name, physical)
        .with_repetition(Repetition::OPTIONAL)
        .with_logical_type(logical)
        .build()
}

fn definition_levels(column: &Column) -> Vec<i16> {
    column
        .cells
        .iter()
        .map(|c| i16::from(!matches!(c, Cell::Null)))
        .collect()
}

/// Writes the table as one snappy-compressed row group; every column is optional and typed by
/// its cells (booleans, integers, floats, else text).
pub(crate) fn write(table: &Table, path: &Path) -> Result<(), TableError> {
    write_inner(table, path).map_err(|e| match e {
        WriteError::Io(e) => TableError::write(path, e),
        WriteError::Parquet(e) => malformed(path, None, e),
    })
}

enum WriteError {
    Io(std::io::Error),
    Parquet(parquet::errors::ParquetError),
}

impl From<parquet::errors::ParquetError> for WriteError {
    fn from(e: parquet::errors::ParquetError) -> Self {
        WriteError::Parquet(e)
    }
}

fn write_inner(table: &Table, path: &Path) -> Result<(), WriteError> {
    let kinds: Vec<Kind> = table.columns().iter().map(column_kind).collect();
    let fields = table
        .columns()
        .iter()
        .zip(&kinds)
        .map(|(c, &k)| field_type(c, k).map(Arc::new))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?,
    );
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let file = File::create(path).map_err(WriteError::Io)?;
    let mut writer = SerializedFileWriter::new(file, schema, props)?;
    let mut group = writer.next_row_group()?;
    for (column, kind) in table.columns().iter().zip(kinds) {
        let Some(mut out) = group.next_column()? else {
            break;
        };
        let defs = definition_levels(column);
        let present = column.cells.iter().filter(|c| !matches!(c, Cell::Null));
        match kind {
            Kind::Bool => {
                let values: Vec<bool> = present.map(|c| matches!(c, Cell::Bool(true))).collect();
                out.typed::<BoolType>()
                    .write_batch(&values, Some(&defs), None)?;
            }
            Kind::Int => {
                let values: Vec<i64> = present
                    .map(|c| if let Cell::Int(i) = c { *i } else { 0 })
                    .collect();
                out.typed::<Int64Type>()
                    .write_batch(&values, Some(&defs), None)?;
            }
            Kind::Float => {
                let values: Vec<f64> = present
                    .map(|c| match c {
                        Cell::Float(f) => *f,
                        Cell::Int(i) => *i as f64,
                        _ => 0.0,
                    })
                    .collect();
                out.typed::<DoubleType>()
                    .write_batch(&values, Some(&defs), None)?;
            }
            Kind::Text => {
                let values: Vec<ByteArray> = present
                    .map(|c| ByteArray::from(c.as_text().unwrap_or_default().as_bytes()))
                    .collect();
                out.typed::<ByteArrayType>()
                    .write_batch(&values, Some(&defs), None)?;
            }
        }
        out.close()?;
    }
    group.close()?;
    writer.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::table::{Cell, Column, Table};

    #[test]
    fn round_trips_typed_and_null_cells() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        let table = Table::new(
            path.display().to_string(),
            vec![
                Column {
                    name: "text".into(),
                    cells: vec!["héllo".into(), Cell::Null, "".into()],
                },
                Column {
                    name: "n".into(),
                    cells: vec![Cell::Int(-3), Cell::Int(7), Cell::Null],
                },
                Column {
                    name: "x".into(),
                    cells: vec![Cell::Float(0.5), Cell::Int(2), Cell::Null],
                },
                Column {
                    name: "b".into(),
                    cells: vec![Cell::Bool(true), Cell::Null, Cell::Bool(false)],
                },
                Column {
                    name: "gpt3.5_summary".into(),
                    cells: vec![Cell::Null, Cell::Null, Cell::Null],
                },
            ],
        );
        table.write(&path).unwrap();
        let back = Table::read(&path).unwrap();
        assert_eq!(
            back.column_names(),
            ["text", "n", "x", "b", "gpt3.5_summary"]
        );
        assert_eq!(
            back.column("text").unwrap().cells,
            table.column("text").unwrap().cells
        );
        assert_eq!(
            back.column("n").unwrap().cells,
            table.column("n").unwrap().cells
        );
        assert_eq!(
            back.column("x").unwrap().cells,
            [Cell::Float(0.5), Cell::Float(2.0), Cell::Null]
        );
        assert_eq!(
            back.column("b").unwrap().cells,
            table.column("b").unwrap().cells
        );
        assert_eq!(
            back.column("gpt3.5_summary").unwrap().cells,
            [Cell::Null, Cell::Null, Cell::Null]
        );
    }

    #[test]
    fn a_file_that_is_not_parquet_is_a_diagnostic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.parquet");
        std::fs::write(&path, b"not parquet at all").unwrap();
        let err = Table::read(&path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("{}: ", path.display())),
            "{err}"
        );
    }
}
