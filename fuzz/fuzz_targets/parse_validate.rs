//! Parse + validate + render arbitrary text as a pipeline: must never panic or hang.
#![no_main]

use std::path::Path;

use clarity_engine::fs::MemFs;
use clarity_engine::graph::{to_dot, to_mermaid};
use clarity_engine::lang::Source;
use clarity_engine::{Options, Style};
use libfuzzer_sys::fuzz_target;

mod common;
use common::registry;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (sets, body): (Vec<String>, &str) = match text.split_once('\n') {
        Some((first, rest)) if first.starts_with("--set ") => {
            (first[6..].split(' ').map(str::to_owned).collect(), rest)
        }
        _ => (Vec::new(), &text),
    };
    let fs = MemFs::new()
        .with("frag.kdl", body.get(..body.len() / 2).unwrap_or(""))
        .with("self.kdl", "include \"self.kdl\"\n")
        .with("data.txt", "x");
    let registry = registry();
    let source = Source::new("fuzz.kdl", Some("fuzz.kdl".into()), body);
    let options = Options {
        registry: &registry,
        fs: &fs,
        project_dir: Path::new(""),
        sets: &sets,
        device: Some("auto"),
        assumed_devices: None,
    };
    match clarity_engine::analyse(&source, &options) {
        Ok(pipeline) => {
            let _ = to_dot(&pipeline);
            let _ = to_mermaid(&pipeline);
            let _ = pipeline.select(&["a".to_owned()]);
        }
        Err(diags) => {
            let _ = diags.render(Style::Plain);
        }
    }
});
