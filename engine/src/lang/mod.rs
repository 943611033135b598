//! The pipeline language's front end: source text -> KDL document (the `kdl` crate's lexer
//! and parser) -> typed syntax tree with spans ([`FileAst`]).

mod ast;
mod error;
mod habits;
pub mod kdl_read;
mod parser;
mod source;
mod text;

pub use ast::{
    CacheSettings, ExecutorDecl, Expr, FileAst, ForEach, Item, LetDecl, ParamAst, StageDecl,
    SweepAxis, file_remote,
};
pub use error::LangError;
pub use kdl_read::{MAX_DEPTH, MAX_FILE_BYTES, is_name};
pub use parser::parse_file;
pub use source::{Source, Span, Spanned};
pub use text::SourceText;
