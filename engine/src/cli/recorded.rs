//! Runs as their manifests recorded them ([`crate::run::RecordedRun`]), for `runs`, `show`,
//! `diff` and `gc`: finding one by id, and what they name.

use std::path::{Path, PathBuf};

use super::CliError;
pub use crate::run::{RecordedRun, read_runs};

/// The `.clarity/runs` directory of the current directory.
pub fn runs_dir() -> Result<PathBuf, CliError> {
    Ok(std::env::current_dir()
        .map_err(CliError::Cwd)?
        .join(".clarity")
        .join("runs"))
}

/// The run called `id`, else [`CliError::UnknownRun`] with the closest id; or, without an
/// id, the newest run (of the pipeline `pipeline`, when given), else [`CliError::NoRuns`].
pub fn pick<'a>(
    runs: &'a [RecordedRun],
    id: Option<&str>,
    pipeline: Option<&str>,
) -> Result<&'a RecordedRun, CliError> {
    let cwd = std::env::current_dir().map_err(CliError::Cwd)?;
    let mut candidates = runs
        .iter()
        .filter(|r| pipeline.is_none_or(|p| r.is_of(p, &cwd)));
    let Some(id) = id else {
        return candidates.next().ok_or_else(|| CliError::NoRuns {
            pipeline: pipeline.map(str::to_owned),
        });
    };
    if let Some(run) = runs.iter().find(|r| r.id == id) {
        return Ok(run);
    }
    let help = crate::suggest::did_you_mean(id, runs.iter().map(|r| r.id.as_str()), || {
        if runs.is_empty() {
            "no runs are recorded in .clarity/runs of this directory".to_owned()
        } else {
            "`clarity runs` lists the runs of this directory".to_owned()
        }
    });
    Err(CliError::UnknownRun {
        id: id.to_owned(),
        help,
    })
}

/// The directory of output `reference` (`stage.output`, e.g. `train.best`) in the newest
/// recorded run of `pipeline` (its file as given, or its name), in this directory's
/// `.clarity/runs`.
pub fn recorded_output(pipeline: &str, reference: &str) -> Result<PathBuf, CliError> {
    let runs = read_runs(&runs_dir()?);
    let run = pick(&runs, None, Some(pipeline))?;
    let unknown = |help: String| CliError::UnknownOutput {
        reference: reference.to_owned(),
        run: run.id.clone(),
        help,
    };
    let available = || {
        let all: Vec<String> = run
            .stages
            .iter()
            .flat_map(|s| s.outputs.keys().map(move |o| format!("{}.{o}", s.name)))
            .collect();
        crate::suggest::did_you_mean(reference, all.iter().map(String::as_str), || {
            format!("the run's outputs: {}", all.join(", "))
        })
    };
    let (stage, output) = reference
        .split_once('.')
        .ok_or_else(|| unknown("write STAGE.OUTPUT, e.g. train.best".to_owned()))?;
    let dir = run
        .stages
        .iter()
        .find(|s| s.name == stage)
        .and_then(|s| s.outputs.get(output))
        .ok_or_else(|| unknown(available()))?;
    let dir = std::env::current_dir().map_err(CliError::Cwd)?.join(dir);
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(unknown(format!(
            "{} is gone from the cache (`clarity gc`?); `clarity run {pipeline}` makes it again",
            dir.display()
        )))
    }
}

/// A path relative to `cwd` when it lies under it, else as it is.
pub fn relative(path: &Path, cwd: &Path) -> PathBuf {
    path.strip_prefix(cwd)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// Prints `value` as pretty JSON or as the text `table` makes of it; the exit status.
pub fn print_as<T: serde::Serialize>(
    format: super::RunsFormat,
    value: &T,
    table: impl FnOnce(&T) -> String,
) -> u8 {
    match format {
        super::RunsFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        ),
        super::RunsFormat::Table => print!("{}", table(value)),
    }
    super::EXIT_OK
}
