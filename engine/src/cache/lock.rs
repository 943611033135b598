use std::fs::{File, TryLockError};
use std::path::Path;

use super::CacheError;

/// An exclusive lock on a cache directory, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct CacheLock {
    _file: File,
}

impl CacheLock {
    /// Takes the lock at `root/lock`, or fails at once if another run holds it.
    pub fn acquire(root: &Path) -> Result<Self, CacheError> {
        let path = root.join("lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(CacheError::io("cannot open the lock file", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(TryLockError::WouldBlock) => Err(CacheError::Locked {
                path: root.to_path_buf(),
            }),
            Err(TryLockError::Error(e)) => Err(CacheError::io("cannot lock", &path)(e)),
        }
    }
}
