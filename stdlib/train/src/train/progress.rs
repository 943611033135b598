use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{TrainEvent, TrainObserver};

/// A terminal progress bar over optimiser steps showing epoch, loss, learning rate, samples/s
/// and the ETA; messages go above it. Draws nothing when stderr is not a terminal.
pub struct ProgressObserver<F: Fn() -> bool = fn() -> bool> {
    bar: ProgressBar,
    cancelled: F,
}

impl ProgressObserver {
    /// A bar on stderr, never cancelled.
    pub fn new() -> Self {
        Self::with_cancel(|| false)
    }
}

impl Default for ProgressObserver {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Fn() -> bool> ProgressObserver<F> {
    /// A bar on stderr; `cancelled` is polled between micro-batches.
    pub fn with_cancel(cancelled: F) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} steps  {msg}  [{elapsed_precise} < {eta_precise}]",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        Self { bar, cancelled }
    }
}

impl<F: Fn() -> bool> TrainObserver for ProgressObserver<F> {
    fn event(&mut self, event: &TrainEvent<'_>) {
        match event {
            TrainEvent::Started {
                step, total_steps, ..
            } => {
                self.bar.set_length(*total_steps);
                self.bar.set_position(*step);
                self.bar.reset_eta();
            }
            TrainEvent::Step(r) => {
                self.bar
                    .set_prefix(format!("epoch {}/{}", r.epoch, r.epochs));
                self.bar.set_message(format!(
                    "loss {:.4}  lr {:.2e}  {:.1} samples/s",
                    r.loss, r.lr, r.samples_per_second
                ));
                self.bar.set_position(r.step);
            }
            TrainEvent::Validating { records } => {
                self.bar
                    .set_message(format!("validating on {records} records"));
            }
            TrainEvent::Ended { .. } => self.bar.finish_and_clear(),
            _ => {}
        }
        if let Some(line) = event.message() {
            self.bar.println(line);
        }
    }

    fn cancelled(&self) -> bool {
        (self.cancelled)()
    }
}
