//! The real machine for the device policies: clarity-models probes it (the backends built
//! into this binary and the GPUs they see) into the inventory `clarity-policy` reads.

use clarity_models::device::{built_backends, inventory};
use clarity_policy::PolicyPlacer;

/// The device-policy placement hook of this binary, on the machine it runs on (probed the
/// first time a plan needs it; `--assume-devices` plans skip the probe).
pub fn policy_placer() -> PolicyPlacer {
    PolicyPlacer::new(built_backends(), || inventory().clone())
}
