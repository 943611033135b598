//! Robustness of the engine through the binary: cache entries checked against their recorded
//! hashes (`clarity verify`), bounded variable expansion, include paths and special files,
//! exec output names and env items, SIGTERM.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{clarity, stderr};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const TWO_STAGES: &str = r#"pipeline "p" {
    stage "words" exec {
        command "sh" "-c" "printf 'a\nb\n' > \"$CLARITY_OUT_OUT/words.txt\""
    }
    stage "count" exec {
        command "sh" "-c" "wc -l < \"$CLARITY_IN_0/words.txt\" > \"$CLARITY_OUT_OUT/count.txt\""
        inputs "words.out"
    }
}
"#;

/// The one cache entry directory whose `out/` holds `file`.
fn entry_with(dir: &Path, file: &str) -> std::path::PathBuf {
    let cache = dir.join(".clarity/cache");
    std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("out").join(file).is_file())
        .unwrap_or_else(|| panic!("no entry with {file}"))
}

#[test]
fn verify_reports_a_tampered_entry_and_run_recomputes_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), TWO_STAGES).unwrap();
    let run = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));

    let ok = clarity(dir.path(), &["verify", "p.kdl"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("2 verified, 0 do not match"),
        "{}",
        stdout(&ok)
    );

    // Flip one byte, keeping size and modification time: only the full check sees it.
    let file = entry_with(dir.path(), "words.txt").join("out/words.txt");
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    std::fs::write(&file, "a\nc\n").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let bad = clarity(dir.path(), &["verify", "p.kdl"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stdout(&bad));
    let text = stdout(&bad);
    assert!(
        text.contains("words")
            && text.contains("MISMATCH")
            && text.contains("`out/words.txt` changed"),
        "{text}"
    );
    assert!(text.contains("1 verified, 1 do not match"), "{text}");

    // An edit that changes the time is seen by every run, which recomputes the entry.
    std::fs::write(&file, "x\n").unwrap();
    let plan = clarity(dir.path(), &["plan", "p.kdl"]);
    assert!(
        stdout(&plan).contains("rerun") && stdout(&plan).contains("cache entry is not trusted"),
        "{}",
        stdout(&plan)
    );
    let rerun = clarity(dir.path(), &["run", "p.kdl"]);
    assert_eq!(rerun.status.code(), Some(0), "{}", stderr(&rerun));
    let log = stderr(&rerun);
    assert!(log.contains("cache entry not trusted"), "{log}");
    assert!(log.contains("done: 1 ran, 1 cached"), "{log}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "a\nb\n");
    let ok = clarity(dir.path(), &["verify", "p.kdl"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
}

#[test]
fn verify_lists_entries_not_yet_cached_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), TWO_STAGES).unwrap();
    let out = clarity(dir.path(), &["verify", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 verified, 0 do not match, 2 not cached"));
}

#[test]
fn doubling_variables_stop_at_the_expansion_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("let v0=\"xxxxxxxxxxxxxxxx\"\n");
    for i in 1..=60 {
        text.push_str(&format!("let v{i}=\"${{v{}}}${{v{}}}\"\n", i - 1, i - 1));
    }
    text.push_str("stage \"s\" exec command=\"echo ${v60}\"\n");
    assert!(text.len() < 2500);
    std::fs::write(dir.path().join("p.kdl"), &text).unwrap();
    let clock = Instant::now();
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(clock.elapsed() < Duration::from_secs(5));
    let text = stderr(&out);
    assert!(text.contains("clarity::var::too_large"), "{text}");
    // One error, not one per later `let`.
    assert_eq!(text.matches("clarity::var::").count(), 1, "{text}");
}

#[test]
fn doubling_lists_stop_at_the_expansion_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("let l0 1 2\n");
    for i in 1..=60 {
        text.push_str(&format!("let l{i} $l{} $l{}\n", i - 1, i - 1));
    }
    text.push_str("stage \"s\" exec command=\"true\"\n");
    std::fs::write(dir.path().join("p.kdl"), &text).unwrap();
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("clarity::var::too_large"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_include_climbing_two_levels_from_a_subdirectory_finds_the_right_file() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(
        dir.path().join("common.kdl"),
        "stage \"right\" exec command=\"true\"\n",
    )
    .unwrap();
    // The file the old path normalisation picked instead.
    std::fs::write(
        sub.join("common.kdl"),
        "stage \"wrong\" exec command=\"true\"\n",
    )
    .unwrap();
    std::fs::write(
        sub.join("p.kdl"),
        "include \"../../common.kdl\"\nstage \"own\" exec command=\"true\"\n",
    )
    .unwrap();
    let out = clarity(&sub, &["plan", "p.kdl"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("right") && !text.contains("wrong"), "{text}");
}

#[test]
fn special_files_are_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.kdl");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for target in ["/dev/zero", "fifo.kdl"] {
        std::fs::write(
            dir.path().join("p.kdl"),
            format!("include \"{target}\"\nstage \"s\" exec command=\"true\"\n"),
        )
        .unwrap();
        let clock = Instant::now();
        let out = clarity(dir.path(), &["check", "p.kdl"]);
        assert!(clock.elapsed() < Duration::from_secs(5), "{target}");
        assert_eq!(out.status.code(), Some(1), "{target}: {}", stderr(&out));
        let text = stderr(&out);
        assert!(
            text.contains("clarity::include::missing") && text.contains("not a regular file"),
            "{text}"
        );
    }
    // The pipeline file itself.
    let out = clarity(dir.path(), &["check", "fifo.kdl"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exec_output_names_are_checked_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside");
    let cases = [
        (outside.to_string_lossy().into_owned(), "not a plain name"),
        ("../up".to_owned(), "not a plain name"),
        ("scratch".to_owned(), "reserved"),
        ("stage.json".to_owned(), "not a plain name"),
    ];
    for (name, reason) in &cases {
        let text = format!(
            "stage \"s\" exec {{\n    command \"true\"\n    outputs \"ok\" \"{name}\"\n}}\n"
        );
        std::fs::write(dir.path().join("p.kdl"), text).unwrap();
        let out = clarity(dir.path(), &["run", "p.kdl"]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("clarity::stage::output_name") && err.contains(reason),
            "{name}: {err}"
        );
    }
    let text = "stage \"s\" exec {\n    command \"true\"\n    outputs \"a\" \"a\"\n}\n";
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    let out = clarity(dir.path(), &["check", "p.kdl"]);
    assert!(stderr(&out).contains("used twice"), "{}", stderr(&out));
    assert!(!outside.exists());
}

#[test]
fn exec_env_items_are_checked_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    for (item, says) in [
        // A bare name passes clarity's variable through, but must be a name too.
        ("1X", "not a valid environment variable name"),
        ("1X=2", "not a valid environment variable name"),
        ("A-B=2", "not a valid environment variable name"),
    ] {
        let text =
            format!("stage \"s\" exec {{\n    command \"true\"\n    env \"OK=1\" \"{item}\"\n}}\n");
        std::fs::write(dir.path().join("p.kdl"), text).unwrap();
        let out = clarity(dir.path(), &["check", "p.kdl"]);
        assert_eq!(out.status.code(), Some(1), "{item}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("clarity::param::invalid") && err.contains(says),
            "{item}: {err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_run_like_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"stage "slow" exec {
    command "sh" "-c" "echo $$ > child.pid; exec sleep 60"
}
"#;
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clarity"))
        .args(["run", "p.kdl"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid_file = dir.path().join("child.pid");
    let clock = Instant::now();
    while !std::fs::read_to_string(&pid_file).is_ok_and(|t| t.ends_with('\n')) {
        assert!(
            clock.elapsed() < Duration::from_secs(30),
            "the stage never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let sleeper = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_owned();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let clock = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            clock.elapsed() < Duration::from_secs(10),
            "SIGTERM did not stop the run"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("  cancelled slow (exec)"), "{err}");
    // The manifest was written and the command's process is gone.
    let runs = std::fs::read_dir(dir.path().join(".clarity/runs"))
        .unwrap()
        .count();
    assert_eq!(runs, 1);
    assert!(
        !Path::new(&format!("/proc/{sleeper}")).exists(),
        "the exec child {sleeper} outlived the run"
    );
    // Nothing half-written is left for a later run to trust.
    let tmp = std::fs::read_dir(dir.path().join(".clarity/tmp"))
        .unwrap()
        .count();
    assert_eq!(tmp, 0);
}
