//! The remote cache through the binary, against a real S3-compatible server (`moto_server`
//! from the project's venv, `.ci/venv`, started here on a free 127.0.0.1 port) and a
//! directory remote: push from one clone, pull into a fresh one where the whole pipeline is
//! then cached; a corrupted remote object refused and recomputed; a half-pushed entry
//! ignored; bad addresses, missing credentials and an unreachable endpoint refused before
//! any stage runs. Without moto_server the S3 tests are skipped (they fail when `CI=true`).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{small_pipeline, stages_with, stderr};

/// One moto server at a time: the S3 tests run one after another.
static SERIAL: Mutex<()> = Mutex::new(());

const SECRET: &str = "s3cr3t-never-printed";

const EXEC: &str = r#"pipeline "chain" {
    stage "one" exec {
        command "sh" "-c" "echo one > \"$CLARITY_OUT_OUT/v.txt\""
    }
    stage "two" exec {
        command "sh" "-c" "cat \"$CLARITY_IN_0/v.txt\" > \"$CLARITY_OUT_OUT/v.txt\"; echo two >> \"$CLARITY_OUT_OUT/v.txt\""
        inputs "one"
    }
}
"#;

const TRAIN: &str = r#"    stage "train" train model="model" {
        data train="tokens.train" validation="tokens.validation"
        epochs 1
        lr 1e-3
    }
    stage "predict" predict model="train.best" data="tokens.test"
    stage "evaluate" evaluate predictions="predict" references="data.test""#;

/// A moto S3 server, killed when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> Option<PathBuf> {
    let venv = std::env::var_os("CLARITY_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/clarity-venv")
        });
    let bin = venv.join("bin/moto_server");
    if bin.is_file() {
        return Some(bin);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} is missing: run .ci/venv", bin.display());
    }
    eprintln!("skipped: {} is missing (run .ci/venv)", bin.display());
    None
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts moto on a free port and waits until it answers.
fn moto() -> Option<Moto> {
    let bin = moto_server()?;
    let port = free_port();
    let child = Command::new(bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto { child, port };
    let clock = Instant::now();
    while http(port, "GET", "/", b"").is_none() {
        assert!(
            clock.elapsed() < Duration::from_secs(30),
            "moto_server did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

/// One plain HTTP request (moto does not check signatures): the status line and the body.
fn http(port: u16, method: &str, path: &str, body: &[u8]) -> Option<(String, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    // Buckets are made public-read-write, so these unsigned requests may write objects the
    // signed pushes made.
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nx-amz-acl: public-read-write\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let status = String::from_utf8_lossy(&response[..split])
        .lines()
        .next()?
        .to_owned();
    Some((status, response[split + 4..].to_vec()))
}

impl Moto {
    fn bucket(&self, name: &str) {
        let (status, _) = http(self.port, "PUT", &format!("/{name}"), b"").unwrap();
        assert!(status.contains("200"), "{status}");
    }

    /// The S3 variables for this server.
    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET.into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ENDPOINT", format!("http://127.0.0.1:{}", self.port)),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
    }

    /// The keys under `prefix` in `bucket`.
    fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        self.listing(bucket, prefix)
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }

    /// The listed ETag (an MD5 of the content) of `key` in `bucket`.
    fn etag(&self, bucket: &str, key: &str) -> String {
        let listing = self.listing(bucket, key);
        let after = listing.split("<ETag>").nth(1).unwrap_or_default();
        after.split("</ETag>").next().unwrap_or_default().to_owned()
    }

    fn listing(&self, bucket: &str, prefix: &str) -> String {
        let path = format!("/{bucket}?list-type=2&prefix={prefix}");
        let (_, body) = http(self.port, "GET", &path, b"").unwrap();
        String::from_utf8_lossy(&body).into_owned()
    }
}

/// Runs the binary in `dir` with only these AWS variables (none of the caller's).
fn run(dir: &Path, args: &[&str], vars: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clarity"));
    command.args(args).current_dir(dir).env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key == "CLARITY_REMOTE" {
            command.env_remove(key);
        }
    }
    command.envs(vars.iter().map(|(k, v)| (k, v)));
    command.output().expect("the clarity binary runs")
}

fn project(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.kdl"), text).unwrap();
    dir
}

fn ok(out: &Output) -> String {
    let log = stderr(out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(!log.contains(SECRET), "{log}");
    log
}

#[test]
fn a_pipeline_pushed_from_one_clone_is_cached_in_a_fresh_one() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(moto) = moto() else { return };
    moto.bucket("team");
    let env = moto.env();
    let remote = "s3://team/clarity";
    let text = small_pipeline(TRAIN);
    let first = project(&text);
    let log = ok(&run(
        first.path(),
        &["run", "p.kdl", "--remote", remote],
        &env,
    ));
    assert_eq!(stages_with(&log, "ran").len(), 7, "{log}");
    assert!(log.contains("pushed 7 entries"), "{log}");
    let log = ok(&run(
        first.path(),
        &["push", "p.kdl", "--remote", remote],
        &env,
    ));
    assert!(log.contains("7 already there"), "{log}");

    let second = project(&text);
    let log = ok(&run(
        second.path(),
        &["pull", "p.kdl", "--remote", remote],
        &env,
    ));
    assert_eq!(stages_with(&log, "pulled").len(), 7, "{log}");
    eprintln!("{log}");
    let log = ok(&run(
        second.path(),
        &["run", "p.kdl", "--remote", remote],
        &env,
    ));
    assert!(log.contains("done: 0 ran, 7 cached"), "{log}");

    let third = project(&text);
    let vars: Vec<(&str, String)> = env
        .iter()
        .cloned()
        .chain([("CLARITY_REMOTE", remote.to_owned())])
        .collect();
    let log = ok(&run(third.path(), &["run", "p.kdl"], &vars));
    assert!(log.contains("done: 0 ran, 0 cached, 7 pulled"), "{log}");
    let manifest = std::fs::read_dir(third.path().join(".clarity/runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let manifest = std::fs::read_to_string(manifest.path().join("manifest.json")).unwrap();
    assert!(manifest.contains("\"pulled\"") && !manifest.contains(SECRET));
}

#[test]
fn a_corrupted_remote_object_is_refused_and_recomputed() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(moto) = moto() else { return };
    moto.bucket("bkt");
    let env = moto.env();
    let first = project(EXEC);
    ok(&run(
        first.path(),
        &["run", "p.kdl", "--remote", "s3://bkt"],
        &env,
    ));
    let keys = moto.keys("bkt", "entries/");
    let one = keys
        .iter()
        .find(|k| k.ends_with("out/v.txt"))
        .unwrap()
        .clone();
    let original = moto.etag("bkt", &one);
    let (status, _) = http(moto.port, "PUT", &format!("/bkt/{one}"), b"tampered\n").unwrap();
    assert!(status.contains("200"), "{status}");
    assert_ne!(moto.etag("bkt", &one), original);

    let second = project(EXEC);
    let log = ok(&run(
        second.path(),
        &["run", "p.kdl", "--remote", "s3://bkt"],
        &env,
    ));
    assert!(log.contains("does not match its recorded hashes"), "{log}");
    assert_eq!(stages_with(&log, "ran").len(), 1, "{log}");
    assert_eq!(stages_with(&log, "pulled").len(), 1, "{log}");
    let value = std::fs::read_to_string(
        second
            .path()
            .join(".clarity/cache")
            .join(one.trim_start_matches("entries/")),
    )
    .unwrap();
    assert!(!value.contains("tampered"));
    assert_eq!(moto.etag("bkt", &one), original);
}

#[test]
fn a_half_pushed_entry_is_ignored() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(moto) = moto() else { return };
    moto.bucket("bkt");
    let mut env = moto.env();
    let first = project(EXEC);
    ok(&run(first.path(), &["run", "p.kdl"], &env));
    env.push(("CLARITY_FAULT", "remote.push.marker".into()));
    let out = run(
        first.path(),
        &["push", "p.kdl", "--remote", "s3://bkt"],
        &env,
    );
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    env.pop();
    let keys = moto.keys("bkt", "entries/");
    assert!(keys.iter().any(|k| k.ends_with("out/v.txt")), "{keys:?}");
    assert!(!keys.iter().any(|k| k.ends_with("stage.json")), "{keys:?}");

    let second = project(EXEC);
    let log = ok(&run(
        second.path(),
        &["run", "p.kdl", "--remote", "s3://bkt"],
        &env,
    ));
    assert_eq!(stages_with(&log, "ran").len(), 2, "{log}");
    assert!(!log.contains("does not match"), "{log}");
}

#[test]
fn a_missing_bucket_and_missing_credentials_are_refused_before_any_stage_runs() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(moto) = moto() else { return };
    let dir = project(EXEC);
    let out = run(
        dir.path(),
        &["run", "p.kdl", "--remote", "s3://nosuchbucket"],
        &moto.env(),
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("clarity::remote::bucket"), "{log}");
    assert!(stages_with(&log, "ran").is_empty(), "{log}");

    let env: Vec<(&str, String)> = moto
        .env()
        .into_iter()
        .filter(|(k, _)| !k.contains("SECRET"))
        .collect();
    let out = run(dir.path(), &["run", "p.kdl", "--remote", "s3://bkt"], &env);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains("clarity::remote::credentials") && log.contains("AWS_SECRET_ACCESS_KEY"),
        "{log}"
    );
    assert!(!dir.path().join(".clarity/runs").exists() || stages_with(&log, "ran").is_empty());
}

#[test]
fn an_unreachable_endpoint_is_named() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = project(EXEC);
    let port = free_port();
    let env = [
        ("AWS_ACCESS_KEY_ID", "k".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
        ("AWS_ENDPOINT", format!("http://127.0.0.1:{port}")),
        ("AWS_ALLOW_HTTP", "true".to_owned()),
    ];
    let out = run(dir.path(), &["run", "p.kdl", "--remote", "s3://b/p"], &env);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(log.contains("clarity::remote::unreachable"), "{log}");
    assert!(
        log.contains(&format!("127.0.0.1:{port}")) && log.contains("AWS_ENDPOINT"),
        "{log}"
    );
    assert!(!log.contains(SECRET), "{log}");
    assert!(stages_with(&log, "ran").is_empty(), "{log}");
}

#[test]
fn an_unknown_scheme_lists_the_supported_ones() {
    let dir = project(EXEC);
    let out = run(
        dir.path(),
        &["run", "p.kdl", "--remote", "ftp://host/cache"],
        &[],
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(
        log.contains("clarity::remote::scheme") && log.contains("s3://BUCKET/PREFIX"),
        "{log}"
    );
    assert!(stages_with(&log, "ran").is_empty(), "{log}");
}

#[test]
fn a_directory_remote_from_the_pipeline_round_trips_and_the_variable_wins() {
    let store = tempfile::tempdir().unwrap();
    let text = EXEC.replace(
        "pipeline \"chain\" {\n",
        &format!(
            "pipeline \"chain\" {{\n    cache {{\n        remote \"file://{}\"\n    }}\n",
            store.path().display()
        ),
    );
    let first = project(&text);
    let log = ok(&run(first.path(), &["run", "p.kdl"], &[]));
    assert!(log.contains("pushed 2 entries"), "{log}");
    let second = project(&text);
    let plan = run(second.path(), &["plan", "p.kdl"], &[]);
    let shown = String::from_utf8_lossy(&plan.stdout);
    let remote = shown
        .lines()
        .filter(|l| l.split_whitespace().nth(2) == Some("remote"))
        .count();
    assert_eq!(remote, 2, "{shown}{}", stderr(&plan));
    let log = ok(&run(second.path(), &["run", "p.kdl"], &[]));
    assert_eq!(stages_with(&log, "pulled"), ["one", "two"], "{log}");
    let vars = [("CLARITY_REMOTE", "ftp://elsewhere".to_owned())];
    let out = run(second.path(), &["run", "p.kdl"], &vars);
    assert!(stderr(&out).contains("clarity::remote::scheme"));
    let out = run(
        second.path(),
        &[
            "run",
            "p.kdl",
            "--remote",
            &store.path().display().to_string(),
        ],
        &vars,
    );
    assert!(stderr(&out).contains("0 ran, 2 cached"), "{}", stderr(&out));
}

/// Slurm jobs push the entries they write (the worker has the remote cache), so another
/// clone pulls a pipeline a cluster computed. Needs `scripts/local-slurm` (skipped without a
/// cluster, except under `CI=true`).
#[test]
fn slurm_jobs_push_what_they_compute() {
    let up = Command::new("sinfo")
        .args(["-h", "-o", "%t"])
        .output()
        .is_ok_and(|o| o.status.success() && !o.stdout.is_empty());
    if !up {
        assert!(std::env::var("CI").is_err(), "CI needs a Slurm cluster");
        eprintln!("skipped: no Slurm cluster (start one with scripts/local-slurm)");
        return;
    }
    let store = tempfile::tempdir().unwrap();
    let remote = store.path().display().to_string();
    let first = project(EXEC);
    let args = ["run", "p.kdl", "--executor", "slurm", "--remote", &remote];
    let log = ok(&run(first.path(), &args, &[]));
    assert_eq!(stages_with(&log, "ran").len(), 2, "{log}");
    assert_eq!(log.matches("pushed 1 entry").count(), 2, "{log}");
    let second = project(EXEC);
    let log = ok(&run(
        second.path(),
        &["run", "p.kdl", "--remote", &remote],
        &[],
    ));
    assert_eq!(stages_with(&log, "pulled"), ["one", "two"], "{log}");
}
