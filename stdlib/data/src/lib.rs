//! Data in for clarity: Hub downloads, tables (parquet / CSV / JSONL), the CLARITY schema and
//! labels, the stratified split, a synthetic CLARITY-like dataset, and tokenizers with their
//! compact on-disk token format.
//!
//! The modules are independent of the pipeline engine: stages in `clarity-stdlib` call them.
#![warn(missing_docs)]

pub mod clarity;
pub mod dataset_files;
pub mod files;
pub mod hub;
pub mod split;
pub mod synthetic;
pub mod table;
pub mod tokenize;
