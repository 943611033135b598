//! A small Hub-like HTTP server on 127.0.0.1 for tests: the repo-info API
//! (`/api/{models,datasets}/{id}/revision/{rev}`) and file resolution
//! (`/{id}/resolve/{rev}/{file}`, `/datasets/{id}/resolve/...`) with the headers hf-hub reads:
//! `ETag`, `X-Repo-Commit`, `Content-Length`, and for LFS-like files a 302 to `/cdn/<sha>` with
//! `X-Linked-Etag` / `X-Linked-Size`. It only binds 127.0.0.1, serves at most a bounded number of
//! connections, and stops when dropped.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A file of a fake repo.
#[derive(Clone)]
pub struct FakeFile {
    pub content: Vec<u8>,
    /// Served like an LFS file: HEAD answers 302 to a CDN URL with linked etag/size.
    pub lfs: bool,
    /// Listed in the repo but the resolve endpoint answers 404.
    pub broken: bool,
}

impl FakeFile {
    pub fn small(content: impl Into<Vec<u8>>) -> Self {
        Self {
            content: content.into(),
            lfs: false,
            broken: false,
        }
    }

    pub fn lfs(content: impl Into<Vec<u8>>) -> Self {
        Self {
            content: content.into(),
            lfs: true,
            broken: false,
        }
    }
}

/// One commit of a fake repo.
#[derive(Clone, Default)]
pub struct FakeCommit {
    pub files: BTreeMap<String, FakeFile>,
}

/// A fake repo: commits by id, refs (branches/tags) to commit ids.
#[derive(Clone, Default)]
pub struct FakeRepo {
    pub commits: BTreeMap<String, FakeCommit>,
    pub refs: BTreeMap<String, String>,
}

type Repos = BTreeMap<(String, String), FakeRepo>;

/// A request the server saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
}

pub struct HubServer {
    pub url: String,
    stop: Arc<AtomicBool>,
    /// When set, file bodies are cut off halfway (after a correct Content-Length).
    pub cut_bodies: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

const MAX_CONNECTIONS: usize = 500;
const MAX_LIFETIME: Duration = Duration::from_secs(120);

impl HubServer {
    /// Serves `repos`, keyed by (`models` | `datasets`, `owner/name`).
    pub fn start(repos: Vec<((&str, &str), FakeRepo)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let repos: Arc<Repos> = Arc::new(
            repos
                .into_iter()
                .map(|((kind, id), repo)| ((kind.to_string(), id.to_string()), repo))
                .collect(),
        );
        let stop = Arc::new(AtomicBool::new(false));
        let cut_bodies = Arc::new(AtomicBool::new(false));
        let log = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, cut, log, url) =
                (stop.clone(), cut_bodies.clone(), log.clone(), url.clone());
            std::thread::spawn(move || accept_loop(listener, repos, stop, cut, log, url))
        };
        Self {
            url,
            stop,
            cut_bodies,
            log,
            thread: Some(thread),
        }
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }

    /// Number of GET requests for file contents (resolve or CDN).
    pub fn content_gets(&self) -> usize {
        self.seen()
            .iter()
            .filter(|s| {
                s.method == "GET" && (s.path.contains("/resolve/") || s.path.starts_with("/cdn/"))
            })
            .count()
    }
}

impl Drop for HubServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    repos: Arc<Repos>,
    stop: Arc<AtomicBool>,
    cut: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Seen>>>,
    url: String,
) {
    let started = Instant::now();
    let mut served = 0;
    while !stop.load(Ordering::SeqCst)
        && started.elapsed() < MAX_LIFETIME
        && served < MAX_CONNECTIONS
    {
        match listener.accept() {
            Ok((stream, _)) => {
                served += 1;
                let (repos, cut, log, url, stop) = (
                    repos.clone(),
                    cut.clone(),
                    log.clone(),
                    url.clone(),
                    stop.clone(),
                );
                std::thread::spawn(move || {
                    serve_connection(stream, &repos, &cut, &log, &url, &stop)
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(_) => break,
        }
    }
}

fn serve_connection(
    stream: TcpStream,
    repos: &Repos,
    cut: &AtomicBool,
    log: &Mutex<Vec<Seen>>,
    url: &str,
    stop: &AtomicBool,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut writer = write_half;
    for _ in 0..100 {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut content_length = 0usize;
        let mut authorization = None;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
                if name.eq_ignore_ascii_case("authorization") {
                    authorization = Some(value.trim().to_string());
                }
            }
        }
        let mut body = vec![0u8; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let path = target.split('?').next().unwrap_or("").to_string();
        log.lock().unwrap().push(Seen {
            method: method.to_string(),
            path: path.clone(),
            authorization,
        });
        let response = route(method, &path, repos, url);
        let head_only = method == "HEAD";
        let cut_now = cut.load(Ordering::SeqCst) && response.is_file && !head_only;
        if write_response(&mut writer, &response, head_only, cut_now).is_err() || cut_now {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    is_file: bool,
}

impl Response {
    fn json(status: u16, body: String, error_code: Option<&str>) -> Self {
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        if let Some(code) = error_code {
            headers.push(("X-Error-Code".into(), code.into()));
        }
        Self {
            status,
            headers,
            body: body.into_bytes(),
            is_file: false,
        }
    }
}

fn write_response(
    w: &mut TcpStream,
    r: &Response,
    head_only: bool,
    cut: bool,
) -> std::io::Result<()> {
    let reason = match r.status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        302 => "Found",
        404 => "Not Found",
        _ => "Other",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Length: {}\r\n",
        r.status,
        r.body.len()
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    if !head_only {
        let body = if cut {
            &r.body[..r.body.len() / 2]
        } else {
            &r.body[..]
        };
        w.write_all(body)?;
    }
    w.flush()
}

/// A stable fake etag for content: FNV-1a, hex, padded to `len`.
pub fn fake_hash(content: &[u8], len: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in content {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}").repeat(len.div_ceil(16))[..len].to_string()
}

fn route(method: &str, path: &str, repos: &Repos, url: &str) -> Response {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if segments.first() == Some(&"api") && segments.len() >= 6 && segments[3] == "private" {
        // The Hub answers 401 + RepoNotFound for a missing or private repo without a token,
        // and 403 + GatedRepo for a gated one.
        return Response::json(
            401,
            "{\"error\":\"Repository Not Found\"}".into(),
            Some("RepoNotFound"),
        );
    }
    if segments.first() == Some(&"api") && segments.len() >= 6 && segments[3] == "gated" {
        return Response::json(
            403,
            "{\"error\":\"Access restricted\"}".into(),
            Some("GatedRepo"),
        );
    }
    if segments.first() == Some(&"api") && segments.len() >= 6 && segments[4] == "revision" {
        let key = (
            segments[1].to_string(),
            format!("{}/{}", segments[2], segments[3]),
        );
        return repo_info(repos, &key, &decode(segments[5]));
    }
    if segments.first() == Some(&"cdn") && segments.len() == 2 {
        return cdn(repos, segments[1]);
    }
    let (kind, rest) = if segments.first() == Some(&"datasets") {
        ("datasets", &segments[1..])
    } else {
        ("models", &segments[..])
    };
    if rest.len() >= 5 && rest[2] == "resolve" {
        let key = (kind.to_string(), format!("{}/{}", rest[0], rest[1]));
        return resolve(
            method,
            repos,
            &key,
            &decode(rest[3]),
            &rest[4..].join("/"),
            url,
        );
    }
    Response::json(404, "{\"error\":\"no route\"}".into(), None)
}

fn decode(segment: &str) -> String {
    segment.replace("%2F", "/")
}

fn commit_of<'a>(repo: &'a FakeRepo, revision: &str) -> Option<(&'a str, &'a FakeCommit)> {
    let commit = repo
        .refs
        .get(revision)
        .map(String::as_str)
        .unwrap_or(revision);
    repo.commits
        .get_key_value(commit)
        .map(|(k, v)| (k.as_str(), v))
}

fn repo_info(repos: &Repos, key: &(String, String), revision: &str) -> Response {
    let Some(repo) = repos.get(key) else {
        return Response::json(
            404,
            "{\"error\":\"Repository not found\"}".into(),
            Some("RepoNotFound"),
        );
    };
    let Some((commit, files)) = commit_of(repo, revision) else {
        return Response::json(
            404,
            format!("{{\"error\":\"Invalid rev id: {revision}\"}}"),
            Some("RevisionNotFound"),
        );
    };
    let siblings: Vec<String> = files
        .files
        .keys()
        .map(|f| format!("{{\"rfilename\":\"{f}\"}}"))
        .collect();
    let body = format!(
        "{{\"id\":\"{}\",\"sha\":\"{commit}\",\"siblings\":[{}]}}",
        key.1,
        siblings.join(",")
    );
    Response::json(200, body, None)
}

fn resolve(
    method: &str,
    repos: &Repos,
    key: &(String, String),
    revision: &str,
    file: &str,
    url: &str,
) -> Response {
    let not_found = |code| Response::json(404, "{\"error\":\"not found\"}".into(), Some(code));
    let Some(repo) = repos.get(key) else {
        return not_found("RepoNotFound");
    };
    let Some((commit, files)) = commit_of(repo, revision) else {
        return not_found("RevisionNotFound");
    };
    let mut missing = not_found("EntryNotFound");
    missing
        .headers
        .push(("X-Repo-Commit".into(), commit.into()));
    let Some(found) = files.files.get(file).filter(|f| !f.broken) else {
        return missing;
    };
    if found.lfs {
        let sha = fake_hash(&found.content, 64);
        let headers = vec![
            ("Location".into(), format!("{url}/cdn/{sha}")),
            ("X-Repo-Commit".into(), commit.into()),
            ("X-Linked-Etag".into(), format!("\"{sha}\"")),
            ("X-Linked-Size".into(), found.content.len().to_string()),
            (
                "ETag".into(),
                format!("\"{}\"", fake_hash(file.as_bytes(), 40)),
            ),
        ];
        let _ = method;
        return Response {
            status: 302,
            headers,
            body: Vec::new(),
            is_file: false,
        };
    }
    let headers = vec![
        (
            "ETag".into(),
            format!("\"{}\"", fake_hash(&found.content, 40)),
        ),
        ("X-Repo-Commit".into(), commit.into()),
    ];
    Response {
        status: 200,
        headers,
        body: found.content.clone(),
        is_file: true,
    }
}

fn cdn(repos: &Repos, sha: &str) -> Response {
    for repo in repos.values() {
        for commit in repo.commits.values() {
            if let Some(f) = commit
                .files
                .values()
                .find(|f| f.lfs && fake_hash(&f.content, 64) == sha)
            {
                return Response {
                    status: 200,
                    headers: vec![],
                    body: f.content.clone(),
                    is_file: true,
                };
            }
        }
    }
    Response::json(404, "{\"error\":\"no blob\"}".into(), None)
}
