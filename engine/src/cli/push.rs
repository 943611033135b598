//! `clarity push [PIPELINE]`: sends cache entries to the remote cache.

use std::collections::BTreeSet;
use std::path::Path;

use crate::Registry;
use crate::cache::remote::{Pushed, RemoteError};
use crate::cache::{Cache, ENTRY_META};
use crate::diag::Style;

use super::load::{load, print_error};
use super::remote::{fail, open_address, print_transferred};
use super::{EXIT_CONFIG, EXIT_OK, EXIT_RUNTIME, EmbeddedPipeline, PipelineArgs, PushArgs};

/// `clarity push`: the entries of the pipeline's latest run (each stage's newest fingerprint
/// that ran, was cached or pulled), or every complete entry; entries the remote cache has
/// complete already are left alone. Exit 2 when one could not be pushed.
pub fn push(args: &PushArgs, registry: &Registry, default: &EmbeddedPipeline, style: Style) -> u8 {
    let Ok(project_dir) = std::env::current_dir() else {
        eprintln!("error: cannot read the current directory");
        return EXIT_RUNTIME;
    };
    let (address, pipeline) = match &args.file {
        Some(file) => {
            let pipeline_args = PipelineArgs {
                file: Some(file.clone()),
                set: Vec::new(),
                sweep: Vec::new(),
                device: None,
                offline: true,
                assume_devices: None,
                devices: Vec::new(),
                remote: args.remote.clone(),
            };
            let Some(loaded) = load(&pipeline_args, registry, default, style) else {
                return EXIT_CONFIG;
            };
            (
                args.remote.url.clone().or(loaded.remote),
                Some(loaded.pipeline.name),
            )
        }
        None => (args.remote.url.clone(), None),
    };
    let Some(address) = address else {
        return fail(RemoteError::NotConfigured, style);
    };
    let remote = match open_address(Some(&address), &project_dir, style, true) {
        Ok(Some(remote)) => remote,
        Ok(None) => return EXIT_CONFIG,
        Err(code) => return code,
    };
    let cache = match Cache::open(project_dir.join(".clarity")) {
        Ok(cache) => cache,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let fingerprints = match &pipeline {
        Some(name) => {
            let latest = crate::run::latest_fingerprints(&cache.root().join("runs"), name);
            latest.into_values().collect()
        }
        None => complete_entries(&cache.root().join("cache")),
    };
    let mut failed = 0;
    for fingerprint in &fingerprints {
        let short = &fingerprint[..fingerprint.len().min(12)];
        match remote.push(&cache, fingerprint, false) {
            Ok(Pushed::Uploaded(bytes)) => eprintln!("  pushed   {short}  ({bytes} bytes)"),
            Ok(Pushed::Present) => eprintln!("  present  {short}"),
            Err(e) => {
                failed += 1;
                print_error::<()>(e, style);
            }
        }
    }
    print_transferred(&remote);
    if failed > 0 { EXIT_RUNTIME } else { EXIT_OK }
}

/// The fingerprints of the complete entries under `dir` (those with a `stage.json`).
fn complete_entries(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join(ENTRY_META).is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect()
}
