use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::module::AutodiffModule;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{DType, ElementConversion};
use clarity_data::tokenize::{BatchOrder, TokenizedDataset};
use clarity_models::config::ModelConfig;
use clarity_models::{ModelOptions, Precision, ToDType};

use super::files::{LOG_FILE, RunLog, write_reports};
use super::resume::{
    create_dir, load_resumable, publish_best, remove_dir, save_best, save_resumable,
};
use super::setup::{
    available_metrics, check_config, check_labels, check_monitor, fingerprint, mix, objective,
};
use super::validation::validate;
use super::{
    EpochRecord, Objective, StepReport, TrainConfig, TrainError, TrainObserver, TrainerState,
};
use crate::batch_tensors::batch_inputs;
use crate::fault;
use crate::heads::{ClarityClassifier, HeadConfig, save_checkpoint};
use crate::optim::{
    AdamW, AdamWConfig, DecayPolicy, GradientAccumulator, Gradients, LinearWarmupDecay, LossScaler,
    canonical_layout, clip_grad_norm, compute_copy,
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
    /// The model at the end of training.
    pub last: PathBuf,
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
    let result = run.epochs(observer);
    observer.finish();
    result
}

struct Run<'a, B: AutodiffBackend> {
    model: ClarityClassifier<B>,
    optim: AdamW<B::InnerBackend>,
    state: TrainerState,
    objective: Objective,
    schedule: LinearWarmupDecay,
    source: &'a ModelSource<'a>,
    data: TrainData<'a>,
    config: &'a TrainConfig,
    paths: &'a TrainPaths,
    device: &'a B::Device,
    log: RunLog,
    resumed_at: Option<u64>,
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
        let mut log = RunLog::open(paths.resume.as_ref().unwrap_or(&paths.reports))?;
        let (model, optim, state, resumed_at) = match restored {
            Some(r) => {
                let at = r.state.step;
                log.line(&format!(
                    "resumed at optimiser step {at} (epoch {}, batch {})",
                    r.state.epoch + 1,
                    r.state.batch
                ))?;
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
            state,
            objective: objective(config, source.head, data.train),
            schedule,
            source,
            data,
            config,
            paths,
            device,
            log,
            resumed_at,
        })
    }

    fn epochs(&mut self, observer: &mut dyn TrainObserver) -> Result<TrainSummary, TrainError> {
        let started = Instant::now();
        let samples_at_start = self.state.samples;
        let total_steps = self.schedule.total_steps;
        if let Some(step) = self.resumed_at {
            observer.info(&format!(
                "resuming from optimiser step {step} of {total_steps}"
            ));
        }
        observer.start(self.state.step, total_steps);
        while self.state.epoch < self.config.epochs && !self.state.stopped_early {
            let epoch_started = Instant::now();
            let batches = self
                .data
                .train
                .batches(self.config.batch_size, self.order());
            let mut accumulator = GradientAccumulator::new();
            let mut step_loss = (0.0, 0u64);
            while self.state.batch < batches.len() {
                if observer.cancelled() {
                    return Err(TrainError::Cancelled {
                        step: self.state.step,
                    });
                }
                let records = &batches[self.state.batch];
                let (loss, grads) = self.micro_batch(records)?;
                accumulator.accumulate(grads);
                self.state.batch += 1;
                self.state.samples += records.len() as u64;
                self.state.epoch_loss_sum += loss;
                self.state.epoch_loss_count += 1;
                step_loss = (step_loss.0 + loss, step_loss.1 + 1);
                let log_loss = &mut self.state.log_loss;
                *log_loss = (log_loss.0 + loss, log_loss.1 + 1);
                let window_full = self.state.batch.is_multiple_of(self.config.grad_accum);
                if !(window_full || self.state.batch == batches.len()) {
                    continue;
                }
                let (lr, grad_norm, applied) = self.optimiser_step(accumulator.mean());
                if !applied && let Some(scaler) = self.state.loss_scaler {
                    self.log.line(&format!(
                        "step {} skipped: the f16 gradients overflowed; loss scale now {}",
                        self.state.step,
                        scaler.scale()
                    ))?;
                }
                fault::point("train.step");
                let elapsed = started.elapsed().as_secs_f64().max(1e-9);
                observer.step(&StepReport {
                    epoch: self.state.epoch + 1,
                    epochs: self.config.epochs,
                    step: self.state.step,
                    total_steps,
                    loss: step_loss.0 / step_loss.1 as f64,
                    lr,
                    grad_norm,
                    samples_per_second: (self.state.samples - samples_at_start) as f64 / elapsed,
                });
                step_loss = (0.0, 0);
                if self.state.step.is_multiple_of(self.config.log_every.max(1)) {
                    let (sum, count) = self.state.log_loss;
                    let mean = sum / count as f64;
                    let at =
                        self.state.epoch as f64 + self.state.batch as f64 / batches.len() as f64;
                    self.state.loss_curve.push((at, mean));
                    self.log.line(&format!(
                        "[{:>9.1}s] epoch {} step {}/{} loss {mean:.6} lr {lr:.3e} grad-norm {grad_norm:.4}",
                        elapsed,
                        self.state.epoch + 1,
                        self.state.step,
                        total_steps
                    ))?;
                    self.state.log_loss = (0.0, 0);
                }
                if let (Some(every), Some(resume)) =
                    (self.config.checkpoint_every, &self.paths.resume)
                    && self.state.step.is_multiple_of(every)
                    && self.state.batch < batches.len()
                {
                    save_resumable(resume, &self.model, &self.optim, &self.state, self.source)?;
                }
            }
            self.end_epoch(epoch_started, observer)?;
        }
        let elapsed = started.elapsed().as_secs_f64().max(1e-9);
        self.finish()?;
        Ok(TrainSummary {
            history: self.state.history.clone(),
            best: self.state.best,
            steps: self.state.step,
            skipped_steps: self.state.skipped_steps,
            loss_scale: self.state.loss_scaler.map(|s| s.scale()),
            stopped_early: self.state.stopped_early,
            resumed_at: self.resumed_at,
            samples_per_second: (self.state.samples - samples_at_start) as f64 / elapsed,
        })
    }

    fn order(&self) -> BatchOrder {
        let seed = mix(self.config.seed, self.state.epoch as u64, u64::MAX);
        if self.config.length_bucketing {
            BatchOrder::LengthBucketed {
                seed,
                bucket_batches: 50,
            }
        } else {
            BatchOrder::Shuffled { seed }
        }
    }

    /// Forward and backward of one micro-batch: its mean loss and gradients.
    fn micro_batch(
        &self,
        records: &[usize],
    ) -> Result<(f64, Gradients<B::InnerBackend>), TrainError> {
        B::seed(
            self.device,
            mix(
                self.config.seed,
                self.state.epoch as u64,
                self.state.batch as u64,
            ),
        );
        let batch = self
            .data
            .train
            .collate(records, self.config.pad_to_multiple_of);
        let (ids, mask) = batch_inputs::<B>(&batch, self.device);
        let half = match self.config.precision {
            Precision::F32 => None,
            other => Some(compute_copy(&self.model, other.dtype())),
        };
        let compute = half.as_ref().unwrap_or(&self.model);
        let mut logits = compute.forward(ids, mask);
        if half.is_some() {
            logits.evasion = logits.evasion.map(|l| l.cast(DType::F32));
            logits.clarity = logits.clarity.map(|l| l.cast(DType::F32));
        }
        let loss = self
            .objective
            .loss(logits, &batch, self.device)
            .expect("labels and heads were checked before training");
        let value: f64 = loss.clone().into_scalar().elem();
        if !value.is_finite() {
            return Err(TrainError::NonFiniteLoss {
                value,
                epoch: self.state.epoch + 1,
                step: self.state.step,
            });
        }
        let scale = self.state.loss_scaler.map(|s| s.scale());
        let loss = match scale {
            Some(scale) => loss.mul_scalar(scale),
            None => loss,
        };
        let grads = Gradients::from_backward::<B, _>(compute, loss.backward());
        let mut grads = if half.is_some() {
            grads.cast(DType::F32)
        } else {
            grads
        };
        if let Some(scale) = scale {
            grads.scale(1.0 / scale);
        }
        Ok((value, grads))
    }

    /// Clips, schedules and applies one update; returns the learning rate, the gradient norm
    /// and whether the update was applied (an f16 step whose gradients overflowed is skipped
    /// and lowers the loss scale; the schedule moves on, as with PyTorch's `GradScaler`).
    fn optimiser_step(&mut self, mut grads: Gradients<B::InnerBackend>) -> (f64, f64, bool) {
        if let Some(scaler) = self.state.loss_scaler.as_mut() {
            let norm = grads.global_norm();
            if !scaler.update(norm.is_finite()) {
                let lr = self.schedule.lr(self.state.step);
                self.state.step += 1;
                self.state.skipped_steps += 1;
                return (lr, norm, false);
            }
        }
        let grad_norm = match self.config.max_grad_norm {
            Some(max) => clip_grad_norm(&mut grads, max),
            None => grads.global_norm(),
        };
        let lr = self.schedule.lr(self.state.step);
        let model = self.model.clone();
        self.model = self.optim.step(lr, model, grads);
        self.state.step += 1;
        (lr, grad_norm, true)
    }

    fn end_epoch(
        &mut self,
        started: Instant,
        observer: &mut dyn TrainObserver,
    ) -> Result<(), TrainError> {
        let epoch = self.state.epoch + 1;
        let train_loss = self.state.epoch_loss_sum / self.state.epoch_loss_count.max(1) as f64;
        let lr = self.schedule.lr(self.state.step.saturating_sub(1));
        let (validation_loss, validation) = match self.data.validation {
            Some(validation) => {
                observer.validating(validation.len());
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
                (result.loss, result.metrics())
            }
            None => (None, Default::default()),
        };
        let monitored = validation.get(&self.config.monitor.metric).copied();
        let best_value = self.state.best.map(|(v, _)| v);
        let min_delta = self.config.early_stopping.map_or(0.0, |e| e.min_delta);
        let improved =
            monitored.is_some_and(|v| self.config.monitor.improves(v, best_value, min_delta));
        if improved {
            self.state.best = monitored.map(|v| (v, epoch));
            self.state.epochs_without_improvement = 0;
            match &self.paths.resume {
                Some(resume) => save_best(resume, &self.model, epoch, self.source)?,
                None => self.save_model(&self.paths.best)?,
            }
        } else if monitored.is_some() {
            self.state.epochs_without_improvement += 1;
        }
        let record = EpochRecord {
            epoch,
            step: self.state.step,
            train_loss,
            lr,
            validation_loss,
            validation,
            best: improved,
            seconds: started.elapsed().as_secs_f64(),
        };
        self.log.line(&format!(
            "epoch {epoch} done: train loss {train_loss:.6}{}{}",
            validation_loss.map_or(String::new(), |l| format!(", validation loss {l:.6}")),
            monitored.map_or(String::new(), |v| format!(
                ", {} {v:.6}{}",
                self.config.monitor.metric,
                if improved { " (best)" } else { "" }
            ))
        ))?;
        observer.epoch(&record);
        self.state.history.push(record);
        if let Some(stopping) = self.config.early_stopping
            && monitored.is_some()
            && self.state.epochs_without_improvement >= stopping.patience
            && epoch < self.config.epochs
        {
            self.state.stopped_early = true;
            let message = format!(
                "early stopping after epoch {epoch}: no improvement of {} for {} epochs",
                self.config.monitor.metric, stopping.patience
            );
            self.log.line(&message)?;
            observer.info(&message);
        }
        self.state.epoch += 1;
        self.state.batch = 0;
        self.state.epoch_loss_sum = 0.0;
        self.state.epoch_loss_count = 0;
        self.state.log_loss = (0.0, 0);
        write_reports(&self.paths.reports, &self.state, &self.config.monitor)?;
        if let Some(resume) = &self.paths.resume {
            save_resumable(resume, &self.model, &self.optim, &self.state, self.source)?;
        }
        fault::point("train.epoch");
        Ok(())
    }

    /// Writes `last`, `best` (kept in the resume directory while training) and the reports;
    /// clears the resume directory once they are all written.
    fn finish(&mut self) -> Result<(), TrainError> {
        self.save_model(&self.paths.last)?;
        match (&self.paths.resume, self.data.validation, self.state.best) {
            (Some(resume), Some(_), Some((_, epoch))) => {
                publish_best(resume, epoch, &self.paths.best)?
            }
            (None, Some(_), Some(_)) => {}
            _ => self.save_model(&self.paths.best)?,
        }
        write_reports(&self.paths.reports, &self.state, &self.config.monitor)?;
        self.log.line(&format!(
            "finished after {} optimiser steps",
            self.state.step
        ))?;
        if let Some(resume) = &self.paths.resume {
            let (from, to) = (resume.join(LOG_FILE), self.paths.reports.join(LOG_FILE));
            std::fs::copy(&from, &to).map_err(|source| TrainError::Io {
                action: "copy",
                path: from,
                source,
            })?;
            fault::point("train.finish");
            remove_dir(resume)?;
        }
        Ok(())
    }

    fn save_model(&self, dir: &Path) -> Result<(), TrainError> {
        remove_dir(dir)?;
        save_checkpoint(
            &self.model,
            self.source.config,
            self.source.head,
            self.source.tokenizer_dir,
            dir,
        )?;
        Ok(())
    }
}
