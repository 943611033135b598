//! KDL document -> [`PolicyFile`].
//!
//! Naming, as in the engine's parser: `parse_*` reads a construct, `expect_*` reads
//! something the author must have written (an error when it is missing or wrong).

mod actions;
mod conditions;

use std::collections::BTreeMap;

use clarity_device::{Attention, DeviceName, Precision};
use clarity_engine::lang::kdl_read::{
    KdlProblem, MAX_DEPTH, MAX_FILE_BYTES, NodeReader, clamp, is_name, read_document, value_span,
};
use clarity_engine::lang::{Source, Spanned};
use clarity_engine::suggest::did_you_mean;
use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::template::TemplateError;
use super::{Action, Condition, Expected, FileItem, Policy, PolicyError, PolicyFile, Template};
use crate::facts::{FACTS, FactSpec, FactType, fact_spec, suggest_fact};

const ITEMS: [&str; 2] = ["policy", "disable"];
const FIELDS: [&str; 9] = [
    "doc",
    "when",
    "unless",
    "device",
    "precision",
    "attention",
    "env",
    "warn",
    "refuse",
];
const POLICY_SHAPE: &str = "write `policy \"NAME\" { when { FACT \"VALUE\" } ACTION \"VALUE\" }`";

/// Reads a policy file. Returns everything that could be read and every error found
/// (a syntax error stops the reading; the others do not).
pub fn parse_policy_file(source: &Source) -> (PolicyFile, Vec<PolicyError>) {
    let mut parser = Parser {
        source,
        errors: Vec::new(),
    };
    let items = match read_document(source.text()) {
        Ok(doc) => parser.parse_items(&doc),
        Err(problems) => {
            parser.errors = problems.into_iter().map(|p| problem(source, p)).collect();
            Vec::new()
        }
    };
    (
        PolicyFile {
            source: source.clone(),
            items,
        },
        parser.errors,
    )
}

struct Parser<'a> {
    source: &'a Source,
    errors: Vec<PolicyError>,
}

/// The parts of one policy as they are read.
#[derive(Default)]
struct Body {
    doc: Option<String>,
    when: Vec<Condition>,
    unless: Vec<Condition>,
    actions: Vec<Spanned<Action>>,
    seen: BTreeMap<String, SourceSpan>,
}

impl Parser<'_> {
    fn parse_items(&mut self, doc: &KdlDocument) -> Vec<FileItem> {
        let mut items = Vec::new();
        let mut names: BTreeMap<String, SourceSpan> = BTreeMap::new();
        for node in doc.nodes() {
            if self.reject_annotation(node) {
                continue;
            }
            match node.name().value() {
                "policy" => {
                    let Some(policy) = self.parse_policy(node) else {
                        continue;
                    };
                    if let Some(first) = names.get(&policy.name.value) {
                        let help = format!(
                            "the first is on line {}; a policy replaces one of the same name only from a later file",
                            self.line(first.offset())
                        );
                        self.duplicate(
                            format!("policy `{}`", policy.name.value),
                            policy.name.span.range,
                            help,
                        );
                        continue;
                    }
                    names.insert(policy.name.value.clone(), policy.name.span.range);
                    items.push(FileItem::Policy(policy));
                }
                "disable" => {
                    items.extend(self.parse_disable(node).into_iter().map(FileItem::Disable))
                }
                other => self.unknown_item(node, other),
            }
        }
        items
    }

    fn unknown_item(&mut self, node: &KdlNode, name: &str) {
        let help = did_you_mean(name, ITEMS, || {
            "a policy file holds `policy \"NAME\" { .. }` and `disable \"NAME\"` items".to_owned()
        });
        let (src, span) = (self.source.source_text(), node.name().span());
        self.errors.push(PolicyError::UnknownItem {
            name: name.to_owned(),
            src,
            span,
            help,
        });
    }

    fn parse_disable(&mut self, node: &KdlNode) -> Vec<Spanned<String>> {
        if node.entries().is_empty()
            || node.entries().iter().any(|e| e.name().is_some())
            || node.children().is_some()
        {
            let help = "write `disable \"NAME\"` (several names may follow)";
            self.malformed(node.span(), "`disable` takes policy names", "here", help);
            return Vec::new();
        }
        node.entries()
            .iter()
            .filter_map(|e| self.expect_pattern(e))
            .collect()
    }

    /// A policy name in which `*` matches any run of characters.
    fn expect_pattern(&mut self, entry: &KdlEntry) -> Option<Spanned<String>> {
        let name = self.expect_string(entry)?;
        if is_name(&name.value.replace('*', "x")) {
            return Some(name);
        }
        let help = "use letters, digits, `-`, `_` and `*` (any run of characters)";
        self.malformed(
            name.span.range,
            &format!("`{}` is not a valid policy name", name.value),
            "invalid name",
            help,
        );
        None
    }

    fn parse_policy(&mut self, node: &KdlNode) -> Option<Policy> {
        let [entry] = node.entries() else {
            self.malformed(
                node.name().span(),
                "a policy needs one name",
                "this policy",
                POLICY_SHAPE,
            );
            return None;
        };
        if entry.name().is_some() {
            self.malformed(
                entry.span(),
                "a policy takes no `key=value` settings",
                "here",
                POLICY_SHAPE,
            );
            return None;
        }
        let name = self.expect_name(entry)?;
        let Some(children) = node.children() else {
            let message = format!("policy `{}` has no body", name.value);
            self.malformed(node.span(), &message, "no `{ }` block", POLICY_SHAPE);
            return None;
        };
        let errors_before = self.errors.len();
        let mut body = Body::default();
        for child in children.nodes() {
            if !self.reject_annotation(child) {
                self.parse_field(child, &name.value, &mut body);
            }
        }
        if body.actions.is_empty() && self.errors.len() == errors_before {
            let (src, span) = (self.source.source_text(), name.span.range);
            self.errors.push(PolicyError::NoAction {
                name: name.value.clone(),
                src,
                span,
            });
        }
        self.check_refuse_alone(&body);
        let Body {
            doc,
            when,
            unless,
            actions,
            ..
        } = body;
        Some(Policy {
            name,
            doc,
            when,
            unless,
            actions,
            span: self.span(node.span()),
        })
    }

    fn parse_field(&mut self, node: &KdlNode, policy: &str, body: &mut Body) {
        let field = node.name().value();
        if !FIELDS.contains(&field) {
            let help = did_you_mean(field, FIELDS, || {
                "a policy holds `doc`, `when`, `unless` and the actions `device`, `precision`, `attention`, `env`, `warn`, `refuse`".to_owned()
            });
            let (src, span) = (self.source.source_text(), node.name().span());
            let (name, policy) = (field.to_owned(), policy.to_owned());
            self.errors.push(PolicyError::UnknownAction {
                name,
                policy,
                src,
                span,
                help,
            });
            return;
        }
        let key = match (field, node.entries().first().map(KdlEntry::value)) {
            ("env", Some(KdlValue::String(var))) => format!("`env \"{var}\"`"),
            _ => format!("`{field}`"),
        };
        if let Some(first) = body.seen.get(&key) {
            let help = format!(
                "a policy gives each once; the first is on line {}",
                self.line(first.offset())
            );
            self.duplicate(
                format!("{key} in policy `{policy}`"),
                node.name().span(),
                help,
            );
            return;
        }
        body.seen.insert(key, node.name().span());
        let span = self.span(node.span());
        match field {
            "doc" => {
                body.doc = self
                    .expect_one_string(node, "write `doc \"what the policy is for\"`")
                    .map(|s| s.value)
            }
            "when" => body.when = self.parse_conditions(node),
            "unless" => body.unless = self.parse_conditions(node),
            _ => {
                if let Some(action) = self.parse_action(node, field) {
                    body.actions.push(Spanned::new(action, span));
                }
            }
        }
    }

    fn expect_one_string(&mut self, node: &KdlNode, help: &str) -> Option<Spanned<String>> {
        match node.entries() {
            [entry] if entry.name().is_none() && node.children().is_none() => {
                self.expect_string(entry)
            }
            _ => {
                let message = format!("`{}` takes one string", node.name().value());
                self.malformed(node.span(), &message, "here", help);
                None
            }
        }
    }

    fn bad_value(&mut self, span: SourceSpan, message: String, label: &str, help: String) {
        let (src, span) = (self.source.source_text(), clamp(span, self.len()));
        self.errors.push(PolicyError::BadValue {
            message,
            src,
            span,
            label: label.to_owned(),
            help,
        });
    }

    fn duplicate(&mut self, what: String, span: SourceSpan, help: String) {
        let (src, span) = (self.source.source_text(), clamp(span, self.len()));
        self.errors.push(PolicyError::Duplicate {
            what,
            src,
            span,
            help,
        });
    }

    fn line(&self, offset: usize) -> usize {
        self.source.text()[..offset.min(self.len())]
            .matches('\n')
            .count()
            + 1
    }

    fn len(&self) -> usize {
        self.source.text().len()
    }
}

impl NodeReader for Parser<'_> {
    const NAME_WHAT: &'static str = "policy name";
    const NAME_EXAMPLE: &'static str = "deberta-v3-large-on-metal";

    fn source(&self) -> &Source {
        self.source
    }

    fn malformed(&mut self, span: SourceSpan, message: &str, label: &str, help: &str) {
        self.errors.push(PolicyError::Malformed {
            message: message.to_owned(),
            src: self.source.source_text(),
            span: clamp(span, self.len()),
            label: label.to_owned(),
            help: help.to_owned(),
        });
    }
}

/// A KDL problem as a policy diagnostic.
fn problem(source: &Source, problem: KdlProblem) -> PolicyError {
    match problem {
        KdlProblem::TooLarge { size } => PolicyError::TooLarge {
            name: source.name().to_owned(),
            size,
            limit: MAX_FILE_BYTES,
        },
        KdlProblem::TooDeep { span } => PolicyError::TooDeep {
            src: source.source_text(),
            span,
            limit: MAX_DEPTH,
        },
        KdlProblem::Syntax {
            message,
            span,
            label,
            help,
        } => PolicyError::Syntax {
            message,
            src: source.source_text(),
            span,
            label,
            help,
        },
    }
}

fn fact_help(name: &str) -> String {
    if name.starts_with("env.") {
        return "an environment variable fact is `env.NAME`, NAME of letters, digits and `_`"
            .to_owned();
    }
    clarity_engine::suggest::help(suggest_fact(name), || {
        let names: Vec<&str> = FACTS.iter().map(|f| f.name).collect();
        format!("the facts are {}, and env.NAME", names.join(", "))
    })
}

fn choice_help(value: &str, choices: &[&str]) -> String {
    let listed = choices.join(", ");
    match clarity_engine::suggest::closest(&value.to_ascii_lowercase(), choices.iter().copied()) {
        Some(best) => format!("did you mean \"{best}\"? (one of {listed})"),
        None => format!("use one of {listed}"),
    }
}
