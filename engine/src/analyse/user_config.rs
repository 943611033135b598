//! The user's config file (`$CLARITY_CONFIG`, else `~/.config/clarity/config.kdl`): an
//! `executor` block whose kind and settings every pipeline of that user starts from (e.g.
//! the cluster's partition and account), under the pipeline's own block.

use crate::diag::Diagnostics;
use crate::lang::{Item, Source, parse_file};
use crate::resources::ExecutorConfig;

use super::error::ResourceError;
use super::resources::{Settings, check_executor};
use super::vars::Scope;

/// The executor settings of a user config file's text; every mistake in it, or them.
pub fn user_executor(source: &Source) -> Result<Option<ExecutorConfig>, Diagnostics> {
    let mut diags = Diagnostics::new();
    let (file, errors) = parse_file(source);
    for error in errors {
        diags.push(error);
    }
    let scope = Scope::default();
    let mut found = None;
    for item in &file.items {
        let decl = match item {
            Item::Executor(decl) => decl,
            other => {
                not_in_config(other, source, &mut diags);
                continue;
            }
        };
        if found.is_some() {
            let (src, span) = (decl.kind.span.source.source_text(), decl.kind.span.range);
            diags.push(ResourceError::DuplicateExecutor { src, span });
            continue;
        }
        let settings: Settings = decl
            .settings
            .iter()
            .filter_map(|s| Some((s.name.clone(), scope.eval(&s.value, &mut diags)?)))
            .collect();
        found = check_executor(&decl.kind, &settings, &mut diags);
    }
    if diags.is_empty() {
        Ok(found)
    } else {
        Err(diags)
    }
}

fn not_in_config(item: &Item, source: &Source, diags: &mut Diagnostics) {
    let (name, span) = match item {
        Item::Let(l) => ("let", l.name.span.range),
        Item::Stage(s) => ("stage", s.name.span.range),
        Item::Include(i) => ("include", i.span.range),
        Item::Use(u) => ("use", u.span.range),
        Item::Device(d) => ("device", d.span.range),
        Item::Sweep(_) | Item::Executor(_) => ("sweep", (0, 0).into()),
        Item::Cache(_) => ("cache", (0, 0).into()),
    };
    diags.push(ResourceError::NotInConfig {
        item: name,
        src: source.source_text(),
        span,
    });
}
