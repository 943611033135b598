//! The `when` and `unless` blocks of a policy: facts and the values they are compared with.

use super::*;

impl Parser<'_> {
    pub(super) fn parse_conditions(&mut self, node: &KdlNode) -> Vec<Condition> {
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

    pub(super) fn parse_condition(&mut self, node: &KdlNode) -> Option<Condition> {
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

    pub(super) fn parse_expected(
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

    pub(super) fn check_text(
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

    pub(super) fn expect_fact(&mut self, name: &str, span: SourceSpan) -> Option<FactSpec> {
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

    pub(super) fn expect_template(&mut self, text: &Spanned<String>) -> Option<Template> {
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
    pub(super) fn inner_span(&self, text: &Spanned<String>, error: &TemplateError) -> SourceSpan {
        let whole = text.span.range;
        let written = &self.source.text()[whole.offset()..whole.offset() + whole.len()];
        if written == format!("\"{}\"", text.value) {
            return SourceSpan::from((whole.offset() + 1 + error.offset, error.len));
        }
        whole
    }
}
