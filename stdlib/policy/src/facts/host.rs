use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the policies read of the machine they plan on, besides its devices.
pub trait Host: Send + Sync {
    /// The operating system, as `std::env::consts::OS` names it.
    fn os(&self) -> String;
    /// An environment variable; `None` when unset (or not Unicode).
    fn var(&self, name: &str) -> Option<String>;
    /// A file's text; `None` when it cannot be read.
    fn read_file(&self, path: &Path) -> Option<String>;
    /// Whether a file can be created in `dir`, or, when it does not exist, in its nearest
    /// existing ancestor (so it could be created). Leaves nothing behind.
    fn writable(&self, dir: &Path) -> bool;
    /// The directory for temporary files.
    fn temp_dir(&self) -> PathBuf;
}

/// The machine this process runs on.
#[derive(Debug, Default)]
pub struct RealHost {
    writable: Mutex<BTreeMap<PathBuf, bool>>,
}

impl RealHost {
    /// The real host; writability answers are remembered for the life of the value.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Host for RealHost {
    fn os(&self) -> String {
        std::env::consts::OS.to_owned()
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn read_file(&self, path: &Path) -> Option<String> {
        std::fs::read_to_string(path).ok()
    }

    fn writable(&self, dir: &Path) -> bool {
        let mut memo = self
            .writable
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *memo
            .entry(dir.to_path_buf())
            .or_insert_with(|| probe_writable(dir))
    }

    fn temp_dir(&self) -> PathBuf {
        std::env::temp_dir()
    }
}

fn probe_writable(dir: &Path) -> bool {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let Some(existing) = dir.ancestors().find(|a| a.exists()) else {
        return false;
    };
    if !existing.is_dir() {
        return false;
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let probe = existing.join(format!(".clarity-write-probe-{}-{n}", std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => std::fs::remove_file(&probe).is_ok(),
        Err(_) => false,
    }
}

/// A host made of data, for tests and for planning as if on another machine.
#[derive(Debug, Clone)]
pub struct MemoryHost {
    /// The OS name.
    pub os: String,
    /// Environment variables.
    pub vars: BTreeMap<String, String>,
    /// Files and their text.
    pub files: BTreeMap<PathBuf, String>,
    /// Directories that are not writable (with everything below them); all others are.
    pub read_only: Vec<PathBuf>,
    /// The temporary directory.
    pub temp: PathBuf,
}

impl MemoryHost {
    /// A Linux host with `HOME=/home/user`, no files, everything writable, temp `/tmp`.
    pub fn new() -> Self {
        Self {
            os: "linux".to_owned(),
            vars: BTreeMap::from([("HOME".to_owned(), "/home/user".to_owned())]),
            files: BTreeMap::new(),
            read_only: Vec::new(),
            temp: PathBuf::from("/tmp"),
        }
    }

    /// Sets an environment variable.
    pub fn var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_owned(), value.to_owned());
        self
    }

    /// Adds a file.
    pub fn file(mut self, path: impl Into<PathBuf>, text: &str) -> Self {
        self.files.insert(path.into(), text.to_owned());
        self
    }

    /// Makes `dir` and everything below it read-only.
    pub fn read_only(mut self, dir: impl Into<PathBuf>) -> Self {
        self.read_only.push(dir.into());
        self
    }
}

impl Default for MemoryHost {
    fn default() -> Self {
        Self::new()
    }
}

impl Host for MemoryHost {
    fn os(&self) -> String {
        self.os.clone()
    }

    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn read_file(&self, path: &Path) -> Option<String> {
        self.files.get(path).cloned()
    }

    fn writable(&self, dir: &Path) -> bool {
        !self.read_only.iter().any(|ro| dir.starts_with(ro))
    }

    fn temp_dir(&self) -> PathBuf {
        self.temp.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_writability_probe_sees_missing_dirs_through_their_ancestor_and_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let host = RealHost::new();
        assert!(host.writable(tmp.path()));
        assert!(host.writable(&tmp.path().join("not/yet/there")));
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
        std::fs::write(tmp.path().join("file"), b"").unwrap();
        assert!(!host.writable(&tmp.path().join("file/below")));
    }
}
