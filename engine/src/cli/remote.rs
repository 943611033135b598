//! Opening the remote cache a command is given, and saying what moved.

use std::path::Path;

use crate::cache::Cache;
use crate::cache::remote::{Remote, RemoteError};
use crate::diag::Style;
use crate::run::{Plan, RemoteOrRun, mark_remote};

use super::load::{Loaded, print_error};
use super::{EXIT_CONFIG, EXIT_RUNTIME, PipelineArgs};

/// The remote cache of a pipeline command: `--remote` or `CLARITY_REMOTE` (the flag wins),
/// else the pipeline's `cache { remote "URL" }`; `None` when there is none. `Err` holds the
/// exit status after the error was printed (1 for a configuration mistake).
pub fn open(args: &PipelineArgs, loaded: &Loaded, style: Style) -> Result<Option<Remote>, u8> {
    open_address(address(args, loaded), &loaded.project_dir, style, true)
}

/// The address a pipeline command uses: `--remote` or `CLARITY_REMOTE`, else the pipeline's.
pub fn address<'a>(args: &'a PipelineArgs, loaded: &'a Loaded) -> Option<&'a str> {
    args.remote.url.as_deref().or(loaded.remote.as_deref())
}

/// Opens `address` (a relative directory resolves against `base`), checking it before
/// anything runs; `announce` prints which one.
pub fn open_address(
    address: Option<&str>,
    base: &Path,
    style: Style,
    announce: bool,
) -> Result<Option<Remote>, u8> {
    let Some(address) = address else {
        return Ok(None);
    };
    match Remote::open(address, base) {
        Ok(remote) => {
            if announce {
                eprintln!("remote cache {}", remote.shown());
            }
            Ok(Some(remote))
        }
        Err(e) => Err(fail(e, style)),
    }
}

/// Prints the error; its exit status.
pub fn fail(error: RemoteError, style: Style) -> u8 {
    let code = if error.is_config() {
        EXIT_CONFIG
    } else {
        EXIT_RUNTIME
    };
    print_error::<()>(error, style);
    code
}

/// One line: entries, bytes and seconds each way.
pub fn print_transferred(remote: &Remote) {
    eprintln!("remote cache {}: {}", remote.shown(), remote.transferred());
}

/// `clarity plan` with a remote cache: shows the stages a run would pull as `remote`.
pub fn mark_plan(
    args: &PipelineArgs,
    loaded: &Loaded,
    cache: &Cache,
    plan: &mut Plan,
    style: Style,
) -> Result<(), u8> {
    let Some(remote) = open(args, loaded, style)? else {
        return Ok(());
    };
    let marked = mark_remote(&loaded.pipeline, cache, &remote, plan, &loaded.project_dir);
    match marked {
        Ok(()) => Ok(()),
        Err(RemoteOrRun::Remote(e)) => Err(fail(e, style)),
        Err(RemoteOrRun::Run(e)) => Err(print_error(e, style).unwrap_or(EXIT_RUNTIME)),
    }
}
