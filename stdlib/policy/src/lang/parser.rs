//! KDL document -> [`PolicyFile`].
//!
//! Naming, as in the engine's parser: `parse_*` reads a construct, `expect_*` reads
//! something the author must have written (an error when it is missing or wrong).

use std::collections::BTreeMap;

use clarity_device::{Attention, DeviceName, Precision};
use clarity_engine::lang::kdl_read::{
    KdlProblem, MAX_DEPTH, MAX_FILE_BYTES, NodeReader, clamp, is_name, read_document, value_span,
};
use clarity_engine::lang::{Source, Spanned};
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
        let help = match clarity_engine::suggest::closest(name, ITEMS) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "a policy file holds `policy \"NAME\" { .. }` and `disable \"NAME\"` items"
                .to_owned(),
        };
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
            let help = match clarity_engine::suggest::closest(field, FIELDS) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "a policy holds `doc`, `when`, `unless` and the actions `device`, `precision`, `attention`, `env`, `warn`, `refuse`".to_owned(),
            };
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

    fn parse_action(&mut self, node: &KdlNode, field: &str) -> Option<Action> {
        match field {
            "device" => self.parse_device(node).map(Action::Device),
            "precision" => self.parse_precision(node).map(Action::Precision),
            "attention" => self.parse_attention(node).map(Action::Attention),
            "env" => self.parse_env(node),
            "warn" => {
                let message = self
                    .expect_one_string(node, "write `warn \"MESSAGE\"`; `{fact}` quotes a fact")?;
                self.expect_template(&message).map(Action::Warn)
            }
            _ => self.parse_refuse(node),
        }
    }

    fn parse_device(&mut self, node: &KdlNode) -> Option<DeviceName> {
        let value = self.expect_one_string(node, "write `device \"cpu\"`")?;
        let (message, help) = match value.value.parse::<DeviceName>() {
            Ok(device) => return Some(device),
            Err(_) if value.value.eq_ignore_ascii_case("auto") => (
                "a policy cannot switch to `auto`".to_owned(),
                format!("name a device: {}", DeviceName::NAMES.join(", ")),
            ),
            Err(_) => (
                format!("unknown device `{}`", value.value),
                choice_help(&value.value, &DeviceName::NAMES),
            ),
        };
        self.bad_value(value.span.range, message, "not a device", help);
        None
    }

    fn parse_precision(&mut self, node: &KdlNode) -> Option<Precision> {
        let value = self.expect_one_string(node, "write `precision \"f32\"`")?;
        let settable = ["f32", "f16", "bf16"];
        let canonical = Precision::from_name(&value.value).filter(|p| p.name() == value.value);
        match canonical {
            None if value.value == "auto" => {
                let help = "set f32, f16 or bf16; `auto` is what a stage asks for, and policies resolve it";
                self.bad_value(
                    value.span.range,
                    "a policy cannot set precision `auto`".into(),
                    "not a precision",
                    help.into(),
                );
                None
            }
            Some(p) => Some(p),
            None => {
                let help = choice_help(&value.value, &settable);
                let message = format!("unknown precision `{}`", value.value);
                self.bad_value(value.span.range, message, "not a precision", help);
                None
            }
        }
    }

    fn parse_attention(&mut self, node: &KdlNode) -> Option<Attention> {
        let value = self.expect_one_string(node, "write `attention \"eager\"`")?;
        let found = Attention::from_name(&value.value).filter(|a| a.name() == value.value);
        if found.is_none() {
            let help = choice_help(&value.value, &Attention::NAMES);
            let message = format!("unknown attention path `{}`", value.value);
            self.bad_value(value.span.range, message, "not an attention path", help);
        }
        found
    }

    fn parse_env(&mut self, node: &KdlNode) -> Option<Action> {
        let help = "write `env \"NAME\" \"VALUE\"`; `{fact}` in the value quotes a fact";
        let [name, value] = node.entries() else {
            self.malformed(
                node.span(),
                "`env` takes a variable name and a value",
                "here",
                help,
            );
            return None;
        };
        if name.name().is_some() || value.name().is_some() || node.children().is_some() {
            self.malformed(
                node.span(),
                "`env` takes a variable name and a value",
                "here",
                help,
            );
            return None;
        }
        let (name, value) = (self.expect_string(name)?, self.expect_string(value)?);
        let valid = name
            .value
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            let help = "use letters, digits and `_`, e.g. \"HF_HOME\"".to_owned();
            let message = format!("`{}` is not an environment variable name", name.value);
            self.bad_value(name.span.range, message, "not a variable name", help);
            return None;
        }
        let value = self.expect_template(&value)?;
        Some(Action::Env {
            name: name.value,
            value,
        })
    }

    fn parse_refuse(&mut self, node: &KdlNode) -> Option<Action> {
        let shape = "write `refuse \"MESSAGE\"` or `refuse \"MESSAGE\" help=\"WHAT TO DO\"`";
        let (args, props): (Vec<&KdlEntry>, Vec<&KdlEntry>) =
            node.entries().iter().partition(|e| e.name().is_none());
        let help_prop = props
            .first()
            .filter(|p| p.name().is_some_and(|n| n.value() == "help"));
        if args.len() != 1
            || props.len() > 1
            || (props.len() == 1 && help_prop.is_none())
            || node.children().is_some()
        {
            self.malformed(node.span(), "malformed `refuse`", "here", shape);
            return None;
        }
        let message = self.expect_string(args[0])?;
        let message = self.expect_template(&message)?;
        let help = match help_prop {
            Some(entry) => {
                let text = self.expect_string(entry)?;
                Some(self.expect_template(&text)?)
            }
            None => None,
        };
        Some(Action::Refuse { message, help })
    }

    fn check_refuse_alone(&mut self, body: &Body) {
        let refuse = body
            .actions
            .iter()
            .find(|a| matches!(a.value, Action::Refuse { .. }));
        if let Some(refuse) = refuse.filter(|_| body.actions.len() > 1) {
            let help =
                "a policy that refuses stops the plan; put the other actions into another policy";
            self.malformed(
                refuse.span.range,
                "`refuse` cannot be combined with other actions",
                "refuses",
                help,
            );
        }
    }

    fn parse_conditions(&mut self, node: &KdlNode) -> Vec<Condition> {
        let block = node.name().value();
        let Some(children) = node.children().filter(|_| node.entries().is_empty()) else {
            let help = format!("write `{block} {{ FACT \"VALUE\" ... }}`, one fact a line");
            self.malformed(
                node.span(),
                &format!("`{block}` takes a block of facts"),
                "here",
                &help,
            );
            return Vec::new();
        };
        let mut conditions: Vec<Condition> = Vec::new();
        for child in children.nodes() {
            if self.reject_annotation(child) {
                continue;
            }
            let Some(condition) = self.parse_condition(child) else {
                continue;
            };
            if let Some(first) = conditions
                .iter()
                .find(|c| c.fact.value == condition.fact.value)
            {
                let help = format!(
                    "the first is on line {}; list every accepted value on one line: `{} \"A\" \"B\"`",
                    self.line(first.fact.span.range.offset()),
                    condition.fact.value
                );
                self.duplicate(
                    format!("fact `{}` in `{block}`", condition.fact.value),
                    condition.fact.span.range,
                    help,
                );
                continue;
            }
            conditions.push(condition);
        }
        conditions
    }

    fn parse_condition(&mut self, node: &KdlNode) -> Option<Condition> {
        let name = node.name().value();
        let spec = self.expect_fact(name, node.name().span())?;
        if node.entries().is_empty()
            || node.entries().iter().any(|e| e.name().is_some())
            || node.children().is_some()
        {
            let help = format!(
                "write `{name} \"VALUE\"`; several values mean any of them, `#null` means none"
            );
            self.malformed(
                node.span(),
                &format!("a condition on `{name}` needs values"),
                "here",
                &help,
            );
            return None;
        }
        let expected: Vec<Spanned<Expected>> = node
            .entries()
            .iter()
            .filter_map(|e| self.parse_expected(e, name, &spec))
            .collect();
        if expected.len() != node.entries().len() {
            return None;
        }
        let fact = Spanned::new(name.to_owned(), self.span(node.name().span()));
        Some(Condition { fact, expected })
    }

    fn parse_expected(
        &mut self,
        entry: &KdlEntry,
        fact: &str,
        spec: &FactSpec,
    ) -> Option<Spanned<Expected>> {
        let span = value_span(entry);
        let expected = match (entry.value(), spec.ty) {
            (KdlValue::Null, _) => Expected::Unset,
            (KdlValue::Bool(b), FactType::Bool) => Expected::Bool(*b),
            (KdlValue::String(s), FactType::Text) => self.check_text(s, fact, spec, span)?,
            (_, FactType::Bool) => {
                let help = format!("write `{fact} #true` or `{fact} #false`");
                self.bad_value(
                    span,
                    format!("`{fact}` is #true or #false"),
                    "not a yes/no value",
                    help,
                );
                return None;
            }
            (_, FactType::Text) => {
                let help = format!("quote it: `{fact} \"VALUE\"`");
                self.bad_value(
                    span,
                    format!("`{fact}` is compared with text"),
                    "not text",
                    help,
                );
                return None;
            }
        };
        Some(Spanned::new(expected, self.span(span)))
    }

    fn check_text(
        &mut self,
        value: &str,
        fact: &str,
        spec: &FactSpec,
        span: SourceSpan,
    ) -> Option<Expected> {
        let closed = !spec.values.is_empty() && !value.contains('*');
        if closed && !spec.values.contains(&value.to_ascii_lowercase().as_str()) {
            let listed = spec.values.join(", ");
            let help = match clarity_engine::suggest::closest(
                &value.to_ascii_lowercase(),
                spec.values.iter().copied(),
            ) {
                Some(best) => format!("did you mean \"{best}\"? (`{fact}` is one of {listed})"),
                None => format!("`{fact}` is one of {listed}"),
            };
            let label = format!("not a value of `{fact}`");
            self.bad_value(span, format!("`{fact}` is never \"{value}\""), &label, help);
            return None;
        }
        Some(Expected::Text(value.to_owned()))
    }

    fn expect_fact(&mut self, name: &str, span: SourceSpan) -> Option<FactSpec> {
        let found = fact_spec(name);
        if found.is_none() {
            let help = fact_help(name);
            let src = self.source.source_text();
            self.errors.push(PolicyError::UnknownFact {
                fact: name.to_owned(),
                src,
                span,
                help,
            });
        }
        found
    }

    fn expect_template(&mut self, text: &Spanned<String>) -> Option<Template> {
        let error = match Template::parse(&text.value) {
            Ok(template) => return Some(template),
            Err(error) => error,
        };
        let span = self.inner_span(text, &error);
        match error.fact {
            Some(fact) => {
                let (src, help) = (self.source.source_text(), fact_help(&fact));
                self.errors.push(PolicyError::UnknownFact {
                    fact,
                    src,
                    span,
                    help,
                });
            }
            None => {
                let help = "close it with `}`, or write `{{` for a literal brace";
                self.malformed(span, "unclosed `{` in a message", "opens here", help);
            }
        }
        None
    }

    /// The span of a template error: inside the string when it is written plainly.
    fn inner_span(&self, text: &Spanned<String>, error: &TemplateError) -> SourceSpan {
        let whole = text.span.range;
        let written = &self.source.text()[whole.offset()..whole.offset() + whole.len()];
        if written == format!("\"{}\"", text.value) {
            return SourceSpan::from((whole.offset() + 1 + error.offset, error.len));
        }
        whole
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
    match suggest_fact(name) {
        Some(best) => format!("did you mean `{best}`?"),
        None => {
            let names: Vec<&str> = FACTS.iter().map(|f| f.name).collect();
            format!("the facts are {}, and env.NAME", names.join(", "))
        }
    }
}

fn choice_help(value: &str, choices: &[&str]) -> String {
    let listed = choices.join(", ");
    match clarity_engine::suggest::closest(&value.to_ascii_lowercase(), choices.iter().copied()) {
        Some(best) => format!("did you mean \"{best}\"? (one of {listed})"),
        None => format!("use one of {listed}"),
    }
}
