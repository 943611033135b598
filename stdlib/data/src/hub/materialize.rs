use std::path::Path;

use serde::Serialize;

use super::error::FetchError;
use super::fetch::FetchedRepo;

/// The name of the description file a fetched artifact directory gets.
pub const FETCH_FILE: &str = "fetch.json";

#[derive(Serialize)]
struct FetchRecord<'a> {
    repo: String,
    revision: &'a str,
    commit: &'a str,
    files: Vec<FileRecord<'a>>,
}

#[derive(Serialize)]
struct FileRecord<'a> {
    name: &'a str,
    bytes: u64,
}

/// Lays the fetched files out in `dir` under their repo paths, as symbolic links to the cached
/// (or local) files, and writes [`FETCH_FILE`] describing repo, revision, commit and files.
/// Returns the JSON written, for run records.
pub fn link_fetched(fetched: &FetchedRepo, dir: &Path) -> Result<serde_json::Value, FetchError> {
    let local = |path: &Path, message: String| FetchError::Local {
        path: path.to_path_buf(),
        message,
    };
    let mut files = Vec::with_capacity(fetched.files.len());
    for file in &fetched.files {
        let target =
            std::fs::canonicalize(&file.path).map_err(|e| local(&file.path, e.to_string()))?;
        let bytes = std::fs::metadata(&target)
            .map_err(|e| local(&target, e.to_string()))?
            .len();
        let link = file
            .name
            .split('/')
            .fold(dir.to_path_buf(), |p, part| p.join(part));
        if let Some(parent) = link.parent() {
            std::fs::create_dir_all(parent).map_err(|e| local(parent, e.to_string()))?;
        }
        symlink(&target, &link).map_err(|e| local(&link, e.to_string()))?;
        files.push(FileRecord {
            name: &file.name,
            bytes,
        });
    }
    let record = FetchRecord {
        repo: fetched.repo.to_string(),
        revision: &fetched.revision,
        commit: &fetched.commit,
        files,
    };
    let value = serde_json::to_value(&record).map_err(|e| local(dir, e.to_string()))?;
    let path = dir.join(FETCH_FILE);
    let text = serde_json::to_string_pretty(&value).map_err(|e| local(&path, e.to_string()))?;
    std::fs::write(&path, text).map_err(|e| local(&path, e.to_string()))?;
    Ok(value)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::fs::copy(target, link).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::{FetchedFile, RepoId};

    #[test]
    fn links_files_under_their_repo_paths() {
        let src = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("data")).unwrap();
        std::fs::write(src.path().join("data/train.csv"), "a\n1\n").unwrap();
        let fetched = FetchedRepo {
            repo: RepoId::dataset("org/d"),
            revision: "main".into(),
            commit: "c".repeat(40),
            files: vec![FetchedFile {
                name: "data/train.csv".into(),
                path: src.path().join("data/train.csv"),
            }],
            used_network: false,
            notes: vec![],
        };
        let record = link_fetched(&fetched, out.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.path().join("data/train.csv")).unwrap(),
            "a\n1\n"
        );
        assert_eq!(record["files"][0]["bytes"], 4);
        assert_eq!(record["repo"], "datasets/org/d");
        assert!(out.path().join("fetch.json").is_file());
    }
}
