//! `clarity runs`: every run of the directory, newest first, with its overrides and its
//! stages' metrics — the same scores whether the stages ran or were cached.

mod common;

use common::{clarity, stderr};

const PIPELINE: &str = r#"
pipeline "splits" {
    stage "data" synthetic-dataset train-rows=60 test-rows=10
    stage "split" split from="data.train" by="evasion_label" validation=0.25
}
"#;

fn runs_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = clarity(dir, &[&["runs", "--format", "json"], args].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn runs_lists_overrides_and_metrics_newest_first_cached_or_not() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), PIPELINE).unwrap();
    assert_eq!(runs_json(dir.path(), &[]), serde_json::json!([]));
    for _ in 0..2 {
        let out = clarity(
            dir.path(),
            &["run", "p.kdl", "--set", "split.validation=0.2"],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let runs = runs_json(dir.path(), &[]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs[0]["started_unix_ms"].as_u64() >= runs[1]["started_unix_ms"].as_u64());
    for run in runs {
        assert_eq!(run["pipeline"], "splits");
        assert_eq!(run["status"], "ok");
        assert_eq!(
            run["overrides"],
            serde_json::json!({"split.validation": "0.2"})
        );
        assert_eq!(run["metrics"]["split.train_rows"], 48.0, "{run}");
        assert_eq!(run["metrics"]["split.validation_rows"], 12.0, "{run}");
        let id = run["id"].as_str().unwrap();
        assert!(
            dir.path()
                .join(".clarity/runs")
                .join(id)
                .join("manifest.json")
                .is_file()
        );
    }
    // The newest run's stages were all cached, and it shows the same scores.
    let newest = std::fs::read_to_string(
        dir.path()
            .join(".clarity/runs")
            .join(runs[0]["id"].as_str().unwrap())
            .join("manifest.json"),
    )
    .unwrap();
    assert!(newest.contains("\"status\": \"cached\""), "{newest}");
    // A filter by pipeline name, and the table.
    assert_eq!(runs_json(dir.path(), &["other"]), serde_json::json!([]));
    let out = clarity(dir.path(), &["runs"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("id "), "{table}");
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(
        table.contains("splits") && table.contains("split.validation=0.2"),
        "{table}"
    );
}
