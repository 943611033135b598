//! A job's log, followed while it runs: the worker's lines are shown as the driver's own.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::Reporter;

/// Reads what a job appended to its log since the last call.
pub struct LogFollower {
    path: PathBuf,
    offset: u64,
    partial: String,
}

impl LogFollower {
    /// Follows `path` from its current end (a requeued job appends to the same log).
    pub fn new(path: &Path) -> Self {
        let offset = std::fs::metadata(path).map_or(0, |m| m.len());
        Self {
            path: path.to_path_buf(),
            offset,
            partial: String::new(),
        }
    }

    /// Reports each complete new line as stage `stage`'s (the worker's `  [stage] ` prefix
    /// taken off, so they read as in a local run).
    pub fn pump(&mut self, reporter: &dyn Reporter, stage: &str) {
        let Ok(mut file) = std::fs::File::open(&self.path) else {
            return;
        };
        let mut bytes = Vec::new();
        if file.seek(SeekFrom::Start(self.offset)).is_err() || file.read_to_end(&mut bytes).is_err()
        {
            return;
        }
        self.offset += bytes.len() as u64;
        self.partial.push_str(&String::from_utf8_lossy(&bytes));
        let prefix = format!("  [{stage}] ");
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            let line = line.trim_end();
            if line.is_empty() {
                continue;
            }
            match line.strip_prefix(&prefix) {
                Some(rest) => match rest.strip_prefix("warning: ") {
                    Some(warning) => reporter.warn(stage, warning),
                    None => reporter.info(stage, rest),
                },
                None => reporter.info(stage, line.trim_start()),
            }
        }
    }
}
