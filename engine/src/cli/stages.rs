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
        let help = crate::suggest::help(registry.suggest_kind(kind), || {
            "`clarity stages` lists the stage kinds".to_owned()
        });
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
    if !schema.rules.is_empty() {
        out.push_str("\nrules:\n");
        for rule in &schema.rules {
            let _ = writeln!(out, "  {}", rule.describe());
        }
    }
    out.push_str("\noutputs:\n");
    if schema.outputs.is_empty() {
        out.push_str("  named by its params (see above): each instance declares its own\n");
        return out;
    }
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

/// Widest a column grows to fit its cells; a longer cell keeps its full text and the rest
/// of its row continues on the next line, aligned (one long list of choices must not push
/// every other row's docs off the screen).
const MAX_COLUMN: usize = 40;

fn table(out: &mut String, rows: &[[String; 4]]) {
    let width = |c: usize| {
        rows.iter()
            .map(|r| r[c].len())
            .filter(|n| *n <= MAX_COLUMN)
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2)];
    for r in rows {
        let mut line = String::from("  ");
        let mut column_start = 2;
        for (cell, w) in r.iter().zip(widths) {
            if cell.len() > w && !line.trim().is_empty() {
                // Overlong: on its own, then the row goes on below, aligned.
                let _ = write!(line, "{cell}");
                let _ = writeln!(out, "{}", line.trim_end());
                line = " ".repeat(column_start + w + 2);
            } else {
                let _ = write!(line, "{cell:w$}  ");
            }
            column_start += w + 2;
        }
        line.push_str(&r[3]);
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: [&str; 4]) -> [String; 4] {
        cells.map(str::to_owned)
    }

    #[test]
    fn a_long_cell_does_not_widen_its_column() {
        let long = format!("one of {}", ["\"choice\""; 8].join(", "));
        let rows = [
            row([
                "epochs",
                "integer >= 1",
                "default 4",
                "passes over the data",
            ]),
            row(["metric", &long, "optional", "what to monitor"]),
        ];
        let mut out = String::new();
        table(&mut out, &rows);
        let expected = format!(
            "  epochs  integer >= 1  default 4  passes over the data\n  \
             metric  {long}\n                        optional   what to monitor\n"
        );
        assert_eq!(out, expected);
    }
}
