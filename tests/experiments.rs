//! Experiments through the binary: `clarity show` (where a run's results are), `clarity diff`
//! (two runs side by side), `clarity gc` (keep the last runs, never beside a running one),
//! collapse warnings that survive a cached re-run, and `keep-checkpoints "best"`.

mod common;

use std::path::Path;

use common::{clarity, small_pipeline, stderr};
use serde_json::Value;

/// References q1..q4 (Clear Reply, Ambivalent, Clear Non-Reply, Clear Reply) and predictions
/// from `guess.sh`, called with `$guess`, scored by `evaluate`.
const SCORES: &str = r#"
pipeline "scores" {
    let guess="Clear Reply"
    stage "refs" exec {
        command "sh" "-c" "printf '%s\n' '{\"index\":\"q1\",\"clarity_label\":\"Clear Reply\"}' '{\"index\":\"q2\",\"clarity_label\":\"Ambivalent\"}' '{\"index\":\"q3\",\"clarity_label\":\"Clear Non-Reply\"}' '{\"index\":\"q4\",\"clarity_label\":\"Clear Reply\"}' > \"$CLARITY_OUT_TABLE/data.jsonl\""
        outputs "table" kind="table"
    }
    stage "guess" exec {
        command "sh" "guess.sh" $guess
        outputs "preds" kind="predictions"
    }
    stage "score" evaluate predictions="guess.preds" references="refs"
}
"#;

/// q2 gets the guess; q1, q3 and q4 are right.
const GUESS: &str = "printf 'id,clarity_pred\\nq1,Clear Reply\\nq2,%s\\nq3,Clear Non-Reply\\nq4,Clear Reply\\n' \"$1\" > \"$CLARITY_OUT_PREDS/predictions.csv\"\n";

/// Every row gets the guess.
const ONE_CLASS: &str = "printf 'id,clarity_pred\\nq1,%s\\nq2,%s\\nq3,%s\\nq4,%s\\n' \"$1\" \"$1\" \"$1\" \"$1\" > \"$CLARITY_OUT_PREDS/predictions.csv\"\n";

fn project(pipeline: &str, script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), pipeline).unwrap();
    std::fs::write(dir.path().join("guess.sh"), script).unwrap();
    dir
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = clarity(dir, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(dir: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&ok(dir, args)).unwrap()
}

/// Runs the pipeline with these `--set`s; returns the new run's id (the newest).
fn run(dir: &Path, sets: &[&str]) -> String {
    let mut args = vec!["run", "p.kdl"];
    for set in sets {
        args.extend(["--set", set]);
    }
    let out = clarity(dir, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json(dir, &["runs", "--format", "json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn show_finds_the_results_and_diff_compares_two_runs() {
    let dir = project(SCORES, GUESS);
    let d = dir.path();
    let a = run(d, &[]);
    let b = run(d, &["guess=Ambivalent"]);
    let cached = run(d, &[]);

    // Without an id: the latest run, fully cached, with the scores its stages computed.
    let shown = json(d, &["show", "--format", "json"]);
    assert_eq!(shown["id"], cached.as_str());
    let statuses: Vec<&str> = shown["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["cached", "cached", "cached"]);
    assert_eq!(shown["metrics"]["score.clarity-accuracy"], 0.75);
    // Its results: the predictions and the report, in the cache, by path.
    let artifact = |name: &str| {
        shown["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["output"] == name)
            .unwrap_or_else(|| panic!("no {name} in {shown}"))
            .clone()
    };
    let report = artifact("score.metrics");
    assert_eq!(report["kind"], "metrics");
    let report_dir = d.join(report["dir"].as_str().unwrap());
    assert!(report_dir.starts_with(d.join(".clarity/cache")), "{report}");
    assert!(report_dir.join("report.txt").is_file(), "{report}");
    let preds = artifact("guess.preds");
    assert!(
        preds["files"]
            .as_array()
            .unwrap()
            .contains(&"predictions.csv".into())
    );
    assert!(
        !shown["artifacts"].to_string().contains("refs.table"),
        "tables are not results: {shown}"
    );
    let text = ok(d, &["show"]);
    assert!(
        text.starts_with(&format!("run {cached}: pipeline \"scores\"")),
        "{text}"
    );
    assert!(text.contains("report.txt"), "{text}");
    assert!(text.contains("score.clarity-accuracy"), "{text}");

    // By id, and narrowed by the pipeline's file.
    let shown_b = json(d, &["show", &b, "--format", "json"]);
    assert_eq!(shown_b["overrides"]["guess"], "Ambivalent");
    assert_eq!(shown_b["metrics"]["score.clarity-accuracy"], 1.0);
    assert_eq!(
        json(d, &["show", "--pipeline", "p.kdl", "--format", "json"])["id"],
        cached.as_str()
    );

    // diff: the override and the param it changed, and every metric with B - A.
    let diff = json(d, &["diff", &a, &b, "--format", "json"]);
    assert_eq!(
        diff["overrides"]["guess"],
        serde_json::json!([null, "Ambivalent"])
    );
    assert!(diff["params"]["guess.command"].is_array(), "{diff}");
    assert!(diff["params"].get("score.predictions").is_none(), "{diff}");
    let accuracy = &diff["metrics"]["score.clarity-accuracy"];
    assert_eq!(accuracy["a"], 0.75);
    assert_eq!(accuracy["b"], 1.0);
    assert_eq!(accuracy["delta"], 0.25);
    let table = ok(d, &["diff", &a, &b]);
    assert!(table.contains("score.clarity-accuracy"), "{table}");
    assert!(table.contains("+0.2500"), "{table}");
    assert!(ok(d, &["diff", &a, &cached]).contains("params: no difference"));
}

#[test]
fn an_unknown_run_is_a_diagnostic_with_the_closest_id() {
    let dir = project(SCORES, GUESS);
    let d = dir.path();
    let none = clarity(d, &["show"]);
    assert_eq!(none.status.code(), Some(1));
    assert!(
        stderr(&none).contains("no runs recorded in .clarity/runs"),
        "{}",
        stderr(&none)
    );
    let id = run(d, &[]);
    let typo = format!("{id}0");
    for args in [
        vec!["show", typo.as_str()],
        vec!["diff", id.as_str(), typo.as_str()],
    ] {
        let out = clarity(d, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(
            stderr(&out),
            format!(
                "clarity::cli::unknown_run\n\n  × no run `{typo}` in .clarity/runs\n  help: did you mean `{id}`?\n"
            )
        );
    }
    let other = clarity(d, &["show", "--pipeline", "other"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(
        stderr(&other).contains("for pipeline `other`"),
        "{}",
        stderr(&other)
    );
}

#[test]
fn a_collapsed_model_is_flagged_in_the_log_the_report_and_every_summary() {
    let dir = project(SCORES, ONE_CLASS);
    let d = dir.path();
    let warning = "every clarity prediction is `Clear Reply`: the model collapsed to one class";
    for status in ["ran", "cached"] {
        let out = clarity(d, &["run", "p.kdl"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let log = stderr(&out);
        assert!(
            log.contains(&format!("  {status:8} score (evaluate)")),
            "{log}"
        );
        let summary = log
            .split("\nwarnings:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{log}"));
        assert!(summary.starts_with(&format!("  score: {warning}")), "{log}");
    }
    let shown = json(d, &["show", "--format", "json"]);
    assert!(
        shown["warnings"][0].as_str().unwrap().contains(warning),
        "{shown}"
    );
    let runs = json(d, &["runs", "--format", "json"]);
    assert!(
        runs[1]["warnings"][0].as_str().unwrap().contains(warning),
        "{runs}"
    );
    // The report: the warning, and the baseline beside each score (2 of 4 are Clear Reply:
    // always predicting it scores accuracy 0.5).
    let dir_of = shown["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["output"] == "score.metrics")
        .unwrap()["dir"]
        .as_str()
        .unwrap()
        .to_owned();
    let report = std::fs::read_to_string(d.join(&dir_of).join("report.txt")).unwrap();
    assert!(report.contains(&format!("warning: {warning}")), "{report}");
    let accuracy = report
        .lines()
        .find(|l| l.starts_with("clarity-accuracy"))
        .unwrap();
    assert!(
        accuracy.ends_with("0.5000  0.5000 (accuracy of always `Clear Reply`)"),
        "{report}"
    );
    let metrics: Value = serde_json::from_str(
        &std::fs::read_to_string(d.join(&dir_of).join("metrics.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        metrics["majority_baseline"]["clarity"]["class"],
        "Clear Reply"
    );

    // Predictions that beat the baseline raise nothing.
    std::fs::write(d.join("guess.sh"), GUESS).unwrap();
    let out = clarity(d, &["run", "p.kdl", "--set", "guess=Ambivalent"]);
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

const SPLITS: &str = r#"
pipeline "splits" {
    stage "data" synthetic-dataset train-rows=60 test-rows=10
    stage "split" split from="data.train" by="evasion_label" validation=0.25
}
"#;

/// The cache entries' directory names.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join(".clarity/cache"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn gc_keeps_the_last_runs_and_what_they_name_and_waits_for_a_running_one() {
    let dir = project(SPLITS, "");
    let d = dir.path();
    for v in ["0.2", "0.3", "0.4"] {
        run(d, &[&format!("split.validation={v}")]);
    }
    // data once, split three times.
    assert_eq!(entries(d).len(), 4);
    let stale = [
        ".clarity/tmp/123.4.0/train",
        ".clarity/resume/0123abcd",
        ".clarity/logs/123-4/train",
    ];
    // A resume directory of a stage the newest run names stays (as an interrupted
    // training's would).
    let newest = json(d, &["runs", "--format", "json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(d.join(".clarity/runs").join(newest).join("manifest.json"))
            .unwrap(),
    )
    .unwrap();
    let named = format!(
        ".clarity/resume/{}",
        manifest["stages"][1]["fingerprint"].as_str().unwrap()
    );
    for path in stale.iter().chain([&named.as_str()]) {
        std::fs::create_dir_all(d.join(path)).unwrap();
        std::fs::write(d.join(path).join("blob"), [0u8; 1000]).unwrap();
    }

    let dry = ok(d, &["gc", "--keep", "1", "--dry-run"]);
    assert!(
        dry.contains(
            "would remove 2 runs, 2 cache entries, 1 resume directory, 1 live logs directory, 1 temporary directory: "
        ),
        "{dry}"
    );
    assert!(dry.contains(".clarity/resume/0123abcd"), "{dry}");
    assert!(dry.contains("split (split)"), "{dry}");
    assert_eq!(entries(d).len(), 4, "a dry run removes nothing");
    assert_eq!(
        json(d, &["runs", "--format", "json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // Never beside a run: the lock a run takes.
    let lock = std::fs::File::options()
        .write(true)
        .open(d.join(".clarity/lock"))
        .unwrap();
    lock.lock().unwrap();
    let refused = clarity(d, &["gc"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("clarity::cache::locked"),
        "{}",
        stderr(&refused)
    );
    drop(lock);

    let done = ok(d, &["gc", "--keep", "1"]);
    assert!(done.contains("removed 2 runs, 2 cache entries"), "{done}");
    assert_eq!(entries(d).len(), 2);
    assert!(stale.iter().all(|p| !d.join(p).exists()));
    assert!(d.join(&named).is_dir());
    let runs = json(d, &["runs", "--format", "json"]);
    assert_eq!(runs.as_array().unwrap().len(), 1);
    // The kept run's stages are still cached; a dropped one's split runs again.
    let again = clarity(d, &["run", "p.kdl", "--set", "split.validation=0.4"]);
    assert!(
        stderr(&again).contains("done: 0 ran, 2 cached"),
        "{}",
        stderr(&again)
    );
    let dropped = clarity(d, &["run", "p.kdl", "--set", "split.validation=0.2"]);
    assert!(
        stderr(&dropped).contains("done: 1 ran, 1 cached"),
        "{}",
        stderr(&dropped)
    );
    assert_eq!(
        ok(d, &["gc", "--keep", "5"]),
        "nothing to remove\nkept 3 runs (the last 5 of each pipeline)\n"
    );
}

/// An untrained model (a learning rate of 1e-9) predicts one class for every example.
#[test]
fn keep_checkpoints_best_stores_no_last_and_an_untrained_model_is_flagged_on_validation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = small_pipeline(
        r#"    stage "train" train model="model" head="direct" keep-checkpoints="best" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
        lr 1e-9
    }
    stage "predict" predict model="train.best" data="tokens.test""#,
    );
    std::fs::write(d.join("p.kdl"), &text).unwrap();
    let out = clarity(d, &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    let warning = "train: validation, epoch 1: every clarity prediction is";
    assert!(
        log.split("\nwarnings:\n")
            .nth(1)
            .is_some_and(|s| s.contains(warning)),
        "{log}"
    );

    let shown = json(d, &["show", "--format", "json"]);
    let outputs: Vec<&str> = shown["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["output"].as_str().unwrap())
        .collect();
    assert_eq!(
        outputs,
        ["train.best", "train.metrics", "predict.predictions"],
        "{shown}"
    );
    let best = d.join(shown["artifacts"][0]["dir"].as_str().unwrap());
    assert!(best.join("model.safetensors").is_file(), "{shown}");
    assert!(!best.with_file_name("last").exists());
    // The epoch's warning is in train's own report too.
    let metrics = best.with_file_name("metrics").join("metrics.json");
    let metrics: Value = serde_json::from_str(&std::fs::read_to_string(metrics).unwrap()).unwrap();
    let epoch_warning = metrics["epochs"][0]["warnings"][0].as_str().unwrap();
    assert!(
        epoch_warning.starts_with("every clarity prediction is"),
        "{metrics}"
    );

    // `train.last` is no output of such a stage.
    let last = text.replace("model=\"train.best\"", "model=\"train.last\"");
    std::fs::write(d.join("p.kdl"), last).unwrap();
    let out = clarity(d, &["check", "p.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("clarity::reference::unknown_output"),
        "{}",
        stderr(&out)
    );
}
