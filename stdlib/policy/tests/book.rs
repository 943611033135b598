//! The book's "Devices and policies" chapter stays true: its policy snippets load, and its
//! tables list exactly the facts and the stdlib policies there are.

use clarity_engine::PolicySource;
use clarity_policy::facts::FACTS;
use clarity_policy::{PolicySet, stdlib_policies};

fn chapter() -> String {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("../../book/src/devices.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The code of every fenced block whose info string is `lang`.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (None, Some(info)) if info == lang => current = Some(String::new()),
            (Some(_), Some("")) => out.extend(current.take()),
            (Some(code), _) => {
                code.push_str(line.get(indent(line)..).unwrap_or(line));
                code.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The first column of the rows of the table that starts with `header`.
fn table_column(markdown: &str, header: &str) -> Vec<String> {
    let mut lines = markdown
        .lines()
        .skip_while(|l| !l.starts_with(header))
        .skip(2);
    let mut out = Vec::new();
    while let Some(row) = lines.next().filter(|l| l.starts_with('|')) {
        let cell = row.split('|').nth(1).unwrap_or_default().trim();
        out.push(cell.trim_matches('`').to_owned());
    }
    out
}

#[test]
fn every_policy_snippet_loads_after_the_stdlib() {
    let snippets = blocks(&chapter(), "policy");
    assert!(snippets.len() >= 3, "found {}", snippets.len());
    for (i, text) in snippets.iter().enumerate() {
        let mut sources = stdlib_policies();
        sources.push(PolicySource {
            name: format!("devices.md block {i}"),
            text: text.clone(),
        });
        if let Err(errors) = PolicySet::load(&sources) {
            panic!("block {i}:\n{text}\n{errors:#?}");
        }
    }
}

#[test]
fn the_facts_table_lists_every_fact() {
    let mut listed = table_column(&chapter(), "| fact |");
    let mut facts: Vec<String> = FACTS.iter().map(|f| f.name.to_owned()).collect();
    facts.push("env.NAME".to_owned());
    listed.sort();
    facts.sort();
    assert_eq!(listed, facts);
}

#[test]
fn the_stdlib_table_lists_every_stdlib_policy_in_order() {
    let listed = table_column(&chapter(), "| policy |");
    let set = PolicySet::load(&stdlib_policies()).unwrap();
    let names: Vec<String> = set.iter().map(|p| p.name.value.clone()).collect();
    assert_eq!(listed, names);
}
