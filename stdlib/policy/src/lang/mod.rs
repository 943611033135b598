//! The policy language: a KDL file of `policy` and `disable` items -> a typed syntax tree
//! with spans, and every mistake in it as a diagnostic.

mod ast;
mod error;
mod expected;
mod parser;
mod template;

pub use ast::{Action, Condition, FileItem, Policy, PolicyFile};
pub use clarity_engine::lang::{MAX_DEPTH, MAX_FILE_BYTES};
pub use error::PolicyError;
pub use expected::Expected;
pub use parser::parse_policy_file;
pub use template::Template;
