//! Policy libraries: the stdlib's policy files, and the ordered set of policies a pipeline
//! sees once its own files have replaced and disabled some.

mod policy_set;
mod stdlib;

pub use policy_set::PolicySet;
pub use stdlib::{STD_LIBRARY, stdlib_library_text, stdlib_policies};
