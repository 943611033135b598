//! Properties of list items: `outputs "a" "preds" kind="predictions"`.

use kdl::{KdlEntry, KdlNode};

use super::super::kdl_read::NodeReader;
use super::super::{Expr, ParamAst, Spanned};
use super::Parser;

impl Parser<'_> {
    /// `outputs "a" "preds" kind="predictions"`: a property belongs to the list item before
    /// it, and becomes the param `outputs.kind`, a list aligned with the items (`""` for an
    /// item without it; a single value when there is one item, as for the list itself).
    pub(super) fn parse_item_props(&mut self, node: &KdlNode, args: &[&KdlEntry]) -> Vec<ParamAst> {
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
}
