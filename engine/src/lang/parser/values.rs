//! Values, and `let`, which binds names to them.

use kdl::{KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::super::kdl_read::{NodeReader, is_name, value_span};
use super::super::{Expr, LetDecl, ParamAst, Spanned};
use super::Parser;

impl Parser<'_> {
    pub(super) fn parse_let(&mut self, node: &KdlNode) -> Vec<LetDecl> {
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

    pub(super) fn parse_value(&mut self, entry: &KdlEntry) -> Option<Spanned<Expr>> {
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

    pub(super) fn bad_value(
        &mut self,
        span: SourceSpan,
        message: &str,
        help: &str,
    ) -> Option<Spanned<Expr>> {
        self.malformed(span, message, "this value", help);
        None
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

pub(super) fn join(a: SourceSpan, b: SourceSpan) -> SourceSpan {
    let end = (b.offset() + b.len()).max(a.offset() + a.len());
    SourceSpan::from((a.offset(), end - a.offset()))
}
