use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostics, Style};
use crate::fs::{FileSystem, RealFs, RecordingFs};
use crate::lang::Source;
use crate::sweep::{Axis, combine, file_axes, merge, parse_axes, points};
use crate::{Options, Pipeline, Registry};

use super::{CliError, EmbeddedPipeline, PipelineArgs};

/// A loaded pipeline and where it came from.
pub struct Loaded {
    /// The pipeline.
    pub pipeline: Pipeline,
    /// The name of its file (or of the embedded pipeline).
    pub file: String,
    /// Where relative paths resolve.
    pub project_dir: PathBuf,
    /// The `--sweep` axes (empty without a sweep).
    pub sweep: Vec<Axis>,
    /// The remote cache the file's `cache { remote "URL" }` names.
    pub remote: Option<String>,
    /// Every file the pipeline was read from (the file, its includes, the policy files it
    /// uses), with its text.
    pub sources: BTreeMap<PathBuf, String>,
}

/// Reads and validates the pipeline named by `args`; prints every diagnostic and returns
/// `None` on error.
pub fn load(
    args: &PipelineArgs,
    registry: &Registry,
    default: &EmbeddedPipeline,
    style: Style,
) -> Option<Loaded> {
    load_with(args, registry, default, style, &RealFs)
}

/// [`load`], reading includes and checking path params through `fs`.
pub fn load_with(
    args: &PipelineArgs,
    registry: &Registry,
    default: &EmbeddedPipeline,
    style: Style,
    fs: &dyn FileSystem,
) -> Option<Loaded> {
    let fs = RecordingFs::new(fs);
    let project_dir = match std::env::current_dir() {
        Ok(dir) => dir,
        Err(e) => return print_error(CliError::Cwd(e), style),
    };
    let source = match &args.file {
        Some(path) => match read(path) {
            Ok(source) => source,
            Err(e) => return print_error(e, style),
        },
        None => Source::new(default.name, None, default.text),
    };
    let (file, _) = crate::lang::parse_file(&source);
    let axes = parse_axes(&args.sweep, &args.set)
        .and_then(|cli| combine(file_axes(&file.items), cli, &args.set));
    let axes = match axes {
        Ok(axes) => axes,
        Err(e) => return print_error(e, style),
    };
    let mut pipelines = Vec::new();
    let grid = points(&axes);
    for point in &grid {
        let sets: Vec<String> = args.set.iter().cloned().chain(point.sets()).collect();
        let options = Options {
            registry,
            fs: &fs,
            project_dir: &project_dir,
            sets: &sets,
            device: args.device.as_deref(),
            assumed_devices: args.assume_devices.as_deref(),
        };
        match crate::analyse(&source, &options) {
            Ok(pipeline) => pipelines.push(pipeline),
            Err(diags) => {
                print_diagnostics(&diags, source.name(), style);
                return None;
            }
        }
    }
    let pipeline = if axes.is_empty() {
        pipelines.pop()?
    } else {
        match merge(&grid, &pipelines) {
            Ok(merged) => merged,
            Err(e) => return print_error(e, style),
        }
    };
    Some(Loaded {
        pipeline,
        file: source.name().to_owned(),
        project_dir,
        sweep: axes,
        remote: crate::lang::file_remote(&file.items),
        sources: sources(&source, fs),
    })
}

/// The pipeline file's text and every file read while analysing it.
fn sources(main: &Source, fs: RecordingFs<'_>) -> BTreeMap<PathBuf, String> {
    let mut read = fs.into_read();
    if let Some(path) = main.path() {
        read.insert(path.to_path_buf(), main.text().to_owned());
    }
    read
}

fn read(path: &Path) -> Result<Source, CliError> {
    let text =
        crate::fs::FileSystem::read_to_string(&RealFs, path).map_err(|source| CliError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Source::new(
        path.display().to_string(),
        Some(path.to_path_buf()),
        text,
    ))
}

/// Prints all diagnostics and a one-line count.
pub fn print_diagnostics(diags: &Diagnostics, file: &str, style: Style) {
    eprint!("{}", diags.render(style));
    let plural = if diags.len() == 1 { "" } else { "s" };
    eprintln!("error: {} problem{plural} in {file}", diags.len());
}

/// Prints one error; returns `None` for convenience.
pub fn print_error<T>(error: impl miette::Diagnostic, style: Style) -> Option<T> {
    eprint!("{}", crate::diag::render(&error, style));
    None
}
