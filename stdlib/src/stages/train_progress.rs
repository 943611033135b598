//! The train stage's progress: training events on a terminal bar, or as lines through the
//! engine's reporter; and the live logs (`metrics.jsonl`, TensorBoard) of the run.

use std::io::IsTerminal;
use std::path::PathBuf;

use clarity_engine::StageContext;
use clarity_train::train::{LiveLogs, ProgressObserver, TrainEvent, TrainObserver};

/// Progress on a terminal bar (loss, lr, samples/s, ETA) when stderr is a terminal, else
/// the events' lines through the engine's reporter; every event also to the live logs;
/// cancellation from Ctrl-C.
pub(super) struct StageObserver<'a, 'c> {
    ctx: &'a StageContext<'c>,
    bar: Option<ProgressObserver>,
    live: Option<LiveLogs>,
}

impl<'a, 'c> StageObserver<'a, 'c> {
    /// Live logs go to `logs_dir`; if it could not be made, or its files cannot be created,
    /// training runs without them after a warning.
    pub(super) fn new(ctx: &'a StageContext<'c>, logs_dir: std::io::Result<PathBuf>) -> Self {
        let bar = std::io::stderr().is_terminal().then(ProgressObserver::new);
        let live = logs_dir.map_err(|e| e.to_string()).and_then(|dir| {
            let live = LiveLogs::open(&dir).map_err(|e| with_cause(&e))?;
            Ok((dir, live))
        });
        let live = match live {
            Ok((dir, live)) => {
                let shown = dir.strip_prefix(ctx.project_dir()).unwrap_or(&dir);
                ctx.info(&format!(
                    "live logs (metrics.jsonl, TensorBoard) in {}",
                    shown.display()
                ));
                Some(live)
            }
            Err(why) => {
                ctx.warn(&format!(
                    "no live logs ({why}); training goes on without them"
                ));
                None
            }
        };
        Self { ctx, bar, live }
    }
}

/// An error and its cause on one line.
fn with_cause(error: &dyn std::error::Error) -> String {
    match error.source() {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}

impl TrainObserver for StageObserver<'_, '_> {
    fn event(&mut self, event: &TrainEvent<'_>) {
        if let Some(live) = &mut self.live {
            live.event(event);
            if let Some(warning) = live.take_warning() {
                self.ctx.warn(&warning);
            }
        }
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
