//! The CLARITY task: its labels (with a fixed class-index order), the evasion -> clarity mapping,
//! label normalisation, and the dataset schema.

mod error;
mod evasion_set;
mod label_key;
mod labels;
mod schema;

pub use error::SchemaError;
pub use evasion_set::EvasionSet;
pub use labels::{ClarityLabel, EvasionLabel};
pub use schema::{
    ClarityColumns, ExampleLabels, LabelReader, example_ids, require_columns, require_text,
};
