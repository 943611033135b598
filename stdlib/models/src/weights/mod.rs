//! Reading HF weight files (`model.safetensors`, `pytorch_model.bin`) into Burn modules and
//! writing HF-compatible `model.safetensors` checkpoints.

mod cast;
mod error;
mod format;
mod key_map;
mod loader;
mod reader;
mod report;
mod writer;

pub use cast::CastAdapter;
pub use error::WeightsError;
pub use format::{WeightsFormat, find_weights};
pub use key_map::{burn_to_hf, hf_to_burn};
pub use loader::{LoadPlan, load_module};
pub use reader::read_tensors;
pub use report::LoadReport;
pub use writer::save_safetensors;
