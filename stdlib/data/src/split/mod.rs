//! The stratified train/validation split, bit-for-bit the one scikit-learn's
//! `train_test_split(rows, test_size=f, stratify=y, random_state=seed)` returns.

mod error;
mod mt19937;
mod numpy_random;
mod stratified;

pub use error::SplitError;
pub use stratified::{Split, split_sizes, stratified_split};
