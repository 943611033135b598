use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cache::Cache;
use crate::diag::{Diagnostics, Style, render};
use crate::run::{
    RunEnv, RunObserver, RunOptions, RunReport, RunStatus, StageRecord, run_pipeline,
};
use crate::{Pipeline, Registry, StderrReporter};

use super::executor::Away;
use super::load::{Loaded, load, print_error};
use super::{EXIT_CONFIG, EXIT_OK, EXIT_RUNTIME, EmbeddedPipeline, ExecutorKind, RunArgs};

/// Prints one line per stage as it ends.
struct Printer;

impl RunObserver for Printer {
    fn started(&self, name: &str, kind: &str) {
        eprintln!("  start    {name} ({kind})");
    }

    fn finished(&self, record: &StageRecord) {
        let took = if record.duration_s > 0.0 {
            format!(" in {:.2}s", record.duration_s)
        } else {
            String::new()
        };
        eprintln!(
            "  {:8} {} ({}){took}",
            record.status.name(),
            record.name,
            record.kind
        );
    }
}

/// `clarity run`.
pub fn run(args: &RunArgs, registry: &Registry, default: &EmbeddedPipeline, style: Style) -> u8 {
    if args.pipeline.assume_devices.is_some() {
        return print_error(super::CliError::AssumedRun, style).unwrap_or(EXIT_CONFIG);
    }
    let Some(Loaded {
        pipeline,
        file,
        project_dir,
        sweep,
        remote,
        sources,
    }) = load(&args.pipeline, registry, default, style)
    else {
        return EXIT_CONFIG;
    };
    let (selected, force) = match selection(&pipeline, args) {
        Ok(selection) => selection,
        Err(diags) => {
            super::load::print_diagnostics(&diags, &file, style);
            return EXIT_CONFIG;
        }
    };
    let devices = match devices(&args.pipeline, registry, &pipeline, &selected) {
        Ok(devices) => devices,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_CONFIG),
    };
    let cache = match Cache::open(project_dir.join(".clarity")) {
        Ok(cache) => cache,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    let address = args.pipeline.remote.url.as_deref().or(remote.as_deref());
    let remote = match super::remote::open_address(address, &project_dir, style, true) {
        Ok(remote) => remote,
        Err(code) => return code,
    };
    let cancel = install_ctrlc();
    let Some(choice) = super::executor::choose(args, &pipeline, style) else {
        return EXIT_CONFIG;
    };
    let options = options(
        args,
        &pipeline,
        (selected, force),
        devices,
        &sweep,
        choice.kind,
    );
    let away = Away::new(remote.as_ref(), &sources, &project_dir);
    let executor = match choice.build(args, &pipeline, &options.selected, &away) {
        Ok(executor) => executor,
        Err(e) => {
            eprint!("{}", render(e.as_ref(), style));
            return EXIT_CONFIG;
        }
    };
    let env = RunEnv {
        cache: &cache,
        project_dir: &project_dir,
        file: &file,
        cancel: &cancel,
        reporter: &StderrReporter,
        observer: &Printer,
        executor: executor.as_ref(),
        remote: remote.as_ref(),
    };
    eprintln!(
        "running pipeline \"{}\" ({} jobs)",
        pipeline.name,
        options.jobs.max(1)
    );
    print_policy_warnings(&pipeline, &options.selected);
    let report = match run_pipeline(&pipeline, &options, &env) {
        Ok(report) => report,
        Err(e) => return print_error(e, style).unwrap_or(EXIT_RUNTIME),
    };
    if let Some(remote) = &remote {
        super::remote::print_transferred(remote);
    }
    finish(&report, !sweep.is_empty(), style)
}

/// The run's options: `--jobs` (default: the CPU cores, or every stage for Slurm), the
/// selection, and what the manifest records (`--set`, `--sweep`).
fn options(
    args: &RunArgs,
    pipeline: &Pipeline,
    (selected, force): (BTreeSet<usize>, BTreeSet<usize>),
    devices: Vec<String>,
    sweep: &[crate::sweep::Axis],
    executor: ExecutorKind,
) -> RunOptions {
    let jobs = args.jobs.unwrap_or_else(|| match executor {
        ExecutorKind::Slurm => selected.len(),
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    });
    RunOptions {
        jobs,
        force,
        offline: args.pipeline.offline,
        device: pipeline.device.clone(),
        selected,
        overrides: args
            .pipeline
            .set
            .iter()
            .filter_map(|set| set.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
        sweep: sweep
            .iter()
            .map(|axis| (axis.key.clone(), axis.values.clone()))
            .collect(),
        devices,
    }
}

/// The summary (and a sweep's table); the exit status.
fn finish(report: &RunReport, swept: bool, style: Style) -> u8 {
    print_summary(report, style);
    if swept {
        eprint!("{}", super::sweep_table::table(&report.manifest));
    }
    if report.manifest.status == RunStatus::Ok {
        EXIT_OK
    } else {
        EXIT_RUNTIME
    }
}

/// The stages to run (`--only`) and, of those, the ones to re-run even when cached: all of
/// them for `--force`, that stage for `--force=STAGE` (its dependents re-run if its outputs
/// change).
fn selection(
    pipeline: &Pipeline,
    args: &RunArgs,
) -> Result<(BTreeSet<usize>, BTreeSet<usize>), Diagnostics> {
    let selected = pipeline.select(&args.only)?;
    let (all, named): (Vec<String>, Vec<String>) =
        args.force.iter().cloned().partition(String::is_empty);
    let mut force = if all.is_empty() {
        BTreeSet::new()
    } else {
        selected.clone()
    };
    force.extend(pipeline.forced(&named)?.intersection(&selected));
    Ok((selected, force))
}

/// `--devices` (`auto`: the machine's, or the assumed ones), checked to serve every
/// selected stage that uses a device.
pub(super) fn devices(
    args: &super::PipelineArgs,
    registry: &Registry,
    pipeline: &Pipeline,
    selected: &BTreeSet<usize>,
) -> Result<Vec<String>, super::CliError> {
    let devices = if args.devices.iter().any(|d| d == "auto") {
        let found = registry.placer().devices(args.assume_devices.as_deref());
        if found.is_empty() {
            return Err(super::CliError::NoDevices);
        }
        found
    } else {
        args.devices.clone()
    };
    let order: Vec<usize> = selected.iter().copied().collect();
    let unserved = crate::run::DevicePool::new(&devices).unserved(pipeline, &order);
    match unserved.into_iter().next() {
        Some((stage, device)) => Err(super::CliError::UnservedDevice {
            stage,
            device,
            devices: devices.join(","),
        }),
        None => Ok(devices),
    }
}

/// Each failed stage's error, the warnings stages recorded about their results (cached
/// stages' included), then one line of counts and where the manifest is.
fn print_summary(report: &RunReport, style: Style) {
    for (stage, failure) in &report.failures {
        eprintln!("\nstage `{stage}` failed:");
        eprint!("{}", render(failure.as_ref(), style));
    }
    let warnings: Vec<String> = report
        .manifest
        .stages
        .iter()
        .flat_map(|r| r.warnings.iter().map(move |w| format!("  {}: {w}", r.name)))
        .collect();
    if !warnings.is_empty() {
        eprintln!("\nwarnings:\n{}", warnings.join("\n"));
    }
    let count = |s: &str| {
        report
            .manifest
            .stages
            .iter()
            .filter(|r| r.status.name() == s)
            .count()
    };
    let pulled = match count("pulled") {
        0 => String::new(),
        n => format!(", {n} pulled"),
    };
    eprintln!(
        "\n{}: {} ran, {} cached{pulled}, {} failed, {} skipped, {} cancelled; manifest {}",
        match report.manifest.status {
            RunStatus::Ok => "done",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        },
        count("ran"),
        count("cached"),
        count("failed"),
        count("skipped"),
        count("cancelled"),
        report.manifest_path.display()
    );
}

/// Ctrl-C, SIGTERM and SIGHUP all stop a run the same way: running stages are told to stop
/// (an `exec` child is killed), temporary entries are removed, the manifest is written. A
/// second signal exits at once.
pub(super) fn install_ctrlc() -> Arc<AtomicBool> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&cancel);
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping: waiting for running stages to stop (Ctrl-C again to abort)");
    });
    cancel
}

/// The warnings of the device policies that fired for the selected stages (a DeBERTa-v3-large
/// moved off the Apple GPU, half precision switched off), before anything runs.
fn print_policy_warnings(pipeline: &crate::Pipeline, selected: &std::collections::BTreeSet<usize>) {
    for &i in pipeline.order.iter().filter(|i| selected.contains(i)) {
        let stage = &pipeline.stages[i];
        for fired in &stage.placement.fired {
            if let Some(warning) = &fired.warning {
                eprintln!(
                    "  warning  {}: {warning} (policy `{}`)",
                    stage.name, fired.policy
                );
            }
        }
    }
}
