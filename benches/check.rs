//! `clarity check` without the process: reading, expanding and validating pipelines against
//! the stdlib's schemas and device policies (`cargo bench --bench check`).

use std::path::Path;

use clarity_engine::fs::RealFs;
use clarity_engine::lang::Source;
use clarity_engine::{Options, Registry, analyse};
use criterion::{Criterion, criterion_group, criterion_main};

fn check(registry: &Registry, name: &str, text: &str) {
    let source = Source::new(name, None, text);
    let options = Options {
        registry,
        fs: &RealFs,
        project_dir: Path::new("."),
        sets: &[],
        device: None,
        assumed_devices: None,
    };
    if let Err(diagnostics) = analyse(&source, &options) {
        panic!(
            "{name}: {}",
            diagnostics.render(clarity_engine::Style::Plain)
        );
    }
}

/// A chain of `n` exec stages, each reading the previous one's output.
fn exec_chain(n: usize) -> String {
    let mut text = String::from("pipeline \"chain\" {\n");
    for i in 0..n {
        text.push_str(&format!(
            "    stage \"s{i}\" exec {{\n        command \"sh\" \"-c\" \"true\"\n"
        ));
        if i > 0 {
            text.push_str(&format!("        inputs \"s{}.out\"\n", i - 1));
        }
        text.push_str("    }\n");
    }
    text.push_str("}\n");
    text
}

fn benches(c: &mut Criterion) {
    let registry = clarity_stdlib::registry();
    let root = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    for file in [
        "pipelines/demo.kdl",
        "pipelines/deberta_base.kdl",
        "pipelines/ensemble.kdl",
    ] {
        let text = std::fs::read_to_string(root.join(file)).expect("a shipped pipeline");
        c.bench_function(&format!("check {file}"), |b| {
            b.iter(|| check(&registry, file, &text))
        });
    }
    for n in [10, 1000] {
        let text = exec_chain(n);
        c.bench_function(&format!("check {n}-stage exec chain"), |b| {
            b.iter(|| check(&registry, "chain.kdl", &text))
        });
    }
}

criterion_group!(check_benches, benches);
criterion_main!(check_benches);
