//! The demo's cache entries are verified before they are trusted: a damaged checkpoint is
//! recomputed rather than evaluated, and an edited cached prediction file is never published
//! over the user's copy.

mod common;

use std::path::{Path, PathBuf};

use common::{clarity, stderr};

/// The demo, shortened.
const SHORT: [&str; 3] = ["run", "--set", "train.epochs=2"];

fn run_demo(dir: &Path) -> String {
    let out = clarity(dir, &SHORT);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    text
}

/// The one file called `name` under the cache.
fn cached(dir: &Path, name: &str) -> PathBuf {
    fn find(dir: &Path, name: &str, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                find(&path, name, found);
            } else if path.file_name().is_some_and(|n| n == name) {
                found.push(path);
            }
        }
    }
    let mut found = Vec::new();
    find(&dir.join(".clarity/cache"), name, &mut found);
    assert_eq!(found.len(), 1, "{name}: {found:?}");
    found.remove(0)
}

/// The entry directory of the stage of kind `kind`.
fn entry_of(dir: &Path, kind: &str) -> PathBuf {
    dir.join(".clarity/cache")
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|entry| {
            let meta = std::fs::read_to_string(entry.join("stage.json")).unwrap_or_default();
            meta.contains(&format!("\"kind\": \"{kind}\""))
        })
        .unwrap_or_else(|| panic!("no {kind} entry"))
}

fn evaluate_metrics(dir: &Path) -> String {
    std::fs::read_to_string(entry_of(dir, "evaluate").join("metrics/metrics.json")).unwrap()
}

#[test]
fn damaged_or_edited_entries_are_recomputed_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_demo(dir.path());
    assert!(first.contains("done: 7 ran"), "{first}");
    let submission = dir.path().join("submissions/demo.csv");
    let original = std::fs::read(&submission).unwrap();
    let metrics = evaluate_metrics(dir.path());

    // A hand-edited cached prediction file: predict runs again and the user's copy keeps
    // the real predictions.
    let predictions = cached(dir.path(), "predictions.csv");
    let mut edited = std::fs::read_to_string(&predictions).unwrap();
    edited = edited.replacen("Clear", "Ambivalent", 3);
    std::fs::write(&predictions, edited).unwrap();
    let verify = clarity(dir.path(), &["verify", "--set", "train.epochs=2"]);
    assert_eq!(verify.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains("predictions/predictions.csv"),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let second = run_demo(dir.path());
    assert!(second.contains("cache entry not trusted"), "{second}");
    assert!(second.contains("done: 1 ran, 6 cached"), "{second}");
    assert_eq!(std::fs::read(&submission).unwrap(), original);

    // One flipped bit in the trained weights: train runs again (bit-identically on the
    // CPU), so evaluation scores what a clean run scores.
    let weights = entry_of(dir.path(), "train").join("best/model.safetensors");
    let mut bytes = std::fs::read(&weights).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x40;
    std::fs::write(&weights, bytes).unwrap();
    let third = run_demo(dir.path());
    assert!(third.contains("cache entry not trusted"), "{third}");
    assert!(third.contains("ran      train"), "{third}");
    assert_eq!(evaluate_metrics(dir.path()), metrics);
    assert_eq!(std::fs::read(&submission).unwrap(), original);
    let verify = clarity(dir.path(), &["verify", "--set", "train.epochs=2"]);
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));
}
