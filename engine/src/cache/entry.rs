//! What a complete cache entry records about itself (`stage.json`), and checking an entry's
//! files against it.
//!
//! One schema for every consumer: each output's content hash (the key that early cutoff and
//! remote caches compare) and, per file, its size, modification time and blake3 hash.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::KeyParts;
use crate::fs::{Listing, list_files};

/// The version of the `stage.json` layout; entries of another version are not trusted.
pub const ENTRY_SCHEMA: u32 = 1;

/// The metadata of a complete entry, written last into `stage.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntryMeta {
    /// [`ENTRY_SCHEMA`].
    pub schema: u32,
    /// Stage name in the run that wrote it.
    pub stage: String,
    /// Stage kind.
    pub kind: String,
    /// Implementation version of the kind.
    pub version: u32,
    /// The fingerprint hash (the entry's directory name).
    pub fingerprint: String,
    /// Resolved params, for people reading the cache.
    pub params: serde_json::Value,
    /// Metrics the stage recorded.
    pub metrics: serde_json::Value,
    /// Warnings about the result the stage recorded (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Each output's recorded content.
    pub outputs: BTreeMap<String, OutputRecord>,
    /// The fingerprint's parts, hashed: what a later plan compares to say why the stage runs
    /// again (absent in entries written before clarity recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyParts>,
}

impl EntryMeta {
    /// Each output's content hash.
    pub fn output_hashes(&self) -> BTreeMap<String, String> {
        self.outputs
            .iter()
            .map(|(name, record)| (name.clone(), record.hash.clone()))
            .collect()
    }
}

/// The recorded content of one output directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRecord {
    /// blake3 over the sorted (relative path, size, file hash) of every file: equal for
    /// byte-identical outputs, whenever and wherever they were made.
    pub hash: String,
    /// Every file, by path relative to the output directory (`/`-separated).
    pub files: BTreeMap<String, FileRecord>,
}

/// One file of an output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Length in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (the fast check).
    pub mtime_ns: u128,
    /// blake3 of the content, as hex.
    pub blake3: String,
}

/// How thoroughly to check an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    /// Hash only files whose size or modification time changed.
    Fast,
    /// Hash every file.
    Full,
}

/// Why an entry cannot be trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// `stage.json` is missing, unreadable, of another schema, or for another fingerprint.
    Meta(String),
    /// A recorded output directory is gone.
    MissingOutput(String),
    /// A recorded file is gone.
    MissingFile(String),
    /// A file is there that the entry did not record.
    ExtraFile(String),
    /// A file's content differs from its record.
    Changed(String),
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Meta(why) => write!(f, "its stage.json {why}"),
            Self::MissingOutput(o) => write!(f, "output `{o}` is missing"),
            Self::MissingFile(p) => write!(f, "`{p}` is missing"),
            Self::ExtraFile(p) => write!(f, "`{p}` was not part of it"),
            Self::Changed(p) => write!(f, "`{p}` changed since it was written"),
        }
    }
}

/// Records the content of output directory `dir`.
pub fn record_output(dir: &Path) -> io::Result<OutputRecord> {
    let mut files = BTreeMap::new();
    for (rel, path) in list_files(dir, Listing::default())? {
        let meta = fs::metadata(&path)?;
        files.insert(
            rel,
            FileRecord {
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
                blake3: hash_file(&path)?,
            },
        );
    }
    Ok(OutputRecord {
        hash: output_hash(&files),
        files,
    })
}

/// Checks the entry directory `dir` against its `stage.json`; the entry must record every
/// output in `outputs` and be for `fingerprint`.
pub fn verify_entry<'a>(
    dir: &Path,
    fingerprint: &str,
    outputs: impl Iterator<Item = &'a str>,
    how: Verify,
) -> Result<EntryMeta, Mismatch> {
    let meta = read_meta(dir)?;
    if meta.fingerprint != fingerprint {
        return Err(Mismatch::Meta("is for another fingerprint".into()));
    }
    for name in outputs {
        let record = meta
            .outputs
            .get(name)
            .ok_or_else(|| Mismatch::MissingOutput(name.to_owned()))?;
        verify_output(&dir.join(name), name, record, how)?;
    }
    Ok(meta)
}

/// Reads and parses `dir/stage.json`.
pub fn read_meta(dir: &Path) -> Result<EntryMeta, Mismatch> {
    let path = dir.join(super::ENTRY_META);
    let bytes = crate::fs::read_capped(&path, 64 << 20)
        .map_err(|e| Mismatch::Meta(format!("cannot be read ({e})")))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| Mismatch::Meta(format!("is not valid JSON ({e})")))?;
    let schema = value.get("schema").and_then(serde_json::Value::as_u64);
    if schema != Some(u64::from(ENTRY_SCHEMA)) {
        return Err(Mismatch::Meta(
            "has no content hashes (written by an older clarity)".into(),
        ));
    }
    serde_json::from_value(value).map_err(|e| Mismatch::Meta(format!("is malformed ({e})")))
}

/// Checks one output directory against its record.
pub fn verify_output(
    dir: &Path,
    name: &str,
    record: &OutputRecord,
    how: Verify,
) -> Result<(), Mismatch> {
    let shown = |rel: &str| format!("{name}/{rel}");
    if !dir.is_dir() {
        return Err(Mismatch::MissingOutput(name.to_owned()));
    }
    let found = list_files(dir, Listing::default())
        .map_err(|_| Mismatch::MissingOutput(name.to_owned()))?;
    let found: BTreeMap<String, PathBuf> = found.into_iter().collect();
    if let Some(extra) = found.keys().find(|rel| !record.files.contains_key(*rel)) {
        return Err(Mismatch::ExtraFile(shown(extra)));
    }
    for (rel, file) in &record.files {
        let path = found
            .get(rel)
            .ok_or_else(|| Mismatch::MissingFile(shown(rel)))?;
        let meta = fs::metadata(path).map_err(|_| Mismatch::MissingFile(shown(rel)))?;
        if meta.len() != file.size {
            return Err(Mismatch::Changed(shown(rel)));
        }
        if how == Verify::Fast && mtime_ns(&meta) == file.mtime_ns {
            continue;
        }
        match hash_file(path) {
            Ok(hash) if hash == file.blake3 => {}
            _ => return Err(Mismatch::Changed(shown(rel))),
        }
    }
    Ok(())
}

/// The output hash of a set of file records.
fn output_hash(files: &BTreeMap<String, FileRecord>) -> String {
    let mut hasher = blake3::Hasher::new();
    for (rel, file) in files {
        hasher.update(rel.as_bytes());
        hasher.update(&[0]);
        hasher.update(&file.size.to_le_bytes());
        hasher.update(file.blake3.as_bytes());
    }
    hasher.finalize().to_hex().to_string()
}

fn hash_file(path: &Path) -> io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    io::copy(&mut File::open(path)?, &mut hasher)?;
    Ok(hasher.finalize().to_hex().to_string())
}

fn mtime_ns(meta: &fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dir: &Path) -> EntryMeta {
        let out = dir.join("out");
        fs::create_dir_all(out.join("sub")).unwrap();
        fs::write(out.join("a.txt"), "alpha").unwrap();
        fs::write(out.join("sub/b.bin"), [1u8, 2, 3]).unwrap();
        let meta = EntryMeta {
            schema: ENTRY_SCHEMA,
            stage: "s".into(),
            kind: "exec".into(),
            version: 1,
            fingerprint: "f".into(),
            params: serde_json::json!({}),
            metrics: serde_json::json!({}),
            warnings: Vec::new(),
            outputs: [("out".to_owned(), record_output(&out).unwrap())].into(),
            key: None,
        };
        fs::write(
            dir.join(super::super::ENTRY_META),
            serde_json::to_vec(&meta).unwrap(),
        )
        .unwrap();
        meta
    }

    fn check(dir: &Path, how: Verify) -> Result<EntryMeta, Mismatch> {
        verify_entry(dir, "f", ["out"].into_iter(), how)
    }

    #[test]
    fn an_untouched_entry_verifies_and_its_hash_ignores_time() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let meta = entry(a.path());
        assert!(check(a.path(), Verify::Full).is_ok());
        assert!(check(a.path(), Verify::Fast).is_ok());
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(
            entry(b.path()).outputs["out"].hash,
            meta.outputs["out"].hash
        );
        assert_eq!(meta.outputs["out"].files.len(), 2);
        assert!(meta.outputs["out"].files.contains_key("sub/b.bin"));
    }

    #[test]
    fn tampering_is_found() {
        let dir = tempfile::tempdir().unwrap();
        entry(dir.path());
        fs::write(dir.path().join("out/a.txt"), "alphb").unwrap();
        assert_eq!(
            check(dir.path(), Verify::Fast).unwrap_err(),
            Mismatch::Changed("out/a.txt".into())
        );

        let dir = tempfile::tempdir().unwrap();
        entry(dir.path());
        fs::write(dir.path().join("out/extra"), "").unwrap();
        assert_eq!(
            check(dir.path(), Verify::Fast).unwrap_err(),
            Mismatch::ExtraFile("out/extra".into())
        );

        let dir = tempfile::tempdir().unwrap();
        entry(dir.path());
        fs::remove_file(dir.path().join("out/sub/b.bin")).unwrap();
        assert_eq!(
            check(dir.path(), Verify::Fast).unwrap_err(),
            Mismatch::MissingFile("out/sub/b.bin".into())
        );

        let dir = tempfile::tempdir().unwrap();
        entry(dir.path());
        fs::write(dir.path().join(super::super::ENTRY_META), "{\"stage\":1}").unwrap();
        assert!(matches!(
            check(dir.path(), Verify::Fast),
            Err(Mismatch::Meta(_))
        ));
    }

    #[test]
    fn a_same_size_edit_with_the_old_mtime_needs_the_full_check() {
        let dir = tempfile::tempdir().unwrap();
        entry(dir.path());
        let path = dir.path().join("out/a.txt");
        let old = fs::metadata(&path).unwrap().modified().unwrap();
        fs::write(&path, "alphX").unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(check(dir.path(), Verify::Fast).is_ok());
        assert_eq!(
            check(dir.path(), Verify::Full).unwrap_err(),
            Mismatch::Changed("out/a.txt".into())
        );
    }
}
