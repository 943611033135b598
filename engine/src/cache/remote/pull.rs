//! Pulling one entry: `stage.json` first (no marker, no entry), then the files it records,
//! into a temporary entry that is hashed before it moves into place.

use std::fs::File;
use std::io::Write;
use std::path::{Component, Path};
use std::time::{Duration, Instant, UNIX_EPOCH};

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt};

use super::{Remote, RemoteError};
use crate::cache::{
    Cache, ENTRY_LOG, ENTRY_META, EntryLock, EntryMeta, FileRecord, Pending, read_meta,
};

/// Files downloaded at once.
const PARALLEL: usize = 4;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What [`Remote::pull`] found.
#[derive(Debug)]
pub enum Pulled {
    /// The remote cache has no complete entry (no `stage.json`).
    Missing,
    /// The entry is in the local cache now, every file matching its recorded hash.
    Installed(Box<EntryMeta>),
    /// The remote entry is damaged: nothing was installed (why).
    Refused(String),
}

impl Remote {
    /// Pulls entry `fingerprint` with (at least) `outputs` into `cache`: downloads it into a
    /// temporary entry, hashes every file against the downloaded `stage.json`, and moves it
    /// into place only when all match. A damaged or half-pushed entry is never installed.
    pub fn pull(
        &self,
        cache: &Cache,
        fingerprint: &str,
        outputs: &[&str],
    ) -> Result<Pulled, RemoteError> {
        let clock = Instant::now();
        let marker = self.key(fingerprint, ENTRY_META);
        let store = self.store.as_ref();
        let bytes = match self.block_on(get_bytes(store, &marker)) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(Pulled::Missing),
            Err(e) => return Err(self.transfer_error("downloading", &marker, e.as_ref())),
        };
        let local = |e: crate::cache::CacheError| RemoteError::Transfer {
            url: self.shown.clone(),
            action: "writing",
            key: fingerprint.to_owned(),
            message: e.to_string(),
        };
        // Another process writing this entry here: leave it to that one (a run then waits
        // for it under the same lock).
        let Some(lock) = EntryLock::try_acquire(cache.root(), fingerprint).map_err(local)? else {
            return Ok(Pulled::Missing);
        };
        let pending = cache
            .begin(fingerprint, outputs.iter().copied(), lock)
            .map_err(local)?;
        let fetched = self.fetch_into(&pending, &bytes, fingerprint, outputs);
        let size = match fetched {
            Ok(Ok(size)) => size,
            Ok(Err(why)) => {
                cache.abandon(pending);
                return Ok(self.refused(why));
            }
            Err(e) => {
                cache.abandon(pending);
                return Err(e);
            }
        };
        let installed = cache.install(pending).map_err(|e| RemoteError::Transfer {
            url: self.shown.clone(),
            action: "installing",
            key: fingerprint.to_owned(),
            message: e.to_string(),
        })?;
        match installed {
            Ok(meta) => {
                self.record(|s| {
                    s.pulled += 1;
                    s.pulled_bytes += size;
                    s.pulled_s += clock.elapsed().as_secs_f64();
                });
                Ok(Pulled::Installed(Box::new(meta)))
            }
            Err(mismatch) => Ok(self.refused(mismatch.to_string())),
        }
    }

    /// The `stage.json` of the remote entry `fingerprint`, unchecked (for showing a plan,
    /// never for trusting an entry); `None` when the remote cache has no complete entry.
    pub fn peek(&self, fingerprint: &str) -> Result<Option<EntryMeta>, RemoteError> {
        let marker = self.key(fingerprint, ENTRY_META);
        let bytes = self
            .block_on(get_bytes(self.store.as_ref(), &marker))
            .map_err(|e| self.transfer_error("downloading", &marker, e.as_ref()))?;
        let meta = bytes.and_then(|b| serde_json::from_slice::<EntryMeta>(&b).ok());
        Ok(meta.filter(|m| m.fingerprint == fingerprint))
    }

    fn refused(&self, why: String) -> Pulled {
        self.record(|s| s.rejected += 1);
        Pulled::Refused(why)
    }

    /// Writes `marker` and downloads the files it records into `pending`; `Ok(Err(why))`
    /// when the entry cannot be what it claims. Returns the bytes downloaded.
    fn fetch_into(
        &self,
        pending: &Pending,
        marker: &[u8],
        fingerprint: &str,
        outputs: &[&str],
    ) -> Result<Result<u64, String>, RemoteError> {
        let io = |e: std::io::Error| RemoteError::Transfer {
            url: self.shown.clone(),
            action: "writing",
            key: pending.meta_path().display().to_string(),
            message: e.to_string(),
        };
        std::fs::write(pending.meta_path(), marker).map_err(io)?;
        let dir = pending
            .meta_path()
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let meta = match read_meta(&dir) {
            Ok(meta) if meta.fingerprint == fingerprint => meta,
            Ok(_) => return Ok(Err("its stage.json is for another fingerprint".into())),
            Err(why) => return Ok(Err(why.to_string())),
        };
        let mut files: Vec<(String, &FileRecord, std::path::PathBuf)> = Vec::new();
        for &name in outputs {
            let Some(record) = meta.outputs.get(name) else {
                return Ok(Err(format!("output `{name}` is missing")));
            };
            for (rel, file) in &record.files {
                if !is_relative_inside(rel) {
                    return Ok(Err(format!(
                        "it records a file outside its output: `{rel}`"
                    )));
                }
                files.push((
                    format!("{name}/{rel}"),
                    file,
                    pending.output_dir(name).join(rel),
                ));
            }
        }
        let store = self.store.as_ref();
        let downloads = files.iter().map(|(rel, file, path)| async move {
            let key = self.key(fingerprint, rel);
            match download(store, &key, path).await {
                Ok(true) => {
                    set_mtime(path, file);
                    Ok(Ok(()))
                }
                Ok(false) => Ok(Err(format!("`{rel}` is missing"))),
                Err(e) => Err(self.transfer_error("downloading", &key, e.as_ref())),
            }
        });
        let results: Vec<Result<(), String>> = self.block_on(
            futures::stream::iter(downloads)
                .buffer_unordered(PARALLEL)
                .try_collect(),
        )?;
        if let Some(Err(why)) = results.into_iter().find(Result::is_err) {
            return Ok(Err(why));
        }
        let log = self.key(fingerprint, ENTRY_LOG);
        let _ = self.block_on(download(store, &log, &pending.log_path()));
        let size = marker.len() as u64 + files.iter().map(|f| f.1.size).sum::<u64>();
        Ok(Ok(size))
    }
}

/// The object's bytes, `None` when it does not exist.
pub(super) async fn get_bytes(
    store: &dyn ObjectStore,
    key: &ObjPath,
) -> Result<Option<Vec<u8>>, BoxError> {
    match store.get(key).await {
        Ok(result) => Ok(Some(result.bytes().await?.to_vec())),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Streams the object into `path` (creating its directory); `false` when it does not exist.
async fn download(store: &dyn ObjectStore, key: &ObjPath, path: &Path) -> Result<bool, BoxError> {
    let result = match store.get(key).await {
        Ok(result) => result,
        Err(object_store::Error::NotFound { .. }) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = File::create(path)?;
    let mut stream = result.into_stream();
    while let Some(chunk) = stream.next().await {
        file.write_all(&chunk?)?;
    }
    file.flush()?;
    Ok(true)
}

/// Gives a downloaded file its recorded modification time, so the quick check of later runs
/// (size and time) holds once the install has hashed it.
fn set_mtime(path: &Path, file: &FileRecord) {
    let nanos = u64::try_from(file.mtime_ns).unwrap_or(u64::MAX);
    let time = UNIX_EPOCH + Duration::from_nanos(nanos);
    if let Ok(f) = File::options().write(true).open(path) {
        let _ = f.set_modified(time);
    }
}

/// Whether `rel` is a plain relative path (no `..`, no root): a recorded file name must not
/// point outside its output directory.
fn is_relative_inside(rel: &str) -> bool {
    Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
}
