//! KDL document -> [`FileAst`].
//!
//! Naming, as in `just`: `parse_*` reads a construct, `expect_*` reads something the user
//! must have written (an error when missing).

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::kdl_read::{
    KdlProblem, MAX_DEPTH, MAX_FILE_BYTES, NodeReader, clamp, is_name, read_document, value_span,
};
use super::{
    Expr, FileAst, ForEach, Item, LangError, LetDecl, ParamAst, Source, Spanned, StageDecl,
};

const ITEMS: [&str; 6] = ["stage", "let", "include", "use", "device", "pipeline"];

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
                let errors = problems.into_iter().map(|p| self.problem(p));
                self.errors.extend(errors.collect::<Vec<_>>());
                None
            }
        }
    }

    fn problem(&self, problem: KdlProblem) -> LangError {
        match problem {
            KdlProblem::TooLarge { size } => LangError::TooLarge {
                name: self.source.name().to_owned(),
                size,
                limit: MAX_FILE_BYTES,
            },
            KdlProblem::TooDeep { span } => LangError::TooDeep {
                src: self.source.source_text(),
                span,
                limit: MAX_DEPTH,
            },
            KdlProblem::Syntax {
                message,
                span,
                label,
                help,
            } => LangError::Syntax {
                message,
                src: self.source.source_text(),
                span,
                label,
                help,
            },
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
        let help = match crate::suggest::closest(name, ITEMS) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "a pipeline holds `stage`, `let`, `include`, `use` and `device` items".into(),
        };
        let (src, span) = (self.source.source_text(), node.name().span());
        self.errors.push(LangError::UnknownItem {
            name: name.to_owned(),
            src,
            span,
            help,
        });
    }

    fn parse_stage(&mut self, node: &KdlNode) -> Option<StageDecl> {
        let args: Vec<&KdlEntry> = node
            .entries()
            .iter()
            .filter(|e| e.name().is_none())
            .collect();
        if let Some(extra) = args.get(2) {
            let help = "params are written `key=value`, or as child nodes: `stage \"b\" concat { inputs \"a.x\" \"a.y\" }`";
            self.malformed(
                value_span(extra),
                "unexpected value after the stage kind",
                "extra value",
                help,
            );
            return None;
        }
        let [name, kind] = args.as_slice() else {
            let help =
                "write `stage \"NAME\" KIND param=value ...`, e.g. `stage \"split\" split seed=42`";
            self.malformed(
                node.name().span(),
                "a stage needs a name and a kind",
                "this stage",
                help,
            );
            return None;
        };
        let name = self.expect_name(name)?;
        let kind = self.expect_string(kind)?;
        let mut decl = StageDecl {
            name,
            kind,
            params: Vec::new(),
            foreach: None,
            invalid: Vec::new(),
            span: self.span(node.span()),
        };
        for entry in node.entries().iter().filter(|e| e.name().is_some()) {
            let before = self.errors.len();
            decl.params.extend(self.parse_prop(entry, None));
            if self.errors.len() > before {
                decl.invalid
                    .extend(entry.name().map(|n| n.value().to_owned()));
            }
        }
        for child in node.children().map(KdlDocument::nodes).unwrap_or(&[]) {
            let before = self.errors.len();
            self.parse_stage_child(child, &mut decl);
            if self.errors.len() > before {
                decl.invalid.push(child.name().value().to_owned());
            }
        }
        Some(decl)
    }

    fn parse_stage_child(&mut self, node: &KdlNode, decl: &mut StageDecl) {
        if self.reject_annotation(node) {
            return;
        }
        if node.name().value() == "foreach" {
            if decl.foreach.is_some() {
                let help = "list every value in one `foreach`";
                self.malformed(
                    node.name().span(),
                    "a stage has at most one `foreach`",
                    "second foreach",
                    help,
                );
            } else {
                decl.foreach = self.parse_foreach(node);
            }
            return;
        }
        decl.params.extend(self.parse_param_node(node));
    }

    fn parse_foreach(&mut self, node: &KdlNode) -> Option<ForEach> {
        let help = "write `foreach \"VAR\" VALUE VALUE ...`, e.g. `foreach \"seed\" 42 123 2026`";
        let args: Vec<&KdlEntry> = node.entries().iter().collect();
        let Some((var, values)) = args.split_first().filter(|(_, v)| !v.is_empty()) else {
            self.malformed(
                node.name().span(),
                "`foreach` needs a variable and values",
                "here",
                help,
            );
            return None;
        };
        if args.iter().any(|e| e.name().is_some()) || node.children().is_some() {
            self.malformed(node.span(), "`foreach` takes only values", "here", help);
            return None;
        }
        let var = self.expect_name(var)?;
        let values = values.iter().filter_map(|e| self.parse_value(e)).collect();
        Some(ForEach {
            var,
            values,
            span: self.span(node.span()),
        })
    }

    fn parse_param_node(&mut self, node: &KdlNode) -> Vec<ParamAst> {
        let name = node.name().value();
        if node.children().is_some() {
            let help = format!("write `{name} VALUE` or `{name} key=VALUE ...` on one line");
            self.malformed(
                node.span(),
                "a param takes no `{ }` block",
                "block here",
                &help,
            );
            return Vec::new();
        }
        let (props, args): (Vec<&KdlEntry>, Vec<&KdlEntry>) =
            node.entries().iter().partition(|e| e.name().is_some());
        match (props.is_empty(), args.is_empty()) {
            (true, false) => self.parse_args_param(node, &args).into_iter().collect(),
            (false, false) if node.entries()[0].name().is_none() => {
                self.parse_item_props(node, &args)
            }
            (false, true) => props
                .iter()
                .filter_map(|p| self.parse_prop(p, Some(name)))
                .collect(),
            (empty_props, _) => {
                let message = if empty_props {
                    "has no value"
                } else {
                    "mixes values and key=value members"
                };
                let help = format!(
                    "write `{name} VALUE ...` or `{name} key=VALUE ...`; a key=value after a value belongs to that value, as in `outputs \"preds\" kind=\"predictions\"`"
                );
                self.malformed(
                    node.span(),
                    &format!("param `{name}` {message}"),
                    "here",
                    &help,
                );
                Vec::new()
            }
        }
    }

    fn parse_args_param(&mut self, node: &KdlNode, args: &[&KdlEntry]) -> Option<ParamAst> {
        let name = Spanned::new(
            node.name().value().to_owned(),
            self.span(node.name().span()),
        );
        let mut values: Vec<Spanned<Expr>> =
            args.iter().filter_map(|e| self.parse_value(e)).collect();
        if values.len() != args.len() {
            return None;
        }
        let value = match values.len() {
            1 => values.pop()?,
            _ => {
                let span = join(value_span(args[0]), value_span(args[args.len() - 1]));
                Spanned::new(Expr::List(values), self.span(span))
            }
        };
        Some(ParamAst { name, value })
    }

    /// `outputs "a" "preds" kind="predictions"`: a property belongs to the list item before
    /// it, and becomes the param `outputs.kind`, a list aligned with the items (`""` for an
    /// item without it; a single value when there is one item, as for the list itself).
    fn parse_item_props(&mut self, node: &KdlNode, args: &[&KdlEntry]) -> Vec<ParamAst> {
        let Some(list) = self.parse_args_param(node, args) else {
            return Vec::new();
        };
        let name = node.name().value();
        // Each member's name, and its value for each item (if given).
        type Member = (Spanned<String>, Vec<Option<Spanned<Expr>>>);
        let mut members: Vec<Member> = Vec::new();
        let mut item = 0;
        for entry in node.entries() {
            let Some(key) = entry.name() else {
                item += 1;
                continue;
            };
            let Some(value) = self.parse_value(entry) else {
                return Vec::new();
            };
            let full = format!("{name}.{}", key.value());
            let at = match members.iter().position(|(n, _)| n.value == full) {
                Some(at) => at,
                None => {
                    let spanned = Spanned::new(full, self.span(key.span()));
                    members.push((spanned, vec![None; args.len()]));
                    members.len() - 1
                }
            };
            members[at].1[item - 1] = Some(value);
        }
        let mut params = vec![list];
        for (member, values) in members {
            let span = member.span.clone();
            let mut items: Vec<Spanned<Expr>> = values
                .into_iter()
                .map(|v| {
                    v.unwrap_or_else(|| Spanned::new(Expr::String(String::new()), span.clone()))
                })
                .collect();
            let value = match items.len() {
                1 => items.pop().expect("one item"),
                _ => Spanned::new(Expr::List(items), span),
            };
            params.push(ParamAst {
                name: member,
                value,
            });
        }
        params
    }

    fn parse_prop(&mut self, entry: &KdlEntry, group: Option<&str>) -> Option<ParamAst> {
        let key = entry.name()?;
        let full = match group {
            Some(group) => format!("{group}.{}", key.value()),
            None => key.value().to_owned(),
        };
        let name = Spanned::new(full, self.span(key.span()));
        let value = self.parse_value(entry)?;
        Some(ParamAst { name, value })
    }

    fn parse_let(&mut self, node: &KdlNode) -> Vec<LetDecl> {
        let help = "write `let name=VALUE ...` or `let name VALUE VALUE ...` (a list)";
        let (props, args): (Vec<&KdlEntry>, Vec<&KdlEntry>) =
            node.entries().iter().partition(|e| e.name().is_some());
        if node.children().is_some() || props.is_empty() == args.is_empty() || args.len() == 1 {
            self.malformed(node.span(), "malformed `let`", "here", help);
            return Vec::new();
        }
        if !props.is_empty() {
            return props
                .iter()
                .filter_map(|p| self.parse_prop(p, None))
                .map(into_let)
                .collect();
        }
        let Some(name) = self.expect_name(args[0]) else {
            return Vec::new();
        };
        let name_node = KdlNode::new(name.value.as_str());
        let values = &args[1..];
        let mut param = self.parse_args_param(&name_node, values);
        if let Some(param) = &mut param {
            param.name = name;
            if values.len() == 1 {
                param.value = Spanned::new(
                    Expr::List(vec![param.value.clone()]),
                    param.value.span.clone(),
                );
            }
        }
        param.map(into_let).into_iter().collect()
    }

    fn parse_value(&mut self, entry: &KdlEntry) -> Option<Spanned<Expr>> {
        let span = value_span(entry);
        if entry.ty().is_some() {
            self.malformed(
                span,
                "type annotations are not supported",
                "annotated",
                "remove the `(type)` prefix",
            );
            return None;
        }
        let expr = match entry.value() {
            KdlValue::String(s) => string_expr(s),
            KdlValue::Bool(b) => Expr::Bool(*b),
            KdlValue::Integer(i) => match i64::try_from(*i) {
                Ok(i) => Expr::Int(i),
                Err(_) => {
                    return self.bad_value(
                        span,
                        "integer out of range",
                        "write an integer between -2^63 and 2^63-1",
                    );
                }
            },
            KdlValue::Float(f) if f.is_finite() => Expr::Float(*f),
            KdlValue::Float(_) => {
                return self.bad_value(span, "numbers must be finite", "write a finite number");
            }
            KdlValue::Null => {
                return self.bad_value(
                    span,
                    "`#null` is not a value",
                    "leave the param out to use its default",
                );
            }
        };
        Some(Spanned::new(expr, self.span(span)))
    }

    fn bad_value(&mut self, span: SourceSpan, message: &str, help: &str) -> Option<Spanned<Expr>> {
        self.malformed(span, message, "this value", help);
        None
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

fn into_let(param: ParamAst) -> LetDecl {
    LetDecl {
        name: param.name,
        value: param.value,
    }
}

fn string_expr(s: &str) -> Expr {
    match s.strip_prefix('$') {
        Some(var) if is_name(var) => Expr::Var(var.to_owned()),
        _ => Expr::String(s.to_owned()),
    }
}

fn join(a: SourceSpan, b: SourceSpan) -> SourceSpan {
    let end = (b.offset() + b.len()).max(a.offset() + a.len());
    SourceSpan::from((a.offset(), end - a.offset()))
}
