//! What earlier runs of a pipeline left: each stage's latest fingerprint, from the run
//! manifests, so a plan can compare a stage's key with the one it had last time.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// How many of the newest manifests are read.
const MANIFESTS_READ: usize = 50;

/// The fingerprint each stage of pipeline `pipeline` had in the newest run (of the newest
/// 50 under `runs_dir`) where it ran, was cached or was pulled.
pub fn latest_fingerprints(runs_dir: &Path, pipeline: &str) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(runs_dir) else {
        return BTreeMap::new();
    };
    // Run directories are named `<start ms>-<pid>`: newest first without reading them all.
    let mut dirs: Vec<(u128, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name();
            let started = name.to_str()?.split('-').next()?.parse().ok()?;
            Some((started, e.path()))
        })
        .collect();
    dirs.sort_by(|a, b| b.cmp(a));
    let manifests = dirs
        .iter()
        .filter_map(|(_, dir)| {
            let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
            serde_json::from_str::<Value>(&text).ok()
        })
        .filter(|json| json["pipeline"].as_str() == Some(pipeline))
        .take(MANIFESTS_READ);
    let mut latest = BTreeMap::new();
    for json in manifests {
        for stage in json["stages"].as_array().into_iter().flatten() {
            let (Some(name), Some(fingerprint)) =
                (stage["name"].as_str(), stage["fingerprint"].as_str())
            else {
                continue;
            };
            let ok = matches!(stage["status"].as_str(), Some("ran" | "cached" | "pulled"));
            if ok && !fingerprint.is_empty() && !latest.contains_key(name) {
                latest.insert(name.to_owned(), fingerprint.to_owned());
            }
        }
    }
    latest
}
