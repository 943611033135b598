//! The train stage's progress: training events on a terminal bar, or as lines through the
//! engine's reporter.

use std::io::IsTerminal;

use clarity_engine::StageContext;
use clarity_train::train::{ProgressObserver, TrainEvent, TrainObserver};

/// Progress on a terminal bar (loss, lr, samples/s, ETA) when stderr is a terminal, else
/// the events' lines through the engine's reporter; cancellation from Ctrl-C.
pub(super) struct StageObserver<'a, 'c> {
    ctx: &'a StageContext<'c>,
    bar: Option<ProgressObserver>,
}

impl<'a, 'c> StageObserver<'a, 'c> {
    pub(super) fn new(ctx: &'a StageContext<'c>) -> Self {
        let bar = std::io::stderr().is_terminal().then(ProgressObserver::new);
        Self { ctx, bar }
    }
}

impl TrainObserver for StageObserver<'_, '_> {
    fn event(&mut self, event: &TrainEvent<'_>) {
        if let Some(bar) = &mut self.bar {
            return bar.event(event);
        }
        if let TrainEvent::Started {
            step, total_steps, ..
        } = event
        {
            self.ctx.progress(*step, *total_steps);
        }
        if let Some(line) = event.message() {
            self.ctx.info(&line);
        }
    }

    fn cancelled(&self) -> bool {
        self.ctx.cancelled()
    }
}
