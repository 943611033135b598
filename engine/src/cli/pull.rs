//! `clarity pull [PIPELINE]`: fetches what a pipeline needs from the remote cache.

use std::collections::BTreeSet;

use crate::Registry;
use crate::cache::Cache;
use crate::cache::remote::{Pulled, Remote, RemoteError};
use crate::diag::Style;
use crate::run::{CacheStatus, Planner};

use super::load::{Loaded, load, print_diagnostics, print_error};
use super::remote::{fail, open, print_transferred};
use super::{EXIT_CONFIG, EXIT_OK, EXIT_RUNTIME, EmbeddedPipeline, PlanArgs};

/// `clarity pull`: plans the selected stages in order and pulls each one missing (or
/// untrusted) locally whose entry the remote cache has complete, hashed before it is
/// installed; a pulled stage's outputs give its dependents their fingerprints. Exit 2 when a
/// remote entry was refused or a transfer failed; a stage the remote cache lacks is listed.
pub fn pull(args: &PlanArgs, registry: &Registry, default: &EmbeddedPipeline, style: Style) -> u8 {
    let Some(loaded) = load(&args.pipeline, registry, default, style) else {
        return EXIT_CONFIG;
    };
    let selected = match loaded.pipeline.select(&args.only) {
        Ok(selected) => selected,
        Err(diags) => {
            print_diagnostics(&diags, &loaded.file, style);
            return EXIT_CONFIG;
        }
    };
    let remote = match open(&args.pipeline, &loaded, style) {
        Ok(Some(remote)) => remote,
        Ok(None) => return fail(RemoteError::NotConfigured, style),
        Err(code) => return code,
    };
    let cache = match Cache::open(loaded.project_dir.join(".clarity")) {
        Ok(cache) => cache,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let _lock = match cache.lock() {
        Ok(lock) => lock,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let code = pull_stages(&loaded, &selected, &cache, &remote, style);
    print_transferred(&remote);
    code
}

/// Pulls the selected stages in topological order; prints one line per stage.
fn pull_stages(
    loaded: &Loaded,
    selected: &BTreeSet<usize>,
    cache: &Cache,
    remote: &Remote,
    style: Style,
) -> u8 {
    let pipeline = &loaded.pipeline;
    let force = BTreeSet::new();
    let planner = Planner::new(pipeline, cache, &force, &loaded.project_dir);
    let mut outputs = vec![None; pipeline.stages.len()];
    let mut code = EXIT_OK;
    for &i in pipeline.order.iter().filter(|i| selected.contains(i)) {
        let stage = &pipeline.stages[i];
        let plan = match planner.resolve(i, &outputs) {
            Ok(plan) => plan,
            Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
        };
        let line = match (plan.status, plan.fingerprint.as_deref()) {
            (CacheStatus::Cached, _) => {
                outputs[i] = Some(plan.output_hashes);
                "cached".to_owned()
            }
            (CacheStatus::Stale | CacheStatus::Untrusted, Some(fingerprint)) => {
                let names: Vec<&str> = stage.outputs.iter().map(|o| o.name.as_str()).collect();
                match remote.pull(cache, fingerprint, &names) {
                    Ok(Pulled::Installed(meta)) => {
                        outputs[i] = Some(meta.output_hashes());
                        "pulled".to_owned()
                    }
                    Ok(Pulled::Missing) => "not in the remote cache".to_owned(),
                    Ok(Pulled::Refused(why)) => {
                        code = EXIT_RUNTIME;
                        format!("REFUSED: the remote entry does not match its hashes ({why})")
                    }
                    Err(e) => {
                        print_error::<()>(e, style);
                        code = EXIT_RUNTIME;
                        "failed".to_owned()
                    }
                }
            }
            _ => "not pulled: an upstream stage is in neither cache".to_owned(),
        };
        eprintln!("  {:8} {}", line, stage.name);
    }
    code
}
