use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::AutodiffModule;
use burn::tensor::backend::AutodiffBackend;
use clarity_data::tokenize::TokenizedDataset;
use clarity_models::config::ModelConfig;
use clarity_models::{ModelOptions, Precision};

use super::checkpoints::Checkpoints;
use super::log::RunLog;
use super::resume::{create_dir, load_resumable, remove_dir};
use super::setup::{
    available_metrics, check_config, check_labels, check_monitor, fingerprint, objective,
};
use super::stopping::judge;
use super::validation::{ValidationResult, validate};
use super::{
    EpochRecord, Objective, ResumePoint, TrainConfig, TrainError, TrainEvent, TrainObserver,
    TrainerState,
};
use crate::fault;
use crate::heads::{CheckpointFiles, ClarityClassifier, HeadConfig, InputTemplate};
use crate::optim::{
    AdamW, AdamWConfig, DecayPolicy, LinearWarmupDecay, LossScaler, canonical_layout,
};

/// The model a run trains and what is needed to write it as a checkpoint.
pub struct ModelSource<'a> {
    /// The encoder's HF config (written as `config.json`).
    pub config: &'a ModelConfig,
    /// The heads (written as `head.json`).
    pub head: &'a HeadConfig,
    /// How checkpoints are loaded back when resuming.
    pub options: ModelOptions,
    /// Tokenizer files to copy into the checkpoints.
    pub tokenizer_dir: Option<&'a Path>,
    /// How the training texts were made (written as `clarity_template.json`).
    pub template: Option<&'a InputTemplate>,
}

impl<'a> ModelSource<'a> {
    /// What a checkpoint of this run holds besides the weights.
    pub fn files(&self) -> CheckpointFiles<'a> {
        CheckpointFiles {
            config: self.config,
            head: self.head,
            tokenizer_dir: self.tokenizer_dir,
            template: self.template,
        }
    }
}

/// Training and (optional) validation data.
#[derive(Clone, Copy)]
pub struct TrainData<'a> {
    /// Training records.
    pub train: &'a TokenizedDataset,
    /// Validation records (scored per example, windows averaged).
    pub validation: Option<&'a TokenizedDataset>,
}

/// Where a run writes.
#[derive(Debug, Clone)]
pub struct TrainPaths {
    /// The best checkpoint (by the monitored validation metric; the final model without
    /// validation data).
    pub best: PathBuf,
    /// The model at the end of training; `None` keeps only `best` (an interrupted run still
    /// resumes: its resumable checkpoint lives in `resume`).
    pub last: Option<PathBuf>,
    /// `metrics.json`, `train.log`, `learning_curves.svg`.
    pub reports: PathBuf,
    /// A directory that survives an interrupted run, for the resumable checkpoint, the best
    /// checkpoint so far and the log until the run ends; `None` disables resuming.
    pub resume: Option<PathBuf>,
}

/// How a run went.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSummary {
    /// Every epoch's numbers.
    pub history: Vec<EpochRecord>,
    /// Best monitored value and its 1-based epoch.
    pub best: Option<(f64, usize)>,
    /// Optimiser steps done.
    pub steps: u64,
    /// Of those, steps skipped because their f16 gradients overflowed (dynamic loss scaling).
    pub skipped_steps: u64,
    /// The f16 loss scale at the end (`None` in other precisions).
    pub loss_scale: Option<f64>,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// The optimiser step the run resumed at, if it resumed.
    pub resumed_at: Option<u64>,
    /// Training records per second over this invocation (validation included, writing the
    /// final checkpoints not).
    pub samples_per_second: f64,
}

/// Seeds the backend's random generator (call before building heads, for reproducible runs).
pub fn seed_backend<B: AutodiffBackend>(device: &B::Device, seed: u64) {
    B::seed(device, seed);
}

/// Number of optimiser steps per epoch: `ceil(ceil(records / batch) / grad_accum)` (a final
/// partial accumulation window still makes a step).
pub fn steps_per_epoch(records: usize, batch_size: usize, grad_accum: usize) -> u64 {
    records
        .div_ceil(batch_size.max(1))
        .div_ceil(grad_accum.max(1)) as u64
}

/// Trains `model` on `data`: AdamW (no decay on biases and layer norms), linear warmup and decay,
/// averaged gradient accumulation, global-norm clipping, validation after every epoch, best
/// and last checkpoints, early stopping, reports, and a resumable checkpoint at every epoch end
/// (and every `checkpoint_every` steps). With a resume directory holding a checkpoint of the
/// same run, training continues from it.
pub fn train<B: AutodiffBackend>(
    model: ClarityClassifier<B>,
    source: &ModelSource<'_>,
    data: TrainData<'_>,
    config: &TrainConfig,
    paths: &TrainPaths,
    observer: &mut dyn TrainObserver,
    device: &B::Device,
) -> Result<TrainSummary, TrainError> {
    check_config(config)?;
    let head = source.head;
    if head.head != model.kind() {
        return Err(TrainError::InvalidConfig(format!(
            "the model has {} heads but the head description says {}",
            model.kind(),
            head.head
        )));
    }
    check_labels(head.head, data.train)?;
    if let Some(validation) = data.validation {
        check_monitor(&config.monitor, &available_metrics(head.head, validation))?;
    }
    create_dir(&paths.reports)?;
    let mut run = Run::new(model, source, data, config, paths, device)?;
    let result = run.run(observer);
    if result.is_err() && !run.ended {
        observer.event(&TrainEvent::Ended {
            steps: run.state.step,
            completed: false,
        });
    }
    result
}

/// A run in progress: the model, its optimiser and schedule, and where it is.
pub(super) struct Run<'a, B: AutodiffBackend> {
    pub model: ClarityClassifier<B>,
    pub optim: AdamW<B::InnerBackend>,
    pub state: TrainerState,
    pub objective: Objective,
    pub schedule: LinearWarmupDecay,
    pub source: &'a ModelSource<'a>,
    pub data: TrainData<'a>,
    pub config: &'a TrainConfig,
    pub paths: &'a TrainPaths,
    pub device: &'a B::Device,
    log: RunLog,
    resumed: Option<ResumePoint>,
    /// Whether [`TrainEvent::Ended`] went out.
    ended: bool,
    /// Training records seen when this invocation started (for its throughput).
    pub samples_at_start: u64,
}

impl<'a, B: AutodiffBackend> Run<'a, B> {
    fn new(
        model: ClarityClassifier<B>,
        source: &'a ModelSource<'a>,
        data: TrainData<'a>,
        config: &'a TrainConfig,
        paths: &'a TrainPaths,
        device: &'a B::Device,
    ) -> Result<Self, TrainError> {
        let steps_per_epoch =
            steps_per_epoch(data.train.len(), config.batch_size, config.grad_accum);
        let schedule = LinearWarmupDecay::from_ratio(
            config.lr,
            config.warmup_ratio,
            steps_per_epoch * config.epochs as u64,
        );
        let adamw = AdamWConfig {
            eps: config.adam_eps,
            weight_decay: config.weight_decay,
            decay: DecayPolicy::ExceptBiasAndNorm,
            ..AdamWConfig::default()
        };
        let fingerprint = fingerprint(config, source.head, data.train);
        let restored = match &paths.resume {
            Some(dir) => load_resumable::<B>(dir, &fingerprint, adamw, source, device)?,
            None => None,
        };
        if let (Some(dir), None) = (&paths.resume, &restored) {
            remove_dir(dir)?;
            create_dir(dir)?;
        }
        let log = RunLog::open(paths.resume.as_ref().unwrap_or(&paths.reports))?;
        let (model, optim, state, resumed) = match restored {
            Some(r) => {
                let at = ResumePoint {
                    step: r.state.step,
                    epoch: r.state.epoch,
                    batch: r.state.batch,
                };
                (r.model, r.optim, r.state, Some(at))
            }
            None => {
                let mut state = TrainerState::fresh(fingerprint);
                if config.precision == Precision::F16 {
                    state.loss_scaler = Some(LossScaler::new());
                }
                (model, AdamW::new(adamw), state, None)
            }
        };
        Ok(Self {
            model: canonical_layout(model),
            optim,
            samples_at_start: state.samples,
            state,
            objective: objective(config, source.head, data.train),
            schedule,
            source,
            data,
            config,
            paths,
            device,
            log,
            resumed,
            ended: false,
        })
    }

    /// Every remaining epoch, then the final checkpoints and reports.
    fn run(&mut self, observer: &mut dyn TrainObserver) -> Result<TrainSummary, TrainError> {
        let started = Instant::now();
        let start = TrainEvent::Started {
            step: self.state.step,
            total_steps: self.schedule.total_steps,
            resumed: self.resumed,
        };
        self.emit(&start, observer)?;
        while self.state.epoch < self.config.epochs && !self.state.stopped_early {
            let epoch_started = Instant::now();
            self.train_epoch(started, observer)?;
            self.end_epoch(epoch_started, observer)?;
        }
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        self.finish(observer)?;
        Ok(TrainSummary {
            history: self.state.history.clone(),
            best: self.state.best,
            steps: self.state.step,
            skipped_steps: self.state.skipped_steps,
            loss_scale: self.state.loss_scaler.map(|s| s.scale()),
            stopped_early: self.state.stopped_early,
            resumed_at: self.resumed.map(|r| r.step),
            samples_per_second: (self.state.samples - self.samples_at_start) as f64 / seconds,
        })
    }

    /// Validation, the best checkpoint and early stopping, the epoch's record and reports,
    /// and the resumable checkpoint.
    fn end_epoch(
        &mut self,
        started: Instant,
        observer: &mut dyn TrainObserver,
    ) -> Result<(), TrainError> {
        let config = self.config;
        let epoch = self.state.epoch + 1;
        let train_loss = self.state.epoch_loss_sum / self.state.epoch_loss_count.max(1) as f64;
        let lr = self.schedule.lr(self.state.step.saturating_sub(1));
        let (validation_loss, validation, warnings) = match self.validate(observer)? {
            Some(v) => (v.loss, v.metrics(), v.evaluation.collapse_warnings()),
            None => (None, Default::default(), Vec::new()),
        };
        let monitored = validation.get(&config.monitor.metric).copied();
        let verdict = judge(config, &mut self.state, epoch, monitored);
        if verdict.improved {
            self.checkpoints().best(&self.model, epoch)?;
        }
        let record = EpochRecord {
            epoch,
            step: self.state.step,
            train_loss,
            lr,
            validation_loss,
            validation,
            warnings,
            best: verdict.improved,
            seconds: started.elapsed().as_secs_f64(),
        };
        let monitor = &config.monitor.metric;
        self.emit(
            &TrainEvent::Epoch {
                record: &record,
                monitor,
            },
            observer,
        )?;
        self.state.history.push(record);
        if verdict.stop {
            self.state.stopped_early = true;
            let patience = config.early_stopping.map_or(0, |e| e.patience);
            let event = TrainEvent::StoppedEarly {
                epoch,
                monitor,
                patience,
            };
            self.emit(&event, observer)?;
        }
        self.state.epoch += 1;
        self.state.batch = 0;
        self.state.epoch_loss_sum = 0.0;
        self.state.epoch_loss_count = 0;
        self.state.log_loss = (0.0, 0);
        let checkpoints = self.checkpoints();
        checkpoints.reports(&self.state, &config.monitor)?;
        checkpoints.resumable(&self.model, &self.optim, &self.state)?;
        fault::point("train.epoch");
        Ok(())
    }

    /// The validation loss and evaluation (none without validation data).
    fn validate(
        &self,
        observer: &mut dyn TrainObserver,
    ) -> Result<Option<ValidationResult>, TrainError> {
        let Some(validation) = self.data.validation else {
            return Ok(None);
        };
        observer.event(&TrainEvent::Validating {
            records: validation.len(),
        });
        let cancelled = || observer.cancelled();
        let result = validate(
            &self.model.valid(),
            validation,
            self.source.head,
            &self.objective,
            self.config.eval_batch_size,
            &cancelled,
            self.device,
        )?;
        Ok(Some(result))
    }

    /// Writes `last`, `best` and the reports, ends the log and clears the resume directory.
    fn finish(&mut self, observer: &mut dyn TrainObserver) -> Result<(), TrainError> {
        let checkpoints = self.checkpoints();
        let validated = self.data.validation.is_some();
        checkpoints.finish(&self.model, &self.state, validated)?;
        checkpoints.reports(&self.state, &self.config.monitor)?;
        let end = TrainEvent::Ended {
            steps: self.state.step,
            completed: true,
        };
        self.emit(&end, observer)?;
        self.checkpoints().close()
    }

    pub(super) fn checkpoints(&self) -> Checkpoints<'a> {
        Checkpoints {
            paths: self.paths,
            source: self.source,
        }
    }

    /// Hands `event` to every sink: the run's log, then `observer`.
    pub(super) fn emit(
        &mut self,
        event: &TrainEvent<'_>,
        observer: &mut dyn TrainObserver,
    ) -> Result<(), TrainError> {
        self.ended |= matches!(event, TrainEvent::Ended { .. });
        self.log.record(event)?;
        observer.event(event);
        Ok(())
    }
}
