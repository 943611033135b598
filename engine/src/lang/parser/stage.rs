//! Stages: name and kind, params as properties or child nodes, `foreach`.

use kdl::{KdlDocument, KdlEntry, KdlNode};

use super::super::kdl_read::{NodeReader, value_span};
use super::super::{Expr, ForEach, ParamAst, Spanned, StageDecl};
use super::Parser;
use super::values::join;

impl Parser<'_> {
    pub(super) fn parse_stage(&mut self, node: &KdlNode) -> Option<StageDecl> {
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

    pub(super) fn parse_stage_child(&mut self, node: &KdlNode, decl: &mut StageDecl) {
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
        if super::resources::is_resources(node) {
            decl.params.extend(self.parse_resources_block(node));
            return;
        }
        decl.params.extend(self.parse_param_node(node));
    }

    pub(super) fn parse_foreach(&mut self, node: &KdlNode) -> Option<ForEach> {
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

    pub(super) fn parse_param_node(&mut self, node: &KdlNode) -> Vec<ParamAst> {
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

    pub(super) fn parse_args_param(
        &mut self,
        node: &KdlNode,
        args: &[&KdlEntry],
    ) -> Option<ParamAst> {
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

    pub(super) fn parse_prop(&mut self, entry: &KdlEntry, group: Option<&str>) -> Option<ParamAst> {
        let key = entry.name()?;
        let full = match group {
            Some(group) => format!("{group}.{}", key.value()),
            None => key.value().to_owned(),
        };
        let name = Spanned::new(full, self.span(key.span()));
        let value = self.parse_value(entry)?;
        Some(ParamAst { name, value })
    }
}
