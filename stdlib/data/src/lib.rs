//! Data in for clarity: Hub downloads, tables (parquet / CSV / JSONL), the CLARITY schema and
//! labels, the stratified split, a synthetic CLARITY-like dataset, and tokenizers with their
//! compact on-disk token format.
//!
//! The modules are independent of the pipeline engine: stages in `clarity-stdlib` call them.
#![warn(missing_docs)]

/// The `read` and `write` constructors of an error enum whose `Io { action, path, source }`
/// variant names what failed on which file (written once for the table and tokenize errors).
macro_rules! io_error_constructors {
    ($error:ty) => {
        impl $error {
            pub(crate) fn read(path: &std::path::Path, source: std::io::Error) -> Self {
                Self::Io {
                    action: "read",
                    path: path.to_path_buf(),
                    source,
                }
            }

            pub(crate) fn write(path: &std::path::Path, source: std::io::Error) -> Self {
                Self::Io {
                    action: "write",
                    path: path.to_path_buf(),
                    source,
                }
            }
        }
    };
}

pub mod clarity;
pub mod dataset_files;
pub mod files;
pub mod hub;
pub mod split;
pub mod synthetic;
pub mod table;
pub mod tokenize;
