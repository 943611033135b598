//! A stage's line in the run manifest: what it read and wrote, where it ran, how it ended.

use std::collections::BTreeMap;
use std::time::Duration;

use super::super::{Outcome, StageRecord, StageStatus};
use super::Walk;

impl Walk<'_> {
    pub(super) fn record(
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
        let output_kinds = stage
            .outputs
            .iter()
            .map(|o| (o.name.clone(), o.kind.name().to_owned()))
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
            output_kinds,
            placement: self.placement(i),
            duration_s: took.as_secs_f64(),
            job: outcome.job,
            metrics: outcome.metrics,
            records: outcome.records,
            warnings: outcome.warnings,
            error,
        }
    }

    /// Stage `i`'s placement, on the device it ran on.
    fn placement(&self, i: usize) -> crate::Placement {
        let mut placement = self.pipeline.stages[i].placement.clone();
        if let Some((_, Some(device))) = &self.slots[i] {
            placement.device = device.clone();
        }
        placement
    }
}
