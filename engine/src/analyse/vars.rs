//! Variables (`let`) and expression evaluation (`$name`, `${name}` in strings).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::Value;
use crate::diag::Diagnostics;
use crate::lang::{Expr, LetDecl, Span, Spanned};

use super::{EValue, VarError};

/// The most bytes that evaluating one pipeline may produce, over every `let`, param and
/// `foreach` member together (strings by length, other values by 8 bytes each): far above
/// any real pipeline, far below what a few doubling `let`s would allocate.
pub const MAX_EXPANDED_BYTES: usize = 16 << 20;

/// The variables in scope.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// The `let`s, shared by every copy of the scope: a `foreach` member's scope costs one
    /// binding, not a copy of every variable.
    vars: Arc<BTreeMap<String, Spanned<EValue>>>,
    /// Bindings of this copy (a `foreach` variable), seen before `vars`.
    bound: BTreeMap<String, Spanned<EValue>>,
    /// Names whose definition failed (already reported): uses stay silent.
    failed: Arc<BTreeSet<String>>,
    /// Shared by every copy of the scope (`foreach` members), so the limit is per pipeline.
    budget: Arc<Budget>,
}

#[derive(Debug, Default)]
struct Budget {
    spent: AtomicUsize,
    reported: AtomicBool,
}

fn size_of(value: &EValue) -> usize {
    let scalar = |v: &Value| match v {
        Value::String(s) => s.len().max(8),
        _ => 8,
    };
    match value {
        EValue::Scalar(v) => scalar(v),
        EValue::List(items) => 8 + items.iter().map(|i| scalar(&i.value)).sum::<usize>(),
    }
}

impl Scope {
    /// Defines a `let`, reporting a second definition of the same name.
    pub fn define(&mut self, decl: &LetDecl, diags: &mut Diagnostics) {
        if let Some(first) = self.vars.get(&decl.name.value) {
            let help = format!(
                "`{}` is first defined at {}",
                decl.name.value,
                location(&first.span)
            );
            let (src, span) = (decl.name.span.source.source_text(), decl.name.span.range);
            diags.push(VarError::DuplicateVariable {
                name: decl.name.value.clone(),
                src,
                span,
                help,
            });
            return;
        }
        match self.eval(&decl.value, diags) {
            Some(value) => {
                let at_name = Spanned::new(value.value, decl.name.span.clone());
                Arc::make_mut(&mut self.vars).insert(decl.name.value.clone(), at_name);
            }
            None => {
                Arc::make_mut(&mut self.failed).insert(decl.name.value.clone());
            }
        }
    }

    /// Binds `name` (a `foreach` variable or a `--set` override), replacing any binding.
    pub fn bind(&mut self, name: &str, value: Spanned<EValue>) {
        self.bound.insert(name.to_owned(), value);
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.bound.contains_key(name) || self.vars.contains_key(name) || self.failed.contains(name)
    }

    /// Evaluates `expr`; `None` after reporting an error (or when it uses a variable whose
    /// definition failed). Every value produced counts against [`MAX_EXPANDED_BYTES`].
    pub fn eval(&self, expr: &Spanned<Expr>, diags: &mut Diagnostics) -> Option<Spanned<EValue>> {
        let value = self.eval_unbudgeted(expr, diags)?;
        self.charge(size_of(&value.value), &expr.span, diags)?;
        Some(value)
    }

    /// Counts `bytes` against the pipeline's budget; `None` (reported once) past it.
    fn charge(&self, bytes: usize, span: &Span, diags: &mut Diagnostics) -> Option<()> {
        let spent = self.budget.spent.fetch_add(bytes, Ordering::Relaxed);
        if spent.saturating_add(bytes) <= MAX_EXPANDED_BYTES {
            return Some(());
        }
        if !self.budget.reported.swap(true, Ordering::Relaxed) {
            let (src, span) = (span.source.source_text(), span.range);
            diags.push(VarError::ExpansionTooLarge {
                limit: MAX_EXPANDED_BYTES,
                src,
                span,
            });
        }
        None
    }

    fn eval_unbudgeted(
        &self,
        expr: &Spanned<Expr>,
        diags: &mut Diagnostics,
    ) -> Option<Spanned<EValue>> {
        let span = expr.span.clone();
        let value = match &expr.value {
            Expr::Bool(b) => EValue::Scalar(Value::Bool(*b)),
            Expr::Int(i) => EValue::Scalar(Value::Int(*i)),
            Expr::Float(f) => EValue::Scalar(Value::Float(*f)),
            Expr::String(s) => EValue::Scalar(Value::String(self.interpolate(s, &span, diags)?)),
            Expr::Var(name) => {
                return self
                    .lookup(name, &span, diags)
                    .map(|v| Spanned::new(v.value.clone(), span));
            }
            Expr::List(items) => EValue::List(self.eval_items(items, diags)?),
        };
        Some(Spanned::new(value, span))
    }

    fn eval_items(
        &self,
        items: &[Spanned<Expr>],
        diags: &mut Diagnostics,
    ) -> Option<Vec<Spanned<Value>>> {
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match self.eval(item, diags).map(|v| (v.value, v.span)) {
                Some((EValue::Scalar(v), span)) => out.push(Spanned::new(v, span)),
                Some((EValue::List(vs), span)) => {
                    out.extend(vs.into_iter().map(|v| Spanned::new(v.value, span.clone())))
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn lookup(&self, name: &str, span: &Span, diags: &mut Diagnostics) -> Option<&Spanned<EValue>> {
        let found = self.bound.get(name).or_else(|| self.vars.get(name));
        if found.is_none() && !self.failed.contains(name) {
            let known = self.bound.keys().chain(self.vars.keys());
            let help = crate::suggest::did_you_mean(name, known, || {
                format!("define it with `let {name}=VALUE`")
            });
            let (src, span) = (span.source.source_text(), span.range);
            diags.push(VarError::UnknownVariable {
                name: name.to_owned(),
                src,
                span,
                help,
            });
        }
        found
    }

    /// Replaces `${name}` in `text` with the variable's value; `$${` is a literal `${`.
    fn interpolate(&self, text: &str, span: &Span, diags: &mut Diagnostics) -> Option<String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            if rest[..at].ends_with('$') {
                out.push_str(&rest[..at - 1]);
                out.push_str("${");
                rest = &rest[at + 2..];
                continue;
            }
            out.push_str(&rest[..at]);
            let Some(end) = rest[at..].find('}') else {
                out.push_str(&rest[at..]);
                return Some(out);
            };
            let name = &rest[at + 2..at + end];
            let piece = self.scalar_text(name, span, diags)?;
            self.charge(piece.len(), span, diags)?;
            out.push_str(&piece);
            rest = &rest[at + end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    fn scalar_text(&self, name: &str, span: &Span, diags: &mut Diagnostics) -> Option<String> {
        match &self.lookup(name, span, diags)?.value {
            EValue::Scalar(Value::String(s)) => Some(s.clone()),
            EValue::Scalar(Value::Bool(b)) => Some(b.to_string()),
            EValue::Scalar(other) => Some(other.to_string()),
            EValue::List(_) => {
                let (src, span) = (span.source.source_text(), span.range);
                diags.push(VarError::ListInString {
                    name: name.to_owned(),
                    src,
                    span,
                });
                None
            }
        }
    }
}

/// `file:line:column` of a span, for messages that point at a second place.
pub fn location(span: &Span) -> String {
    let text = span.source.text();
    let offset = span.range.offset().min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{}:{line}:{column}", span.source.name())
}
