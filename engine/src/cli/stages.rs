use std::fmt::Write;

use crate::{Registry, StageSchema};

use super::CliError;

/// `clarity stages`: one line per kind.
pub fn list(registry: &Registry) -> String {
    let width = registry.kinds().map(str::len).max().unwrap_or(0);
    let mut out = String::new();
    for kind in registry.kinds() {
        if let Some(stage) = registry.get(kind) {
            let _ = writeln!(out, "{kind:width$}  {}", stage.schema().summary);
        }
    }
    out
}

/// `clarity stages KIND`: the kind's schema.
pub fn show(registry: &Registry, kind: &str) -> Result<String, CliError> {
    let Some(stage) = registry.get(kind) else {
        let help = match registry.suggest_kind(kind) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "`clarity stages` lists the stage kinds".to_owned(),
        };
        return Err(CliError::UnknownKind {
            kind: kind.to_owned(),
            help,
        });
    };
    Ok(describe(stage.schema()))
}

fn describe(schema: &StageSchema) -> String {
    let mut out = format!(
        "{} (version {}): {}\n",
        schema.kind, schema.version, schema.summary
    );
    let _ = writeln!(
        out,
        "uses a device: {}",
        if schema.uses_device { "yes" } else { "no" }
    );
    out.push_str("\nparams:\n");
    let rows: Vec<[String; 4]> = schema
        .params
        .iter()
        .map(|p| {
            let need = match (&p.default, p.required) {
                (Some(d), _) => format!("default {d}"),
                (None, true) => "required".to_owned(),
                (None, false) => "optional".to_owned(),
            };
            [p.name.to_owned(), p.ty.describe(), need, p.doc.to_owned()]
        })
        .collect();
    table(&mut out, &rows);
    out.push_str("\noutputs:\n");
    let rows: Vec<[String; 4]> = schema
        .outputs
        .iter()
        .map(|o| {
            [
                o.name.clone(),
                o.kind.to_string(),
                String::new(),
                o.doc.to_owned(),
            ]
        })
        .collect();
    table(&mut out, &rows);
    out
}

fn table(out: &mut String, rows: &[[String; 4]]) {
    let width = |c: usize| rows.iter().map(|r| r[c].len()).max().unwrap_or(0);
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for r in rows {
        let line = format!("  {:w0$}  {:w1$}  {:w2$}  {}", r[0], r[1], r[2], r[3]);
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
