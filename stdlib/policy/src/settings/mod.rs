//! The settings a policy decides besides the device: numeric precision and attention path.

mod attention;
mod precision;

pub use attention::Attention;
pub use precision::Precision;
