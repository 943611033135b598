//! Locks on the cache, as advisory file locks (released when dropped or when the process
//! dies): [`CacheLock`] on the whole cache — shared by runs and workers, exclusive for
//! `clarity gc` — and [`EntryLock`] on one entry while it is written, so any number of
//! drivers and cluster jobs share one cache and never write the same entry at once.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::CacheError;

/// The directory under the cache root that holds one lock file per entry ever written.
pub const LOCKS_DIR: &str = "locks";

/// A lock on a whole cache directory.
#[derive(Debug)]
pub struct CacheLock {
    _file: File,
}

impl CacheLock {
    /// The lock a run or worker holds: shared with other runs, refused while `gc` holds it.
    pub fn shared(root: &Path) -> Result<Self, CacheError> {
        let path = root.join("lock");
        let file = open(&path)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(CacheError::Locked {
                path: root.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(CacheError::io("cannot lock", &path)(e)),
        }
    }

    /// The lock `gc` holds: no run or worker uses the cache meanwhile.
    pub fn exclusive(root: &Path) -> Result<Self, CacheError> {
        let path = root.join("lock");
        let file = open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(CacheError::Locked {
                path: root.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(CacheError::io("cannot lock", &path)(e)),
        }
    }
}

/// The exclusive lock on one entry, held from its temporary directory's creation to its
/// rename into place.
#[derive(Debug)]
pub struct EntryLock {
    _file: File,
}

/// How taking an [`EntryLock`] went.
#[derive(Debug)]
pub enum Acquired {
    /// Taken at once.
    Free(EntryLock),
    /// Taken after another process released it (it may have written the entry meanwhile).
    AfterWaiting(EntryLock),
    /// `cancel` was set while waiting.
    Cancelled,
}

impl EntryLock {
    /// The lock file of entry `fingerprint`.
    pub fn path(root: &Path, fingerprint: &str) -> PathBuf {
        root.join(LOCKS_DIR).join(fingerprint)
    }

    /// Takes the lock of `fingerprint` if it is free.
    pub fn try_acquire(root: &Path, fingerprint: &str) -> Result<Option<Self>, CacheError> {
        let dir = root.join(LOCKS_DIR);
        std::fs::create_dir_all(&dir).map_err(CacheError::io("cannot create", &dir))?;
        let path = Self::path(root, fingerprint);
        let file = open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(CacheError::io("cannot lock", &path)(e)),
        }
    }

    /// Takes the lock of `fingerprint`, waiting while another process holds it (calling
    /// `waiting` once) until it is free or `cancel` is set.
    pub fn acquire(
        root: &Path,
        fingerprint: &str,
        cancel: &AtomicBool,
        waiting: impl FnOnce(),
    ) -> Result<Acquired, CacheError> {
        if let Some(lock) = Self::try_acquire(root, fingerprint)? {
            return Ok(Acquired::Free(lock));
        }
        waiting();
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Ok(Acquired::Cancelled);
            }
            std::thread::sleep(Duration::from_millis(200));
            if let Some(lock) = Self::try_acquire(root, fingerprint)? {
                return Ok(Acquired::AfterWaiting(lock));
            }
        }
    }
}

fn open(path: &Path) -> Result<File, CacheError> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(CacheError::io("cannot open the lock file", path))
}
