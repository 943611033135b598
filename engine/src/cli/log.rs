//! `clarity log STAGE`: the log a stage kept in its cache entry (e.g. `exec`'s command
//! output).

use std::path::PathBuf;
use std::time::SystemTime;

use crate::Registry;
use crate::cache::{Cache, ENTRY_META, read_meta};
use crate::diag::Style;

use super::load::{load, print_error};
use super::{CliError, EXIT_CONFIG, EXIT_OK, EXIT_RUNTIME, EmbeddedPipeline, LogArgs};

/// Prints the log of the stage's current cache entry; when the stage is not current (it
/// would run), the log of its latest entry, saying so. Exit 2 when there is none.
pub fn log(args: &LogArgs, registry: &Registry, default: &EmbeddedPipeline, style: Style) -> u8 {
    let Some(loaded) = load(&args.pipeline, registry, default, style) else {
        return EXIT_CONFIG;
    };
    let pipeline = &loaded.pipeline;
    let Some(i) = pipeline.index(&args.stage) else {
        let names = pipeline.stages.iter().map(|s| s.name.as_str());
        let help = match crate::suggest::closest(&args.stage, names) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "`clarity plan` lists the stages".to_owned(),
        };
        let error = CliError::UnknownStage {
            stage: args.stage.clone(),
            help,
        };
        return print_error(error, style).unwrap_or(EXIT_CONFIG);
    };
    let selected = pipeline.select(std::slice::from_ref(&args.stage));
    let selected = selected.unwrap_or_else(|_| std::iter::once(i).collect());
    let planned = super::open_plan(&loaded, &selected);
    let (cache, plan) = match planned {
        Ok(planned) => planned,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let current = plan.stages[i]
        .as_ref()
        .and_then(|p| p.fingerprint.as_deref())
        .map(|fingerprint| cache.log_path(fingerprint))
        .filter(|path| path.is_file());
    let path = match current {
        Some(path) => path,
        None => match latest_log(&cache, &args.stage) {
            Some(path) => {
                eprintln!(
                    "note: stage `{}` is not current; this is the log of its latest cached run",
                    args.stage
                );
                path
            }
            None => {
                return print_error(
                    CliError::NoLog {
                        stage: args.stage.clone(),
                        help: "run the pipeline first; only stages that keep a log (such as exec) have one".to_owned(),
                    },
                    style,
                )
                .unwrap_or(EXIT_RUNTIME);
            }
        },
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(&bytes);
            EXIT_OK
        }
        Err(source) => print_error(CliError::Read { path, source }, style).unwrap_or(EXIT_RUNTIME),
    }
}

/// The log of the newest complete entry written by a stage called `stage`.
fn latest_log(cache: &Cache, stage: &str) -> Option<PathBuf> {
    let entries = std::fs::read_dir(cache.root().join("cache")).ok()?;
    let mut best: Option<(SystemTime, PathBuf)> = None;
    for entry in entries.flatten() {
        let dir = entry.path();
        let log = dir.join(crate::cache::ENTRY_LOG);
        if !log.is_file() || !read_meta(&dir).is_ok_and(|m| m.stage == stage) {
            continue;
        }
        let written = std::fs::metadata(dir.join(ENTRY_META))
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        if best.as_ref().is_none_or(|(t, _)| written > *t) {
            best = Some((written, log));
        }
    }
    best.map(|(_, log)| log)
}
