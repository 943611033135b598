//! KDL document -> [`FileAst`].
//!
//! Naming, as in `just`: `parse_*` reads a construct, `expect_*` reads something the user
//! must have written (an error when missing).

mod cache;
mod item_props;
mod resources;
mod stage;
mod sweep;
mod syntax;
mod values;

use kdl::{KdlDocument, KdlNode};
use miette::SourceSpan;

use super::kdl_read::{NodeReader, clamp, read_document};
use super::{FileAst, Item, LangError, Source, Spanned};

const ITEMS: [&str; 9] = [
    "stage", "let", "include", "use", "device", "pipeline", "sweep", "executor", "cache",
];

/// Reads a source into its syntax tree. Returns the tree of everything that could be read
/// and every error found (syntax errors stop the reading; shape errors do not).
pub fn parse_file(source: &Source) -> (FileAst, Vec<LangError>) {
    let mut parser = Parser {
        source,
        errors: Vec::new(),
    };
    let ast = match parser.parse_document() {
        Some(doc) => parser.parse_items(doc.nodes(), true),
        None => FileAst {
            name: None,
            items: Vec::new(),
        },
    };
    (ast, parser.errors)
}

struct Parser<'a> {
    source: &'a Source,
    errors: Vec<LangError>,
}

impl Parser<'_> {
    fn parse_document(&mut self) -> Option<KdlDocument> {
        match read_document(self.source.text()) {
            Ok(doc) => Some(doc),
            Err(problems) => {
                let errors = self.syntax_errors(problems);
                self.errors.extend(errors);
                None
            }
        }
    }

    fn parse_items(&mut self, nodes: &[KdlNode], top: bool) -> FileAst {
        let mut ast = FileAst {
            name: None,
            items: Vec::new(),
        };
        for node in nodes {
            if self.reject_annotation(node) {
                continue;
            }
            match node.name().value() {
                "pipeline" if top => self.parse_pipeline(node, &mut ast),
                "stage" => ast.items.extend(self.parse_stage(node).map(Item::Stage)),
                "let" => ast
                    .items
                    .extend(self.parse_let(node).into_iter().map(Item::Let)),
                "include" => ast
                    .items
                    .extend(self.expect_single_string(node).map(Item::Include)),
                "use" => ast
                    .items
                    .extend(self.expect_single_string(node).map(Item::Use)),
                "device" => ast
                    .items
                    .extend(self.expect_single_string(node).map(Item::Device)),
                "sweep" => ast.items.push(Item::Sweep(self.parse_sweep(node))),
                "executor" => ast
                    .items
                    .extend(self.parse_executor(node).map(Item::Executor)),
                "cache" => ast.items.push(Item::Cache(self.parse_cache(node))),
                other => self.unknown_item(node, other),
            }
        }
        ast
    }

    fn parse_pipeline(&mut self, node: &KdlNode, ast: &mut FileAst) {
        let inner = match node.children() {
            Some(children) => self.parse_items(children.nodes(), false),
            None => FileAst {
                name: None,
                items: Vec::new(),
            },
        };
        if ast.name.is_some() {
            let span = node.name().span();
            self.malformed(
                span,
                "a file holds one `pipeline` block",
                "second pipeline",
                "put every stage into the first `pipeline` block",
            );
            return;
        }
        ast.name = self.expect_single_string_arg(node);
        ast.items.extend(inner.items);
    }

    fn unknown_item(&mut self, node: &KdlNode, name: &str) {
        let help = crate::suggest::did_you_mean(name, ITEMS, || {
            "a pipeline holds `stage`, `let`, `include`, `use`, `device`, `sweep`, `executor` and `cache` items".into()
        });
        let (src, span) = (self.source.source_text(), node.name().span());
        self.errors.push(LangError::UnknownItem {
            name: name.to_owned(),
            src,
            span,
            help,
        });
    }

    fn expect_single_string(&mut self, node: &KdlNode) -> Option<Spanned<String>> {
        self.expect_single_string_arg(node)
    }

    fn expect_single_string_arg(&mut self, node: &KdlNode) -> Option<Spanned<String>> {
        let keyword = node.name().value();
        match node.entries() {
            [entry]
                if entry.name().is_none()
                    && (node.children().is_none() || keyword == "pipeline") =>
            {
                self.expect_string(entry)
            }
            _ => {
                let help = format!("write `{keyword} \"NAME\"`");
                self.malformed(
                    node.span(),
                    &format!("`{keyword}` takes one string"),
                    "here",
                    &help,
                );
                None
            }
        }
    }
}

impl NodeReader for Parser<'_> {
    const NAME_EXAMPLE: &'static str = "train-large";

    fn source(&self) -> &Source {
        self.source
    }

    fn malformed(&mut self, span: SourceSpan, message: &str, label: &str, help: &str) {
        self.errors.push(LangError::Malformed {
            message: message.to_owned(),
            src: self.source.source_text(),
            span: clamp(span, self.source.text().len()),
            label: label.to_owned(),
            help: help.to_owned(),
        });
    }
}
