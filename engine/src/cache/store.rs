use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::entry::{EntryMeta, Mismatch, Verify, record_output, verify_entry};
use super::{CacheError, CacheLock, EntryLock};

/// The name of the metadata file of a complete entry; written last, before the rename.
pub const ENTRY_META: &str = "stage.json";

/// The log a stage may keep in its entry (e.g. `exec`'s command output), next to
/// `stage.json`, so no output may have this name.
pub const ENTRY_LOG: &str = "stage.log";

/// The scratch directory of an entry being written (removed before the entry is committed),
/// so no output may have this name.
pub const SCRATCH_DIR: &str = "scratch";

/// The directory under the cache root where stages keep state across killed runs, one
/// directory per stage fingerprint (see [`crate::StageContext::resume_dir`]).
pub const RESUME_DIR: &str = "resume";

/// The cache: `ROOT/cache/<fingerprint>/<output>/` holds complete entries, `ROOT/tmp/` entries
/// being written, `ROOT/runs/` run manifests.
#[derive(Debug)]
pub struct Cache {
    root: PathBuf,
    counter: AtomicUsize,
}

/// An entry being written: output directories under a temporary directory, and the
/// entry's lock, held until it is committed or abandoned.
#[derive(Debug)]
pub struct Pending {
    dir: PathBuf,
    fingerprint: String,
    outputs: Vec<String>,
    _lock: EntryLock,
}

impl Cache {
    /// The cache at `root` (e.g. `.clarity`), creating its directories.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, CacheError> {
        let root = root.into();
        for sub in ["cache", "tmp", "runs"] {
            let dir = root.join(sub);
            fs::create_dir_all(&dir).map_err(CacheError::io("cannot create", &dir))?;
        }
        Ok(Self {
            root,
            counter: AtomicUsize::new(0),
        })
    }

    /// The cache's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Takes the lock a run or worker holds: shared with other runs and workers, refused
    /// while `gc` runs.
    pub fn lock(&self) -> Result<CacheLock, CacheError> {
        CacheLock::shared(&self.root)
    }

    /// Takes the lock `gc` holds: refused while any run or worker uses the cache.
    pub fn lock_exclusive(&self) -> Result<CacheLock, CacheError> {
        CacheLock::exclusive(&self.root)
    }

    /// Takes the lock of entry `fingerprint` if no other process is writing it.
    pub fn try_lock_entry(&self, fingerprint: &str) -> Result<Option<EntryLock>, CacheError> {
        EntryLock::try_acquire(&self.root, fingerprint)
    }

    /// Removes the temporary entries of interrupted runs: those whose entry lock is free
    /// (an entry another process is writing keeps its directory).
    pub fn clean_tmp(&self) -> Result<(), CacheError> {
        let tmp = self.root.join("tmp");
        let entries = fs::read_dir(&tmp).map_err(CacheError::io("cannot list", &tmp))?;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let fingerprint = name.split('.').next().unwrap_or_default();
            if let Some(_lock) = self.try_lock_entry(fingerprint)? {
                let path = entry.path();
                fs::remove_dir_all(&path).map_err(CacheError::io("cannot remove", &path))?;
            }
        }
        Ok(())
    }

    /// Removes the temporary directories of entry `fingerprint` (left by an interrupted
    /// writer; the caller holds its lock).
    fn clean_tmp_of(&self, fingerprint: &str) {
        let tmp = self.root.join("tmp");
        let prefix = format!("{fingerprint}.");
        for entry in fs::read_dir(&tmp).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }

    /// Where the complete entry of `fingerprint` lives.
    pub fn entry_dir(&self, fingerprint: &str) -> PathBuf {
        self.root.join("cache").join(fingerprint)
    }

    /// The log kept in the complete entry of `fingerprint` ([`ENTRY_LOG`]), if any.
    pub fn log_path(&self, fingerprint: &str) -> PathBuf {
        self.entry_dir(fingerprint).join(ENTRY_LOG)
    }

    /// Where output `output` of the entry `fingerprint` lives.
    pub fn output_dir(&self, fingerprint: &str, output: &str) -> PathBuf {
        self.entry_dir(fingerprint).join(output)
    }

    /// Checks the entry of `fingerprint` against its recorded content hashes: `None` when
    /// there is no entry, else whether it has every output in `outputs`, untouched.
    pub fn verify<'a>(
        &self,
        fingerprint: &str,
        outputs: impl Iterator<Item = &'a str>,
        how: Verify,
    ) -> Option<Result<EntryMeta, Mismatch>> {
        let dir = self.entry_dir(fingerprint);
        if !dir.exists() {
            return None;
        }
        Some(verify_entry(&dir, fingerprint, outputs, how))
    }

    /// Starts writing the entry `fingerprint` with these outputs, under its `lock`: removes
    /// what an interrupted writer of it left, creates a fresh temporary directory with one
    /// empty directory per output and a `scratch/` directory.
    pub fn begin<'a>(
        &self,
        fingerprint: &str,
        outputs: impl Iterator<Item = &'a str>,
        lock: EntryLock,
    ) -> Result<Pending, CacheError> {
        self.clean_tmp_of(fingerprint);
        let outputs: Vec<String> = outputs.map(str::to_owned).collect();
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let dir = self
            .root
            .join("tmp")
            .join(format!("{fingerprint}.{}.{n}", std::process::id()));
        for sub in outputs.iter().map(String::as_str).chain([SCRATCH_DIR]) {
            let path = dir.join(sub);
            fs::create_dir_all(&path).map_err(CacheError::io("cannot create", &path))?;
        }
        Ok(Pending {
            dir,
            fingerprint: fingerprint.to_owned(),
            outputs,
            _lock: lock,
        })
    }

    /// Completes an entry: removes its scratch directory, records each output's content
    /// (sizes, times, hashes) into `meta`, writes it as `stage.json`, and moves the entry into
    /// place in one rename (replacing an older entry of the same fingerprint). Returns the
    /// metadata written.
    pub fn commit(&self, pending: Pending, mut meta: EntryMeta) -> Result<EntryMeta, CacheError> {
        let scratch = pending.scratch_dir();
        fs::remove_dir_all(&scratch).map_err(CacheError::io("cannot remove", &scratch))?;
        meta.outputs.clear();
        for name in &pending.outputs {
            let dir = pending.output_dir(name);
            let record = record_output(&dir).map_err(CacheError::io("cannot hash", &dir))?;
            meta.outputs.insert(name.clone(), record);
        }
        let meta_path = pending.meta_path();
        let text = serde_json::to_string_pretty(&meta).unwrap_or_default();
        fs::write(&meta_path, text).map_err(CacheError::io("cannot write", &meta_path))?;
        crate::fault::point("cache.commit");
        self.move_into_place(&pending)?;
        Ok(meta)
    }

    /// Installs an entry fetched from elsewhere (a remote cache): `pending` holds its outputs
    /// and its `stage.json` (at [`Pending::meta_path`]). Every file is hashed and checked
    /// against that record; the entry moves into place (like [`Cache::commit`]) only when all
    /// match, else it is removed and `Ok(Err(why))` returned.
    pub fn install(&self, pending: Pending) -> Result<Result<EntryMeta, Mismatch>, CacheError> {
        let _ = fs::remove_dir_all(pending.scratch_dir());
        let outputs = pending.outputs.iter().map(String::as_str);
        match verify_entry(&pending.dir, &pending.fingerprint, outputs, Verify::Full) {
            Ok(meta) => self.move_into_place(&pending).map(|()| Ok(meta)),
            Err(mismatch) => {
                self.abandon(pending);
                Ok(Err(mismatch))
            }
        }
    }

    /// Moves a pending entry into place in one rename, replacing an older entry of the same
    /// fingerprint.
    fn move_into_place(&self, pending: &Pending) -> Result<(), CacheError> {
        let target = self.entry_dir(&pending.fingerprint);
        if target.exists() {
            let old = pending.dir.with_extension("old");
            fs::rename(&target, &old).map_err(CacheError::io("cannot move aside", &target))?;
            let _ = fs::remove_dir_all(&old);
        }
        fs::rename(&pending.dir, &target)
            .map_err(CacheError::io("cannot move into the cache", &target))
    }

    /// The `stage.json` of the complete entry of `fingerprint`, unchecked (for explaining
    /// why a stage runs, never for trusting an entry).
    pub fn read_meta(&self, fingerprint: &str) -> Option<EntryMeta> {
        super::entry::read_meta(&self.entry_dir(fingerprint)).ok()
    }

    /// Abandons an entry: removes its temporary directory.
    pub fn abandon(&self, pending: Pending) {
        let _ = fs::remove_dir_all(&pending.dir);
    }
}

impl Pending {
    /// The temporary directory of output `name`.
    pub fn output_dir(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Where its `stage.json` goes (written by [`Cache::commit`], or fetched before
    /// [`Cache::install`]).
    pub fn meta_path(&self) -> PathBuf {
        self.dir.join(ENTRY_META)
    }

    /// Where its log ([`ENTRY_LOG`]) goes.
    pub fn log_path(&self) -> PathBuf {
        self.dir.join(ENTRY_LOG)
    }

    /// The scratch directory.
    pub fn scratch_dir(&self) -> PathBuf {
        self.dir.join(SCRATCH_DIR)
    }
}
