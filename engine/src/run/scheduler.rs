use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::cache::Cache;
use crate::diag::{Style, render};
use crate::{Pipeline, Reporter};

use super::execute::{ExecEnv, execute, publish};
use super::{
    CacheStatus, Failure, Manifest, Outcome, Plan, RunError, RunStatus, StageRecord, StageStatus,
    make_plan, run_id,
};

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// How many stages may run at once (at least 1).
    pub jobs: usize,
    /// The stages to re-run even when cached (`--force`: the selection; `--force=STAGE`:
    /// that stage and its dependents).
    pub force: BTreeSet<usize>,
    /// `--offline`.
    pub offline: bool,
    /// `--device` (recorded in the manifest).
    pub device: String,
    /// The stages to run (closed under dependencies; see [`Pipeline::select`]).
    pub selected: BTreeSet<usize>,
    /// The `--set` overrides, `"stage.param"` (or a `let` name) to the value as given.
    pub overrides: BTreeMap<String, String>,
}

/// Hears about stages as they start and end (the CLI prints; tests collect).
pub trait RunObserver: Sync {
    /// A stage started running.
    fn started(&self, name: &str, kind: &str);
    /// A stage ended (ran, was cached, failed, was skipped or cancelled).
    fn finished(&self, record: &StageRecord);
}

/// An observer that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct SilentObserver;

impl RunObserver for SilentObserver {
    fn started(&self, _: &str, _: &str) {}
    fn finished(&self, _: &StageRecord) {}
}

/// Everything a run needs besides the pipeline and options.
pub struct RunEnv<'a> {
    /// The cache (`.clarity/`).
    pub cache: &'a Cache,
    /// Where relative paths resolve.
    pub project_dir: &'a Path,
    /// Name of the pipeline file, for the manifest.
    pub file: &'a str,
    /// Set on Ctrl-C.
    pub cancel: &'a AtomicBool,
    /// Stage messages.
    pub reporter: &'a dyn Reporter,
    /// Stage events.
    pub observer: &'a dyn RunObserver,
}

/// The result of a run.
#[derive(Debug)]
pub struct RunReport {
    /// The manifest written.
    pub manifest: Manifest,
    /// Where it was written.
    pub manifest_path: PathBuf,
    /// The errors of failed stages, by stage name.
    pub failures: Vec<(String, miette::Report)>,
}

/// Runs the selected stages: takes the cache lock, removes leftovers of interrupted runs,
/// plans, walks the graph with up to `jobs` stages at once (one device-bound stage at a
/// time), skips cached stages, stops the dependents of a failed stage while independent
/// branches finish, stops launching on Ctrl-C, and writes the manifest.
pub fn run_pipeline(
    pipeline: &Pipeline,
    options: &RunOptions,
    env: &RunEnv<'_>,
) -> Result<RunReport, RunError> {
    let _lock = env.cache.lock()?;
    env.cache.clean_tmp()?;
    let started_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let logs_dir = env.cache.root().join("logs").join(run_id(started_unix_ms));
    let clock = Instant::now();
    let plan = make_plan(
        pipeline,
        env.cache,
        &options.selected,
        &options.force,
        env.project_dir,
    )?;
    let mut walk = Walk::new(pipeline, &plan, options, env, &logs_dir);
    walk.run();
    let status = walk.status();
    let (records, failures) = walk.finish();
    let manifest = Manifest {
        pipeline: pipeline.name.clone(),
        file: env.file.to_owned(),
        started_unix_ms,
        duration_s: clock.elapsed().as_secs_f64(),
        status,
        device: options.device.clone(),
        jobs: options.jobs,
        force: !options.force.is_empty(),
        offline: options.offline,
        overrides: options.overrides.clone(),
        stages: records,
    };
    let manifest_path = manifest.write(&env.cache.root().join("runs"))?;
    Ok(RunReport {
        manifest,
        manifest_path,
        failures,
    })
}

type Done = (usize, Result<Outcome, Failure>, Duration);

struct Walk<'a> {
    pipeline: &'a Pipeline,
    plan: &'a Plan,
    options: &'a RunOptions,
    env: &'a RunEnv<'a>,
    logs_dir: &'a Path,
    fingerprints: Vec<Option<String>>,
    waiting: Vec<usize>,
    ready: BTreeSet<(usize, usize)>,
    rank: Vec<usize>,
    records: BTreeMap<usize, StageRecord>,
    finished_order: Vec<usize>,
    failures: Vec<(String, miette::Report)>,
    device_busy: bool,
}

impl<'a> Walk<'a> {
    fn new(
        pipeline: &'a Pipeline,
        plan: &'a Plan,
        options: &'a RunOptions,
        env: &'a RunEnv<'a>,
        logs_dir: &'a Path,
    ) -> Self {
        let fingerprints = plan
            .stages
            .iter()
            .map(|s| s.as_ref().map(|p| p.fingerprint.clone()))
            .collect();
        let mut rank = vec![usize::MAX; pipeline.stages.len()];
        for (r, &i) in plan.order.iter().enumerate() {
            rank[i] = r;
        }
        let waiting: Vec<usize> = (0..pipeline.stages.len())
            .map(|i| pipeline.dependencies(i).len())
            .collect();
        let ready = plan
            .order
            .iter()
            .filter(|&&i| waiting[i] == 0)
            .map(|&i| (rank[i], i))
            .collect();
        Self {
            pipeline,
            plan,
            options,
            env,
            logs_dir,
            fingerprints,
            waiting,
            ready,
            rank,
            records: BTreeMap::new(),
            finished_order: Vec::new(),
            failures: Vec::new(),
            device_busy: false,
        }
    }

    fn run(&mut self) {
        let exec = ExecEnv {
            pipeline: self.pipeline,
            cache: self.env.cache,
            project_dir: self.env.project_dir,
            logs_dir: self.logs_dir,
            offline: self.options.offline,
            cancel: self.env.cancel,
            reporter: self.env.reporter,
        };
        let fingerprints = self.fingerprints.clone();
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<Done>();
            let mut running = 0usize;
            loop {
                while running < self.options.jobs.max(1) && !self.cancelled() {
                    let Some(i) = self.next_ready() else { break };
                    if self.plan.stages[i]
                        .as_ref()
                        .is_some_and(|p| p.status == CacheStatus::Cached)
                    {
                        match publish(&exec, i, &fingerprints, true) {
                            Ok(()) => self.complete(
                                i,
                                StageStatus::Cached,
                                self.cached_outcome(i),
                                Duration::ZERO,
                                None,
                            ),
                            Err(report) => {
                                self.finish_one(i, Err(Failure::Error(report)), Duration::ZERO)
                            }
                        }
                        continue;
                    }
                    let stage = &self.pipeline.stages[i];
                    if let Some(why) = self.plan.stages[i]
                        .as_ref()
                        .and_then(|p| p.untrusted.as_ref())
                    {
                        let message = format!("cache entry not trusted ({why}); running again");
                        self.env.reporter.warn(&stage.name, &message);
                    }
                    self.device_busy |= stage.stage.schema().uses_device;
                    self.env.observer.started(&stage.name, stage.kind);
                    running += 1;
                    let (tx, exec, fingerprints) = (tx.clone(), &exec, &fingerprints);
                    scope.spawn(move || {
                        let clock = Instant::now();
                        let result = execute(exec, i, fingerprints);
                        let _ = tx.send((i, result, clock.elapsed()));
                    });
                }
                if running == 0 {
                    break;
                }
                let Ok((i, result, took)) = rx.recv() else {
                    break;
                };
                running -= 1;
                if self.pipeline.stages[i].stage.schema().uses_device {
                    self.device_busy = false;
                }
                self.finish_one(i, result, took);
            }
        });
    }

    fn cancelled(&self) -> bool {
        self.env.cancel.load(Ordering::Relaxed)
    }

    /// What a cached stage reported when it ran: its metrics, as the plan read them from its
    /// entry (so a cached run shows the same scores as the run that computed them).
    fn cached_outcome(&self, i: usize) -> Outcome {
        Outcome {
            metrics: self.plan.stages[i]
                .as_ref()
                .map(|p| p.cached_metrics.clone())
                .unwrap_or_default(),
            ..Outcome::default()
        }
    }

    fn next_ready(&mut self) -> Option<usize> {
        let pick = self.ready.iter().copied().find(|&(_, i)| {
            !(self.device_busy && self.pipeline.stages[i].stage.schema().uses_device)
        })?;
        self.ready.remove(&pick);
        Some(pick.1)
    }

    fn finish_one(&mut self, i: usize, result: Result<Outcome, Failure>, took: Duration) {
        match result {
            Ok(outcome) => self.complete(i, StageStatus::Ran, outcome, took, None),
            Err(Failure::Cancelled) => {
                self.complete(i, StageStatus::Cancelled, Outcome::default(), took, None)
            }
            Err(Failure::Error(report)) => {
                let text = render(report.as_ref(), Style::Plain);
                self.failures
                    .push((self.pipeline.stages[i].name.clone(), report));
                self.complete(i, StageStatus::Failed, Outcome::default(), took, Some(text));
            }
        }
    }

    fn complete(
        &mut self,
        i: usize,
        status: StageStatus,
        outcome: Outcome,
        took: Duration,
        error: Option<String>,
    ) {
        let record = self.record(i, status, outcome, took, error);
        self.env.observer.finished(&record);
        self.records.insert(i, record);
        self.finished_order.push(i);
        // `waiting` counts distinct upstream stages; one stage may feed several bindings.
        let dependents: BTreeSet<usize> = self
            .pipeline
            .bindings
            .iter()
            .filter(|b| b.from == i)
            .map(|b| b.to)
            .collect();
        for d in dependents {
            if !self.options.selected.contains(&d) || self.records.contains_key(&d) {
                continue;
            }
            if !status.is_ok() {
                let skipped = if status == StageStatus::Cancelled {
                    StageStatus::Cancelled
                } else {
                    StageStatus::Skipped
                };
                self.ready.remove(&(self.rank[d], d));
                self.complete(d, skipped, Outcome::default(), Duration::ZERO, None);
                continue;
            }
            self.waiting[d] -= 1;
            if self.waiting[d] == 0 {
                self.ready.insert((self.rank[d], d));
            }
        }
    }

    fn record(
        &self,
        i: usize,
        status: StageStatus,
        outcome: Outcome,
        took: Duration,
        error: Option<String>,
    ) -> StageRecord {
        let stage = &self.pipeline.stages[i];
        let fingerprint = self.fingerprints[i].clone().unwrap_or_default();
        let mut inputs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for b in self.pipeline.inputs_of(i) {
            inputs
                .entry(b.param.clone())
                .or_default()
                .push(b.reference.clone());
        }
        let outputs = stage
            .outputs
            .iter()
            .map(|o| {
                (
                    o.name.clone(),
                    self.env.cache.output_dir(&fingerprint, &o.name),
                )
            })
            .collect();
        StageRecord {
            name: stage.name.clone(),
            kind: stage.kind.to_owned(),
            version: stage.stage.schema().version,
            status,
            fingerprint,
            params: stage.recorded_params(),
            inputs,
            outputs,
            placement: stage.placement.clone(),
            duration_s: took.as_secs_f64(),
            metrics: outcome.metrics,
            records: outcome.records,
            error,
        }
    }

    fn status(&self) -> RunStatus {
        let statuses: Vec<StageStatus> = self.records.values().map(|r| r.status).collect();
        if self.cancelled()
            || statuses.contains(&StageStatus::Cancelled)
            || self.records.len() < self.plan.order.len()
        {
            RunStatus::Cancelled
        } else if statuses.iter().all(|s| s.is_ok()) {
            RunStatus::Ok
        } else {
            RunStatus::Failed
        }
    }

    fn finish(mut self) -> (Vec<StageRecord>, Vec<(String, miette::Report)>) {
        for &i in &self.plan.order {
            if !self.records.contains_key(&i) {
                let record = self.record(
                    i,
                    StageStatus::Cancelled,
                    Outcome::default(),
                    Duration::ZERO,
                    None,
                );
                self.env.observer.finished(&record);
                self.records.insert(i, record);
                self.finished_order.push(i);
            }
        }
        let records = self
            .finished_order
            .iter()
            .filter_map(|i| self.records.remove(i))
            .collect();
        (records, self.failures)
    }
}
