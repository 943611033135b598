//! Pushing one complete local entry: its files, its log, then its `stage.json` (the marker).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use super::{Remote, RemoteError};
use crate::cache::{Cache, ENTRY_LOG, ENTRY_META, Verify, read_meta, verify_entry};

/// Files above this size go up in parts.
const MULTIPART_FROM: u64 = 64 << 20;
/// The size of one part.
const PART: usize = 16 << 20;
/// Files uploaded at once.
const PARALLEL: usize = 4;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What [`Remote::push`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pushed {
    /// The entry was uploaded: this many bytes.
    Uploaded(u64),
    /// The remote cache already had it complete.
    Present,
}

impl Remote {
    /// Pushes the complete local entry `fingerprint`, checked against its recorded hashes
    /// first: every file, its log, and `stage.json` last, so a reader never trusts a
    /// half-pushed entry. An entry the remote already has is left alone unless `replace`
    /// (the remote copy was refused and the stage recomputed): then its marker is removed
    /// before the files are uploaded again.
    pub fn push(
        &self,
        cache: &Cache,
        fingerprint: &str,
        replace: bool,
    ) -> Result<Pushed, RemoteError> {
        let clock = Instant::now();
        let dir = cache.entry_dir(fingerprint);
        let files = self.local_files(&dir, fingerprint)?;
        let marker = self.key(fingerprint, ENTRY_META);
        let store = self.store.as_ref();
        let bytes = self.block_on(async {
            if replace {
                match store.delete(&marker).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(self.transfer_error("removing", &marker, &e)),
                }
            } else {
                match store.head(&marker).await {
                    Ok(_) => return Ok(None),
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(self.transfer_error("looking up", &marker, &e)),
                }
            }
            let uploads = files.iter().map(|(rel, path, size)| async move {
                let key = self.key(fingerprint, rel);
                upload(store, path, &key, *size)
                    .await
                    .map_err(|e| self.transfer_error("uploading", &key, e.as_ref()))
            });
            futures::stream::iter(uploads)
                .buffer_unordered(PARALLEL)
                .try_collect::<Vec<()>>()
                .await?;
            crate::fault::point("remote.push.marker");
            let meta_path = dir.join(ENTRY_META);
            let size = std::fs::metadata(&meta_path).map_or(0, |m| m.len());
            upload(store, &meta_path, &marker, size)
                .await
                .map_err(|e| self.transfer_error("uploading", &marker, e.as_ref()))?;
            Ok(Some(files.iter().map(|f| f.2).sum::<u64>() + size))
        })?;
        let Some(bytes) = bytes else {
            self.record(|s| s.present += 1);
            return Ok(Pushed::Present);
        };
        self.record(|s| {
            s.pushed += 1;
            s.pushed_bytes += bytes;
            s.pushed_s += clock.elapsed().as_secs_f64();
        });
        Ok(Pushed::Uploaded(bytes))
    }

    /// The entry's files (output files as recorded, and its log if any), after checking them
    /// against `stage.json`: `(key under the entry, local path, size)`.
    fn local_files(
        &self,
        dir: &Path,
        fingerprint: &str,
    ) -> Result<Vec<(String, PathBuf, u64)>, RemoteError> {
        let refuse = |why: String| RemoteError::Transfer {
            url: self.shown.clone(),
            action: "pushing the local entry",
            key: dir.display().to_string(),
            message: why,
        };
        let meta = read_meta(dir).map_err(|m| refuse(m.to_string()))?;
        let names = meta.outputs.keys().map(String::as_str);
        verify_entry(dir, fingerprint, names, Verify::Fast).map_err(|m| {
            refuse(format!(
                "it does not match its recorded hashes ({m}); `clarity run` recomputes it"
            ))
        })?;
        let mut files = Vec::new();
        for (output, record) in &meta.outputs {
            for (rel, file) in &record.files {
                let path = dir.join(output).join(rel);
                files.push((format!("{output}/{rel}"), path, file.size));
            }
        }
        let log = dir.join(ENTRY_LOG);
        if let Ok(m) = std::fs::metadata(&log) {
            files.push((ENTRY_LOG.to_owned(), log, m.len()));
        }
        Ok(files)
    }
}

/// Uploads one file: in one request, or in parts when large.
async fn upload(
    store: &dyn ObjectStore,
    path: &Path,
    key: &ObjPath,
    size: u64,
) -> Result<(), BoxError> {
    if size <= MULTIPART_FROM {
        let bytes = std::fs::read(path)?;
        store.put(key, PutPayload::from(bytes)).await?;
        return Ok(());
    }
    let mut file = std::fs::File::open(path)?;
    let mut writer = WriteMultipart::new_with_chunk_size(store.put_multipart(key).await?, PART);
    let mut buf = vec![0u8; PART];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        writer.wait_for_capacity(PARALLEL).await?;
        writer.write(&buf[..n]);
    }
    writer.finish().await?;
    Ok(())
}
