//! The concurrent walk over the graph: dispatches ready stages (resolving pending ones),
//! holds device slots, records each stage's end and writes the manifest.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::Pipeline;
use crate::diag::{Style, render};

mod record;

use super::devices::DevicePool;
use super::execute::{Dispatch, ExecEnv, inputs, publish};
use super::plan::Planner;
use super::{
    CacheStatus, Failure, Manifest, Outcome, Plan, RunEnv, RunError, RunOptions, RunReport,
    RunStatus, StagePlan, StageRecord, StageStatus, make_plan, run_id,
};

/// Runs the selected stages: takes the (shared) cache lock, removes leftovers of interrupted
/// runs that no other process is writing,
/// plans, walks the graph with up to `jobs` stages at once (one device-bound stage at a
/// time), skips cached stages — including a pending stage whose inputs came out unchanged
/// (early cutoff) — stops the dependents of a failed stage while independent branches
/// finish, stops launching on Ctrl-C, and writes the manifest.
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
        sweep: options.sweep.clone(),
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
    /// Each stage's plan, pending ones resolved as their inputs come in.
    plans: Vec<Option<StagePlan>>,
    logs_dir: &'a Path,
    fingerprints: Vec<Option<String>>,
    /// Each finished stage's output content hashes.
    outputs: Vec<Option<BTreeMap<String, String>>>,
    waiting: Vec<usize>,
    ready: BTreeSet<(usize, usize)>,
    rank: Vec<usize>,
    records: BTreeMap<usize, StageRecord>,
    finished_order: Vec<usize>,
    failures: Vec<(String, miette::Report)>,
    devices: DevicePool,
    /// The device slot each running device-bound stage holds, and the device it got.
    slots: Vec<Option<(usize, Option<String>)>>,
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
            .map(|s| s.as_ref().and_then(|p| p.fingerprint.clone()))
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
            plans: plan.stages.clone(),
            logs_dir,
            fingerprints,
            outputs: vec![None; pipeline.stages.len()],
            waiting,
            ready,
            rank,
            records: BTreeMap::new(),
            finished_order: Vec::new(),
            failures: Vec::new(),
            devices: DevicePool::new(&options.devices),
            slots: vec![None; pipeline.stages.len()],
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
            remote: self.env.remote,
        };
        let planner = Planner::new(
            self.pipeline,
            self.env.cache,
            &self.options.force,
            self.env.project_dir,
        );
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<Done>();
            let mut running = 0usize;
            loop {
                while running < self.options.jobs.max(1) && !self.cancelled() {
                    let Some(i) = self.next_ready() else { break };
                    let mut dispatch = match self.dispatch(&planner, &exec, i) {
                        Some(dispatch) => dispatch,
                        None => continue,
                    };
                    let stage = &self.pipeline.stages[i];
                    if stage.stage.schema().uses_device && self.env.executor.shares_devices() {
                        let slot = self.devices.take(&stage.placement.device);
                        if let Some((_, Some(device))) = &slot {
                            dispatch.placement.device = device.clone();
                        }
                        self.slots[i] = slot;
                    }
                    self.env.observer.started(&stage.name, stage.kind);
                    running += 1;
                    let (tx, exec, executor) = (tx.clone(), &exec, self.env.executor);
                    scope.spawn(move || {
                        let clock = Instant::now();
                        let fingerprint = dispatch.fingerprint.clone();
                        let result = executor.run(exec, i, dispatch);
                        let result = super::remote::fetch_result(exec, i, &fingerprint, result);
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
                if let Some((slot, _)) = self.slots[i] {
                    self.devices.give(slot);
                }
                self.finish_one(i, result, took);
            }
        });
    }

    /// Resolves ready stage `i` (a pending one now that its inputs exist) and, when it is
    /// cached, completes it here; `Some` when it must run.
    fn dispatch(
        &mut self,
        planner: &Planner<'_>,
        exec: &ExecEnv<'_>,
        i: usize,
    ) -> Option<Dispatch> {
        if let Some(pending) = self.plans[i]
            .as_mut()
            .filter(|p| p.status == CacheStatus::Pending)
        {
            let resolved = match pending.base.take() {
                Some(base) => Ok(planner.resolve_from(i, base, &self.outputs)),
                None => planner.resolve(i, &self.outputs),
            };
            match resolved {
                Ok(resolved) => {
                    self.fingerprints[i] = resolved.fingerprint.clone();
                    self.plans[i] = Some(resolved);
                }
                Err(e) => {
                    self.finish_one(i, Err(Failure::Error(e.into())), Duration::ZERO);
                    return None;
                }
            }
        }
        let forced = self.options.force.contains(&i);
        let pulled = super::remote::pull_missing(exec, i, self.plans[i].as_mut(), forced);
        let plan = self.plans[i].as_ref()?;
        let fingerprint = plan.fingerprint.clone().unwrap_or_default();
        if plan.status == CacheStatus::Cached {
            match publish(exec, i, &fingerprint, true) {
                Ok(()) => self.complete(
                    i,
                    if pulled {
                        StageStatus::Pulled
                    } else {
                        StageStatus::Cached
                    },
                    self.cached_outcome(i),
                    Duration::ZERO,
                    None,
                ),
                Err(report) => self.finish_one(i, Err(Failure::Error(report)), Duration::ZERO),
            }
            return None;
        }
        if let Some(why) = &plan.untrusted {
            let message = format!("cache entry not trusted ({why}); running again");
            self.env
                .reporter
                .warn(&self.pipeline.stages[i].name, &message);
        }
        Some(Dispatch {
            fingerprint,
            key: plan.key.clone(),
            inputs: inputs(exec, i, &self.fingerprints),
            placement: self.pipeline.stages[i].placement.clone(),
        })
    }

    fn cancelled(&self) -> bool {
        self.env.cancel.load(Ordering::Relaxed)
    }

    /// What a cached stage reported when it ran: its metrics and warnings, as the plan read
    /// them from its entry (so a cached run shows the same scores as the run that computed
    /// them).
    fn cached_outcome(&self, i: usize) -> Outcome {
        let Some(plan) = self.plans[i].as_ref() else {
            return Outcome::default();
        };
        Outcome {
            metrics: plan.cached_metrics.clone(),
            warnings: plan.cached_warnings.clone(),
            output_hashes: plan.output_hashes.clone(),
            ..Outcome::default()
        }
    }

    fn next_ready(&mut self) -> Option<usize> {
        let pick = self.ready.iter().copied().find(|&(_, i)| {
            let stage = &self.pipeline.stages[i];
            !stage.stage.schema().uses_device
                || !self.env.executor.shares_devices()
                || self.devices.free_for(&stage.placement.device)
        })?;
        self.ready.remove(&pick);
        Some(pick.1)
    }

    fn finish_one(&mut self, i: usize, result: Result<Outcome, Failure>, took: Duration) {
        match result {
            Ok(outcome) if outcome.reused => {
                self.complete(i, StageStatus::Cached, outcome, Duration::ZERO, None)
            }
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
        if status.is_ok() {
            self.outputs[i] = Some(outcome.output_hashes.clone());
        }
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
