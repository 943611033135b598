//! One training epoch: micro-batches, averaged accumulation, clipping and optimiser steps,
//! as [`TrainEvent::Step`]s.

use std::time::Instant;

use burn::tensor::backend::AutodiffBackend;
use burn::tensor::{DType, ElementConversion};
use clarity_data::tokenize::BatchOrder;
use clarity_models::{Precision, ToDType};

use super::setup::mix;
use super::trainer::Run;
use super::{StepReport, TrainError, TrainEvent, TrainObserver};
use crate::batch_tensors::batch_inputs;
use crate::fault;
use crate::optim::{GradientAccumulator, Gradients, clip_grad_norm, compute_copy};

/// Loss sums of the micro-batches of one optimiser step.
#[derive(Default)]
struct StepLoss {
    sum: f64,
    count: u64,
}

impl<B: AutodiffBackend> Run<'_, B> {
    /// Trains from the state's batch to the end of the epoch (a resumed run starts mid-epoch).
    pub(super) fn train_epoch(
        &mut self,
        started: Instant,
        observer: &mut dyn TrainObserver,
    ) -> Result<(), TrainError> {
        let batches = self
            .data
            .train
            .batches(self.config.batch_size, self.order());
        let mut accumulator = GradientAccumulator::new();
        let mut step_loss = StepLoss::default();
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
            step_loss.sum += loss;
            step_loss.count += 1;
            let log_loss = &mut self.state.log_loss;
            *log_loss = (log_loss.0 + loss, log_loss.1 + 1);
            let window_full = self.state.batch.is_multiple_of(self.config.grad_accum);
            if !(window_full || self.state.batch == batches.len()) {
                continue;
            }
            let step = std::mem::take(&mut step_loss);
            self.step(accumulator.mean(), step, batches.len(), started, observer)?;
            if let Some(every) = self.config.checkpoint_every
                && self.state.step.is_multiple_of(every)
                && self.state.batch < batches.len()
            {
                self.checkpoints()
                    .resumable(&self.model, &self.optim, &self.state)?;
            }
        }
        Ok(())
    }

    /// One optimiser step over the accumulated gradients, and its event.
    fn step(
        &mut self,
        grads: Gradients<B::InnerBackend>,
        loss: StepLoss,
        batches: usize,
        started: Instant,
        observer: &mut dyn TrainObserver,
    ) -> Result<(), TrainError> {
        let (lr, grad_norm, applied) = self.optimiser_step(grads);
        if !applied && let Some(scaler) = self.state.loss_scaler {
            let event = TrainEvent::StepSkipped {
                step: self.state.step,
                loss_scale: scaler.scale(),
            };
            self.emit(&event, observer)?;
        }
        fault::point("train.step");
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        let logged_loss = self.log_point(batches);
        let report = StepReport {
            epoch: self.state.epoch + 1,
            epochs: self.config.epochs,
            step: self.state.step,
            total_steps: self.schedule.total_steps,
            loss: loss.sum / loss.count as f64,
            lr,
            grad_norm,
            samples_per_second: (self.state.samples - self.samples_at_start) as f64 / seconds,
            seconds,
            logged_loss,
        };
        self.emit(&TrainEvent::Step(&report), observer)
    }

    /// At a log point (every `log_every` steps): the mean loss since the previous one, also
    /// kept for the learning curves.
    fn log_point(&mut self, batches: usize) -> Option<f64> {
        if !self.state.step.is_multiple_of(self.config.log_every.max(1)) {
            return None;
        }
        let (sum, count) = std::mem::take(&mut self.state.log_loss);
        let mean = sum / count as f64;
        let at = self.state.epoch as f64 + self.state.batch as f64 / batches as f64;
        self.state.loss_curve.push((at, mean));
        Some(mean)
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
}
