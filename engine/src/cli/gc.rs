//! `clarity gc [--keep N] [--dry-run]`: keeps the last N runs of each pipeline and removes
//! the rest — older run manifests, cache entries no kept run names, resume directories no
//! kept run names, and temporary directories — under the cache lock, so never anything a
//! running `clarity run` holds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::cache::{Cache, ENTRY_META, RESUME_DIR};
use crate::diag::Style;

use super::load::print_error;
use super::recorded::{RecordedRun, read_runs, relative};
use super::runs::utc;
use super::{CliError, EXIT_OK, EXIT_RUNTIME, GcArgs};

/// What one kind of leftover is, for the listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    Run,
    Entry,
    Resume,
    Logs,
    Tmp,
}

impl What {
    fn name(self) -> &'static str {
        match self {
            Self::Run => "run",
            Self::Entry => "entry",
            Self::Resume => "resume",
            Self::Logs => "logs",
            Self::Tmp => "tmp",
        }
    }

    fn plural(self, n: usize) -> String {
        let noun = match self {
            Self::Run => "run",
            Self::Entry => "cache entry",
            Self::Resume => "resume directory",
            Self::Logs => "live logs directory",
            Self::Tmp => "temporary directory",
        };
        match (n, self) {
            (1, _) => format!("1 {noun}"),
            (_, Self::Entry) => format!("{n} cache entries"),
            (_, Self::Resume | Self::Logs | Self::Tmp) => {
                format!("{n} {}ies", &noun[..noun.len() - 1])
            }
            _ => format!("{n} {noun}s"),
        }
    }
}

/// One directory to remove.
#[derive(Debug)]
struct Doomed {
    what: What,
    path: PathBuf,
    /// What it was: a run's pipeline and start, an entry's stage and kind.
    about: String,
    bytes: u64,
}

/// `clarity gc`.
pub fn gc(args: &GcArgs, style: Style) -> u8 {
    let root = match std::env::current_dir() {
        Ok(cwd) => cwd.join(".clarity"),
        Err(e) => return print_error(CliError::Cwd(e), style).unwrap_or(EXIT_RUNTIME),
    };
    if !root.is_dir() {
        println!("nothing to collect: no .clarity directory here");
        return EXIT_OK;
    }
    let lock = Cache::open(&root).and_then(|cache| cache.lock_exclusive());
    let _lock = match lock {
        Ok(lock) => lock,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let runs = read_runs(&root.join("runs"));
    let (kept, doomed) = collect(&root, &runs, args.keep);
    print!("{}", listing(&doomed, args.dry_run));
    let mut failed = false;
    if !args.dry_run {
        for d in &doomed {
            if let Err(e) = std::fs::remove_dir_all(&d.path) {
                eprintln!("error: cannot remove {}: {e}", d.path.display());
                failed = true;
            }
        }
        // No process holds an entry lock while gc holds the cache exclusively.
        let _ = std::fs::remove_dir_all(root.join(crate::cache::LOCKS_DIR));
        let _ = std::fs::remove_dir_all(root.join("jobs"));
    }
    println!(
        "kept {} (the last {} of each pipeline)",
        What::Run.plural(kept),
        args.keep
    );
    if failed { EXIT_RUNTIME } else { EXIT_OK }
}

/// The number of runs kept, and what to remove: every run past the newest `keep` of its
/// pipeline, and every cache entry and resume directory that no kept run names, the live
/// logs (`logs/<run-id>/`) of every run not kept, and everything in `tmp/`.
fn collect(root: &Path, runs: &[RecordedRun], keep: usize) -> (usize, Vec<Doomed>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut kept, mut doomed) = (Vec::new(), Vec::new());
    for run in runs {
        let n = seen.entry(run.pipeline.as_str()).or_default();
        *n += 1;
        if *n <= keep {
            kept.push(run);
        } else {
            let path = root.join("runs").join(&run.id);
            let about = format!("{} {}", run.pipeline, utc(run.started_unix_ms));
            doomed.push(doomed_dir(What::Run, path, about));
        }
    }
    let named: BTreeSet<&str> = kept
        .iter()
        .flat_map(|r| r.stages.iter().map(|s| s.fingerprint.as_str()))
        .collect();
    for (what, sub) in [(What::Entry, "cache"), (What::Resume, RESUME_DIR)] {
        for path in children(&root.join(sub)) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if name.is_some_and(|n| !named.contains(n.as_str())) {
                let about = if what == What::Entry {
                    entry_about(&path)
                } else {
                    String::new()
                };
                doomed.push(doomed_dir(what, path, about));
            }
        }
    }
    let kept_ids: BTreeSet<&str> = kept.iter().map(|r| r.id.as_str()).collect();
    for path in children(&root.join("logs")) {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_some_and(|n| !kept_ids.contains(n.as_str())) {
            doomed.push(doomed_dir(What::Logs, path, String::new()));
        }
    }
    for path in children(&root.join("tmp")) {
        doomed.push(doomed_dir(What::Tmp, path, String::new()));
    }
    (kept.len(), doomed)
}

fn doomed_dir(what: What, path: PathBuf, about: String) -> Doomed {
    let bytes = size(&path);
    Doomed {
        what,
        path,
        about,
        bytes,
    }
}

/// The subdirectories of `dir`, sorted (none when it does not exist).
fn children(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths
}

/// `stage (kind)` from an entry's `stage.json`, if it can be read.
fn entry_about(dir: &Path) -> String {
    let meta = std::fs::read_to_string(dir.join(ENTRY_META))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
    meta.map_or_else(String::new, |m| {
        format!(
            "{} ({})",
            m["stage"].as_str().unwrap_or("?"),
            m["kind"].as_str().unwrap_or("?")
        )
    })
}

/// The bytes of the files under `path` (symbolic links not followed).
fn size(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    children(path).iter().map(|p| size(p)).sum()
}

/// One line per directory, then the counts and bytes.
fn listing(doomed: &[Doomed], dry_run: bool) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let rows: Vec<[String; 4]> = doomed
        .iter()
        .map(|d| {
            [
                d.what.name().to_owned(),
                relative(&d.path, &cwd).display().to_string(),
                d.about.clone(),
                human(d.bytes),
            ]
        })
        .collect();
    let mut counts: BTreeMap<What, usize> = BTreeMap::new();
    for d in doomed {
        *counts.entry(d.what).or_default() += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(w, n)| w.plural(*n)).collect();
    let bytes: u64 = doomed.iter().map(|d| d.bytes).sum();
    let verb = if dry_run { "would remove" } else { "removed" };
    if doomed.is_empty() {
        return "nothing to remove\n".to_owned();
    }
    format!(
        "{}{verb} {}: {} ({bytes} bytes)\n",
        super::columns::align(&rows, "  "),
        counts.join(", "),
        human(bytes)
    )
}

/// Bytes in B, KB, MB or GB (powers of 1000), one decimal.
fn human(bytes: u64) -> String {
    let units = [(1e9, "GB"), (1e6, "MB"), (1e3, "KB")];
    let b = bytes as f64;
    units.iter().find(|(size, _)| b >= *size).map_or_else(
        || format!("{bytes} B"),
        |(size, unit)| format!("{:.1} {unit}", b / size),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_counts_and_sizes() {
        assert_eq!(What::Entry.plural(2), "2 cache entries");
        assert_eq!(What::Resume.plural(3), "3 resume directories");
        assert_eq!(What::Tmp.plural(1), "1 temporary directory");
        assert_eq!(What::Run.plural(0), "0 runs");
        assert_eq!(human(999), "999 B");
        assert_eq!(human(1_500_000), "1.5 MB");
    }
}
