//! Every ```kdl snippet of the book and every file in pipelines/ passes `clarity check`;
//! every ```kdl,error=CODE snippet fails with CODE (a ```kdl,after-export snippet runs in
//! tests/predict_checkpoint.rs); the custom-stages chapter's Rust is the
//! example binary's (which `cargo test` compiles).

mod common;

use std::path::{Path, PathBuf};

use common::{clarity, root, stderr};

fn check(dir: &Path, file: &Path) -> (Option<i32>, String) {
    let out = clarity(dir, &["check", &file.to_string_lossy()]);
    (out.status.code(), stderr(&out))
}

/// (info string, code) of every fenced block whose info starts with `kdl`.
fn kdl_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) if info.starts_with("kdl") => {
                current = Some((info.to_owned(), String::new()))
            }
            (Some(_), Some("")) => blocks.extend(current.take()),
            (Some((_, code)), _) => {
                code.push_str(line);
                code.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn book_snippets_check_as_marked() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("book/src"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    for page in pages
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
    {
        for (i, (info, code)) in kdl_blocks(&std::fs::read_to_string(page).unwrap())
            .into_iter()
            .enumerate()
        {
            if info == "kdl,after-export" {
                // Needs an exported model: tests/predict_checkpoint.rs runs it after making one.
                continue;
            }
            let file = dir.path().join(format!("snippet{checked}.kdl"));
            std::fs::write(&file, &code).unwrap();
            let (status, stderr) = check(dir.path(), &file);
            let place = format!("{} block {i}:\n{code}", page.display());
            match info.strip_prefix("kdl,error") {
                None => assert_eq!(status, Some(0), "{place}\n{stderr}"),
                Some(expected) => {
                    assert_eq!(status, Some(1), "{place} should fail");
                    let code = expected.trim_start_matches('=');
                    assert!(
                        stderr.contains(&format!("{code}\n")),
                        "{place} should fail with {code}:\n{stderr}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "found only {checked} snippets");
}

/// The code of every fenced block whose info starts with `rust`.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("```rust") {
            let code: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
            blocks.push(code.join("\n"));
        }
    }
    blocks
}

#[test]
fn the_custom_stages_chapter_shows_the_example_binarys_code() {
    let chapter = std::fs::read_to_string(root().join("book/src/custom-stages.md")).unwrap();
    let example: String = ["main.rs", "shout.rs", "model_card.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(root().join("examples/custom_stage").join(f)).unwrap())
        .collect();
    let blocks = rust_blocks(&chapter);
    assert!(blocks.len() >= 3, "found only {} Rust blocks", blocks.len());
    for block in blocks {
        assert!(
            example.contains(&block),
            "this block of book/src/custom-stages.md is not in examples/custom_stage/:\n{block}"
        );
    }
}

#[test]
fn every_pipeline_checks() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("pipelines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "kdl"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let (status, stderr) = check(&root(), &file);
        assert_eq!(status, Some(0), "{}:\n{stderr}", file.display());
    }
}

/// The diagnostic codes raised in the source: `code(clarity::...)` attributes and
/// `"clarity::..."` literals in every `.rs` file under engine/, stdlib/ and src/.
fn source_codes() -> std::collections::BTreeSet<String> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "target") {
                    walk(&path, files);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in ["engine", "stdlib", "src"] {
        walk(&root().join(dir), &mut files);
    }
    let mut codes = std::collections::BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("clarity::") {
            let before = &text[..at];
            if !(before.ends_with('"') || before.ends_with("code(")) {
                continue;
            }
            let code: String = text[at..]
                .chars()
                .take_while(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == ':'
                })
                .collect();
            if !code.ends_with(':') {
                codes.insert(code);
            }
        }
    }
    codes
}

#[test]
fn the_catalogue_lists_every_diagnostic_code() {
    let catalogue = std::fs::read_to_string(root().join("book/src/diagnostics.md")).unwrap();
    let codes = source_codes();
    assert!(codes.len() > 100, "found only {} codes", codes.len());
    let missing: Vec<&String> = codes
        .iter()
        .filter(|code| !catalogue.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "book/src/diagnostics.md lacks {} code(s); give each a line:\n{}",
        missing.len(),
        missing
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}
