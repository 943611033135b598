//! The policy language: a KDL file of `policy` and `disable` items -> a typed syntax tree
//! with spans, and every mistake in it as a diagnostic.

mod ast;
mod error;
mod expected;
mod kdl_text;
mod parser;
mod template;

pub use ast::{Action, Condition, FileItem, Policy, PolicyFile};
pub use error::PolicyError;
pub use expected::Expected;
pub use parser::{MAX_DEPTH, MAX_FILE_BYTES, parse_policy_file};
pub use template::Template;
