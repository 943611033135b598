//! The devices that stages using one run on: one such stage per device at a time. Without
//! `--devices` there is one slot every device-bound stage shares (they run one at a time,
//! where their placement says); with `--devices cuda:0,cuda:1` a stage placed on `cuda`
//! runs on whichever GPU is free, so independent trainings (ensemble members, sweep
//! points) run side by side. Results do not depend on the index (fingerprints hold the
//! device kind), so members on different GPUs share cache entries.

use crate::Pipeline;

/// The device slots of a run.
#[derive(Clone, Debug)]
pub struct DevicePool {
    slots: Vec<Slot>,
}

#[derive(Clone, Debug)]
struct Slot {
    /// `cuda:1`, `cpu`; empty for the one shared slot of a run without `--devices`.
    device: String,
    busy: bool,
}

impl DevicePool {
    /// Slots for `devices`; one shared slot when there are none.
    pub fn new(devices: &[String]) -> Self {
        let slots = if devices.is_empty() {
            vec![Slot {
                device: String::new(),
                busy: false,
            }]
        } else {
            devices
                .iter()
                .map(|d| Slot {
                    device: d.clone(),
                    busy: false,
                })
                .collect()
        };
        Self { slots }
    }

    /// Whether some slot can run a stage placed on `device`.
    pub fn serves(&self, device: &str) -> bool {
        self.slots.iter().any(|s| matches(&s.device, device))
    }

    /// Takes a free slot for a stage placed on `device`: its index and the device the stage
    /// runs on (`None`: where its placement says).
    pub fn take(&mut self, device: &str) -> Option<(usize, Option<String>)> {
        let index = self
            .slots
            .iter()
            .position(|s| !s.busy && matches(&s.device, device))?;
        let slot = &mut self.slots[index];
        slot.busy = true;
        let runs_on = indexed(&slot.device).then(|| slot.device.clone());
        Some((index, runs_on))
    }

    /// Whether a stage placed on `device` would find a free slot now.
    pub fn free_for(&self, device: &str) -> bool {
        self.slots
            .iter()
            .any(|s| !s.busy && matches(&s.device, device))
    }

    /// Gives slot `index` back.
    pub fn give(&mut self, index: usize) {
        if let Some(slot) = self.slots.get_mut(index) {
            slot.busy = false;
        }
    }

    /// The stages of `order` that use a device placed where no slot serves, by name.
    pub fn unserved(&self, pipeline: &Pipeline, order: &[usize]) -> Vec<(String, String)> {
        order
            .iter()
            .map(|&i| &pipeline.stages[i])
            .filter(|s| s.stage.schema().uses_device && !self.serves(&s.placement.device))
            .map(|s| (s.name.clone(), s.placement.device.clone()))
            .collect()
    }

    /// Simulates a run where every stage takes the same time: the device each device-bound
    /// stage of `order` would get, by stage index (what `clarity plan` shows).
    pub fn assign(&self, pipeline: &Pipeline, order: &[usize]) -> Vec<Option<String>> {
        let mut assigned = vec![None; pipeline.stages.len()];
        let mut done = vec![false; pipeline.stages.len()];
        let mut left: Vec<usize> = order.to_vec();
        while !left.is_empty() {
            let mut pool = self.clone();
            let ready: Vec<usize> = left
                .iter()
                .copied()
                .filter(|&i| {
                    pipeline
                        .dependencies(i)
                        .iter()
                        .all(|&d| done[d] || !order.contains(&d))
                })
                .collect();
            let mut started = Vec::new();
            for i in ready {
                let stage = &pipeline.stages[i];
                if !stage.stage.schema().uses_device {
                    started.push(i);
                } else if let Some((_, runs_on)) = pool.take(&stage.placement.device) {
                    assigned[i] = Some(runs_on.unwrap_or_else(|| stage.placement.device.clone()));
                    started.push(i);
                }
            }
            if started.is_empty() {
                break;
            }
            for i in &started {
                done[*i] = true;
            }
            left.retain(|i| !started.contains(i));
        }
        assigned
    }
}

/// Whether slot `slot` can run a stage placed on `device`: the shared slot runs all; else
/// the same device kind (`cuda:1` runs `cuda:0`'s stages), and a backend-less slot runs its
/// backends (`cpu` runs `cpu:flex`).
fn matches(slot: &str, device: &str) -> bool {
    if slot.is_empty() {
        return true;
    }
    let (slot, device) = (kind(slot), kind(device));
    slot == device
        || device
            .strip_prefix(slot)
            .is_some_and(|rest| rest.starts_with(':'))
}

/// `cuda:1` -> `cuda`; `cpu:flex` stays (a backend, not an index).
fn kind(device: &str) -> &str {
    match device.split_once(':') {
        Some((kind, index)) if index.bytes().all(|b| b.is_ascii_digit()) => kind,
        _ => device,
    }
}

/// Whether `device` names one device of several (`cuda:1`).
fn indexed(device: &str) -> bool {
    kind(device) != device
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_takes_a_free_slot_of_its_device_kind() {
        let mut pool = DevicePool::new(&["cuda:0".into(), "cuda:1".into(), "cpu".into()]);
        assert_eq!(pool.take("cuda:0"), Some((0, Some("cuda:0".into()))));
        assert_eq!(pool.take("cuda:0"), Some((1, Some("cuda:1".into()))));
        assert_eq!(pool.take("cuda"), None);
        assert_eq!(pool.take("cpu:flex"), Some((2, None)));
        assert!(!pool.serves("metal"));
        pool.give(1);
        assert_eq!(pool.take("cuda"), Some((1, Some("cuda:1".into()))));
    }

    #[test]
    fn without_devices_one_slot_serves_every_stage() {
        let mut pool = DevicePool::new(&[]);
        assert_eq!(pool.take("metal"), Some((0, None)));
        assert_eq!(pool.take("cpu"), None);
    }
}
