//! The end-of-epoch decision: did the monitored validation metric improve, and does early
//! stopping end the run.

use super::{TrainConfig, TrainerState};

/// What the end of an epoch decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The epoch gives the best checkpoint so far.
    pub improved: bool,
    /// Early stopping ends the run after it.
    pub stop: bool,
}

/// Judges 1-based `epoch` by its `monitored` value (`None` without validation data) and
/// updates the best value and the count of epochs without improvement in `state`.
pub(crate) fn judge(
    config: &TrainConfig,
    state: &mut TrainerState,
    epoch: usize,
    monitored: Option<f64>,
) -> Verdict {
    let Some(value) = monitored else {
        return Verdict {
            improved: false,
            stop: false,
        };
    };
    let min_delta = config.early_stopping.map_or(0.0, |e| e.min_delta);
    let best = state.best.map(|(v, _)| v);
    let improved = config.monitor.improves(value, best, min_delta);
    if improved {
        state.best = Some((value, epoch));
        state.epochs_without_improvement = 0;
    } else {
        state.epochs_without_improvement += 1;
    }
    let stop = config.early_stopping.is_some_and(|stopping| {
        state.epochs_without_improvement >= stopping.patience && epoch < config.epochs
    });
    Verdict { improved, stop }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::EarlyStopping;

    fn config(patience: usize) -> TrainConfig {
        TrainConfig {
            epochs: 10,
            early_stopping: Some(EarlyStopping {
                patience,
                min_delta: 0.01,
            }),
            ..TrainConfig::default()
        }
    }

    #[test]
    fn stops_after_patience_epochs_without_an_improvement_larger_than_min_delta() {
        let c = config(2);
        let mut state = TrainerState::fresh(String::new());
        let verdicts: Vec<Verdict> = [0.5, 0.505, 0.6, 0.605, 0.609]
            .iter()
            .enumerate()
            .map(|(i, v)| judge(&c, &mut state, i + 1, Some(*v)))
            .collect();
        let improved: Vec<bool> = verdicts.iter().map(|v| v.improved).collect();
        let stop: Vec<bool> = verdicts.iter().map(|v| v.stop).collect();
        assert_eq!(improved, [true, false, true, false, false]);
        assert_eq!(stop, [false, false, false, false, true]);
        assert_eq!(state.best, Some((0.6, 3)));
    }

    #[test]
    fn never_stops_on_the_last_epoch_or_without_validation() {
        let c = TrainConfig {
            epochs: 2,
            ..config(1)
        };
        let mut state = TrainerState::fresh(String::new());
        assert!(!judge(&c, &mut state, 1, None).stop);
        assert!(judge(&c, &mut state, 1, Some(0.5)).improved);
        assert!(!judge(&c, &mut state, 2, Some(0.1)).stop);
    }
}
