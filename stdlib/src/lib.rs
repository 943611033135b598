//! The clarity standard library: the stage kinds, the tool subcommands and the device
//! policies, over the clarity models, data and training crates.
#![warn(missing_docs)]

pub mod cli;
pub mod devices;
pub mod stages;

pub use stages::registry;
