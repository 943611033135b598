use std::sync::Arc;

use clarity_engine::PolicySource;
use clarity_engine::lang::{Source, Spanned};

use super::STD_LIBRARY;
use crate::lang::{FileItem, Policy, PolicyError, parse_policy_file};

/// The policies in force, in evaluation order.
///
/// Files load in order (the stdlib's first, then each `use`d file in the order the pipeline
/// names them). A policy whose name is already loaded replaces that one in its place; a
/// `disable "NAME"` removes the policies loaded before it whose names match (`*` matches any
/// run of characters).
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    policies: Vec<Arc<Policy>>,
}

impl PolicySet {
    /// Loads `sources` in order; every error of every file, or the set. A source named
    /// [`STD_LIBRARY`] is skipped: the stdlib's files are among `sources` already.
    pub fn load(sources: &[PolicySource]) -> Result<Self, Vec<PolicyError>> {
        let mut set = PolicySet::default();
        let mut errors = Vec::new();
        for source in sources.iter().filter(|s| s.name != STD_LIBRARY) {
            let source = Source::new(source.name.clone(), None, source.text.clone());
            let (file, file_errors) = parse_policy_file(&source);
            errors.extend(file_errors);
            for item in file.items {
                match item {
                    FileItem::Policy(policy) => set.add(policy),
                    FileItem::Disable(name) => errors.extend(set.disable(&name)),
                }
            }
        }
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    /// The policies, in evaluation order.
    pub fn iter(&self) -> impl Iterator<Item = &Policy> {
        self.policies.iter().map(AsRef::as_ref)
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.policies.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    fn add(&mut self, policy: Policy) {
        let policy = Arc::new(policy);
        match self
            .policies
            .iter_mut()
            .find(|p| p.name.value == policy.name.value)
        {
            Some(slot) => *slot = policy,
            None => self.policies.push(policy),
        }
    }

    fn disable(&mut self, name: &Spanned<String>) -> Option<PolicyError> {
        let before = self.policies.len();
        self.policies
            .retain(|p| !name_matches(&name.value, &p.name.value));
        if self.policies.len() < before {
            return None;
        }
        let help = clarity_engine::suggest::did_you_mean(
            &name.value,
            self.policies.iter().map(|p| p.name.value.as_str()),
            || "the stdlib's policies are listed in the book's Devices chapter".to_owned(),
        );
        let (src, span) = (name.span.source.source_text(), name.span.range);
        Some(PolicyError::UnknownPolicy {
            name: name.value.clone(),
            src,
            span,
            help,
        })
    }
}

fn name_matches(pattern: &str, name: &str) -> bool {
    crate::lang::Expected::Text(pattern.to_owned())
        .matches(Some(&crate::facts::FactValue::text(name)))
}
