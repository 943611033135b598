//! A small trained model in a project directory, and running clarity on it: the helpers of
//! the export and predict --checkpoint tests.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use super::{clarity, small_pipeline, stderr};

/// The small pipeline with a 2-epoch `train` of `head` and a `predict` of the test split.
pub fn trained(head: &str) -> tempfile::TempDir {
    trained_from(head, None)
}

/// [`trained`], the model built from `config` (an HF `config.json`) when given.
pub fn trained_from(head: &str, config: Option<&Path>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut pipeline = small_pipeline(&format!(
        r#"    stage "train" train model="model" head="{head}" {{
        data train="tokens.train" validation="tokens.validation"
        epochs 2
        batch-size 16
        lr 1e-3
        seed 7
    }}
    stage "predict" predict model="train.best" data="tokens.test""#
    ));
    if let Some(config) = config {
        let built = format!(
            "build-model config={:?} seed=7",
            config.display().to_string()
        );
        pipeline = pipeline.replace("build-model seed=7", &built);
    }
    std::fs::write(dir.path().join("p.kdl"), pipeline).unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

/// The one cache entry holding `file` under output `output`.
pub fn cached(dir: &Path, output: &str, file: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir.join(".clarity/cache"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join(output).join(file))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(found.len(), 1, "{output}/{file} in {found:?}");
    found.into_iter().next().unwrap()
}

pub fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

pub fn assert_ok(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
}

pub fn assert_exit(out: &Output, code: i32, wanted: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for w in wanted {
        assert!(err.contains(w), "wanted {w:?} in:\n{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// `clarity export --pipeline p.kdl train.best --out exported`.
pub fn export(dir: &Path) -> PathBuf {
    let out = clarity(
        dir,
        &[
            "export",
            "--pipeline",
            "p.kdl",
            "train.best",
            "--out",
            "exported",
        ],
    );
    assert_ok(&out);
    dir.join("exported")
}
