//! The `exec` stage through the binary: declared deps and the command's script in the
//! fingerprint, the withheld environment and hidden secrets, live prefixed output kept in
//! the cache entry's log (`clarity log`), typed outputs checked after the command, `out=`
//! publishing, `timeout`, and the `check` errors of its params.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{clarity, clarity_with_env, stderr};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run_ok(dir: &Path, vars: &[(&str, &str)]) -> String {
    let out = clarity_with_env(dir, &["run", "p.kdl"], vars);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stderr(&out)
}

fn project(pipeline: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), pipeline).unwrap();
    dir
}

/// Whether the run's report says `stage` ran (`ran`) or was `cached`.
fn said(report: &str, status: &str, stage: &str) -> bool {
    report
        .lines()
        .any(|l| l.trim_start().starts_with(status) && l.contains(&format!(" {stage} (exec)")))
}

#[test]
fn editing_a_declared_dep_or_the_script_reruns_only_that_stage_and_its_readers() {
    let dir = project(
        r#"
stage "a" exec {
    command "sh" "-c" "cat conf/x > \"$CLARITY_OUT_OUT/x\""
    deps "conf/"
}
stage "b" exec {
    command "sh" "-c" "cat \"$CLARITY_IN_0/x\" > \"$CLARITY_OUT_OUT/y\""
    inputs "a"
}
stage "c" exec {
    command "sh" "c.sh"
}
stage "d" exec {
    command "./d.sh"
}
"#,
    );
    std::fs::write(dir.path().join("d.sh"), "#!/bin/sh\necho d\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(dir.path().join("d.sh"), mode).unwrap();
    }
    std::fs::create_dir(dir.path().join("conf")).unwrap();
    std::fs::write(dir.path().join("conf/x"), "one\n").unwrap();
    std::fs::write(dir.path().join("c.sh"), "echo c\n").unwrap();
    let first = run_ok(dir.path(), &[]);
    assert!(
        ["a", "b", "c"].iter().all(|s| said(&first, "ran", s)),
        "{first}"
    );

    let again = run_ok(dir.path(), &[]);
    assert!(
        ["a", "b", "c"].iter().all(|s| said(&again, "cached", s)),
        "{again}"
    );

    // A file inside a declared directory.
    std::fs::write(dir.path().join("conf/x"), "two\n").unwrap();
    let edited = run_ok(dir.path(), &[]);
    assert!(
        said(&edited, "ran", "a") && said(&edited, "ran", "b"),
        "{edited}"
    );
    assert!(said(&edited, "cached", "c"), "{edited}");

    // The script the command names is hashed without being declared.
    std::fs::write(dir.path().join("c.sh"), "echo changed\n").unwrap();
    let script = run_ok(dir.path(), &[]);
    assert!(said(&script, "ran", "c"), "{script}");
    assert!(
        said(&script, "cached", "a") && said(&script, "cached", "b"),
        "{script}"
    );
    assert!(said(&script, "cached", "d"), "{script}");

    // So is a program run by its relative path.
    std::fs::write(dir.path().join("d.sh"), "#!/bin/sh\necho changed\n").unwrap();
    let program = run_ok(dir.path(), &[]);
    assert!(
        said(&program, "ran", "d") && said(&program, "cached", "c"),
        "{program}"
    );
}

#[test]
fn a_missing_dep_is_a_check_error() {
    let dir = project("stage \"a\" exec command=\"true\" deps=\"nope.txt\"\n");
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("clarity::param::path"), "{text}");
    assert!(
        text.contains("nope.txt") && !text.contains("panicked"),
        "{text}"
    );
}

fn all_files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all_files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn undeclared_variables_are_withheld_and_declared_values_never_reach_the_cache_in_clear() {
    let dir = project(
        r#"
stage "plain" exec {
    command "sh" "plain.sh"
}
stage "declared" exec {
    command "sh" "declared.sh"
    env "MY_SECRET" "HF_TOKEN" "INLINE=inl1ne-s3cr3t"
}
"#,
    );
    std::fs::write(
        dir.path().join("plain.sh"),
        "echo \"${MY_SECRET:-none} ${HF_TOKEN:-none} $LANG\" > \"$CLARITY_OUT_OUT/seen\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("declared.sh"),
        "printf '%s %s %s' ${#MY_SECRET} ${#HF_TOKEN} ${#INLINE} > \"$CLARITY_OUT_OUT/seen\"\n",
    )
    .unwrap();
    let vars = [
        ("MY_SECRET", "my-s3cr3t-value"),
        ("HF_TOKEN", "hf_s3cr3t"),
        ("LANG", "C.UTF-8"),
    ];
    let first = run_ok(dir.path(), &vars);
    let mut files = Vec::new();
    all_files_under(&dir.path().join(".clarity"), &mut files);
    let mut seen = Vec::new();
    for file in &files {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
        assert!(
            !text.contains("s3cr3t"),
            "{} holds a secret:\n{text}",
            file.display()
        );
        if file.ends_with("out/seen") {
            seen.push(text);
        }
    }
    seen.sort();
    // `plain` saw neither secret but the safe LANG; `declared` saw all three (by length).
    assert_eq!(seen, ["15 9 13", "none none C.UTF-8\n"], "{first}");

    // A changed secret re-runs only the stage that declared it.
    let changed = run_ok(
        dir.path(),
        &[
            ("MY_SECRET", "other"),
            ("HF_TOKEN", "hf_s3cr3t"),
            ("LANG", "C.UTF-8"),
        ],
    );
    assert!(said(&changed, "ran", "declared"), "{changed}");
    assert!(said(&changed, "cached", "plain"), "{changed}");
}

/// Both lines, each once (stdout and stderr are separate pipes: their order may vary).
fn assert_log(log: &str) {
    let mut lines: Vec<&str> = log.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["careful", "hello from exec"], "{log}");
}

#[test]
fn command_output_is_streamed_with_the_stage_prefix_and_kept_in_the_log() {
    let dir = project(
        "stage \"greet\" exec {\n    command \"sh\" \"-c\" \"echo hello from exec; echo careful >&2\"\n}\n",
    );
    let report = run_ok(dir.path(), &[]);
    assert!(report.contains("[greet] hello from exec"), "{report}");
    assert!(report.contains("[greet] careful"), "{report}");

    let log = clarity(dir.path(), &["log", "greet", "p.kdl"]);
    assert_eq!(log.status.code(), Some(0), "{}", stderr(&log));
    assert_log(&stdout(&log));

    let mut files = Vec::new();
    all_files_under(&dir.path().join(".clarity/cache"), &mut files);
    assert!(files.iter().any(|f| f.ends_with("stage.log")), "{files:?}");

    // Cached: still there.
    run_ok(dir.path(), &[]);
    let log = clarity(dir.path(), &["log", "greet", "p.kdl"]);
    assert_log(&stdout(&log));

    let none = project("stage \"quiet\" exec command=\"true\"\n");
    let missing = clarity(none.path(), &["log", "quiet", "p.kdl"]);
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("clarity::cli::no_log"));

    let unknown = clarity(dir.path(), &["log", "gret", "p.kdl"]);
    assert_eq!(unknown.status.code(), Some(1), "{}", stderr(&unknown));
    let text = stderr(&unknown);
    assert!(
        text.contains("clarity::cli::unknown_stage") && text.contains("did you mean `greet`?"),
        "{text}"
    );

    // After an edit the stage is not current: its latest log, said so.
    let edited = "stage \"greet\" exec {\n    command \"sh\" \"-c\" \"echo hello from exec; echo careful >&2; true\"\n}\n";
    std::fs::write(dir.path().join("p.kdl"), edited).unwrap();
    let latest = clarity(dir.path(), &["log", "greet", "p.kdl"]);
    assert_eq!(latest.status.code(), Some(0), "{}", stderr(&latest));
    assert_log(&stdout(&latest));
    assert!(
        stderr(&latest).contains("not current"),
        "{}",
        stderr(&latest)
    );
}

const TYPED: &str = r#"
stage "refs" exec {
    command "sh" "-c" "printf '%s\n' '{\"index\":\"q1\",\"clarity_label\":\"Clear Reply\"}' '{\"index\":\"q2\",\"clarity_label\":\"Ambivalent\"}' '{\"index\":\"q3\",\"clarity_label\":\"Clear Non-Reply\"}' > \"$CLARITY_OUT_TABLE/data.jsonl\""
    outputs "table" kind="table"
}
stage "postproc" exec {
    command "sh" "post.sh"
    outputs "preds" kind="predictions" "notes"
    out "submissions/preds.csv"
}
stage "score" evaluate predictions="postproc.preds" references="refs"
"#;

#[test]
fn a_typed_predictions_output_feeds_evaluate_and_is_published() {
    let dir = project(TYPED);
    std::fs::write(
        dir.path().join("post.sh"),
        "printf 'id,clarity_pred\\nq1,Clear Reply\\nq2,Clear Reply\\nq3,Clear Non-Reply\\n' > \"$CLARITY_OUT_PREDS/predictions.csv\"\necho done > \"$CLARITY_OUT_NOTES/notes.txt\"\n",
    )
    .unwrap();
    let check = clarity(dir.path(), &["check", "p.kdl"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let report = run_ok(dir.path(), &[]);
    assert!(report.contains("[score] 3 examples:"), "{report}");
    let published = std::fs::read_to_string(dir.path().join("submissions/preds.csv")).unwrap();
    assert!(published.starts_with("id,clarity_pred\nq1,"), "{published}");

    // Cached: a deleted copy comes back.
    std::fs::remove_file(dir.path().join("submissions/preds.csv")).unwrap();
    let cached = run_ok(dir.path(), &[]);
    assert!(
        cached.contains("restored submissions/preds.csv"),
        "{cached}"
    );
    let restored = std::fs::read_to_string(dir.path().join("submissions/preds.csv")).unwrap();
    assert_eq!(restored, published);
}

#[test]
fn a_missing_or_malformed_declared_output_fails_the_stage_naming_it() {
    let dir = project(TYPED);
    std::fs::write(dir.path().join("post.sh"), "echo forgot\n").unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("clarity::exec::output"), "{text}");
    assert!(
        text.contains("output `preds` (predictions) is missing"),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");

    std::fs::write(
        dir.path().join("post.sh"),
        "echo 'id,label' > \"$CLARITY_OUT_PREDS/predictions.csv\"\n",
    )
    .unwrap();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("output `preds` (predictions) is malformed"),
        "{text}"
    );
}

#[test]
fn timeout_stops_a_command_that_runs_too_long() {
    let dir =
        project("stage \"slow\" exec timeout=0.5 {\n    command \"sh\" \"-c\" \"sleep 30\"\n}\n");
    let started = Instant::now();
    let out = clarity(dir.path(), &["run", "p.kdl"]);
    assert!(started.elapsed() < Duration::from_secs(15));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("clarity::exec::timeout"), "{text}");
    assert!(
        text.contains("ran longer than its timeout of 0.5s"),
        "{text}"
    );
}

#[test]
fn check_refuses_bad_env_names_output_kinds_and_output_paths() {
    for (pipeline, code, needle) in [
        (
            "stage \"a\" exec command=\"true\" env=\"1X\"\n",
            "clarity::param::invalid",
            "`1X` is not a valid environment variable name",
        ),
        (
            "stage \"a\" exec command=\"true\" {\n    outputs \"a\" kind=\"pics\"\n}\n",
            "clarity::param::invalid",
            "`pics` is not an output kind",
        ),
        (
            "stage \"a\" exec command=\"true\" {\n    outputs \"/tmp/abs\"\n}\n",
            "clarity::stage::output_name",
            "/tmp/abs",
        ),
        (
            "stage \"a\" exec command=\"true\" {\n    outputs \"stage.json\"\n}\n",
            "clarity::stage::output_name",
            "stage.json",
        ),
        (
            "stage \"a\" exec command=\"true\" timeout=0\n",
            "clarity::param",
            "timeout",
        ),
    ] {
        let dir = project(pipeline);
        let out = clarity(dir.path(), &["check", "p.kdl"]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{pipeline}\n{text}");
        assert!(
            text.contains(code) && text.contains(needle),
            "{pipeline}\n{text}"
        );
        assert!(!text.contains("panicked"), "{text}");
    }
}

#[test]
fn evaluate_says_when_nothing_was_scored() {
    let dir = project(
        r#"
stage "refs" exec {
    command "sh" "refs.sh"
    outputs "table" kind="table"
}
stage "postproc" exec {
    command "sh" "post.sh"
    outputs "preds" kind="predictions"
}
stage "score" evaluate predictions="postproc" references="refs"
"#,
    );
    std::fs::write(
        dir.path().join("refs.sh"),
        "printf '%s\\n' '{\"index\":\"q1\"}' '{\"index\":\"q2\"}' > \"$CLARITY_OUT_TABLE/data.jsonl\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("post.sh"),
        "printf 'id,clarity_pred\\nq1,Clear Reply\\nq2,Clear Reply\\n' > \"$CLARITY_OUT_PREDS/predictions.csv\"\n",
    )
    .unwrap();
    let report = run_ok(dir.path(), &[]);
    assert!(
        report.contains("[score] 2 examples, none scored"),
        "{report}"
    );
}

#[test]
fn out_copies_a_files_output_as_a_directory() {
    let dir = project(
        r#"
stage "report" exec out="published" {
    command "sh" "-c" "mkdir -p \"$CLARITY_OUT_OUT/sub\" && echo hi > \"$CLARITY_OUT_OUT/sub/a.txt\""
}
"#,
    );
    let first = run_ok(dir.path(), &[]);
    assert!(first.contains("[report] wrote published"), "{first}");
    let copy = dir.path().join("published/sub/a.txt");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "hi\n");
    // Cached and untouched: nothing to say; deleted: restored.
    let quiet = run_ok(dir.path(), &[]);
    assert!(!quiet.contains("published"), "{quiet}");
    std::fs::remove_file(&copy).unwrap();
    let again = run_ok(dir.path(), &[]);
    assert!(again.contains("restored published"), "{again}");
    assert!(copy.is_file());
}

#[test]
fn a_property_before_any_output_name_is_a_syntax_error() {
    let dir =
        project("stage \"a\" exec command=\"true\" {\n    outputs kind=\"predictions\" \"a\"\n}\n");
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("clarity::syntax::malformed"), "{text}");
    assert!(
        text.contains("a key=value after a value belongs to"),
        "{text}"
    );
}
