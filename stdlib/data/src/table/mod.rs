//! One in-memory table type for parquet, CSV and JSONL files.

mod artifact;
mod cell;
mod csv_io;
mod error;
mod format;
mod header;
mod jsonl_io;
mod parquet_io;
#[allow(clippy::module_inception)]
mod table;

pub use artifact::{
    TABLE_FILE, TABLE_JSONL_FILE, TABLE_META_FILE, TableMeta, read_table_artifact,
    write_table_artifact,
};
pub use cell::Cell;
pub use error::TableError;
pub use format::TableFormat;
pub use header::{MAX_HEADER_BYTES, read_column_names};
pub use table::{Column, OriginFile, RowOrigin, Table};
