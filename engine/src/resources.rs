//! What a stage asks of a cluster executor (a stage's `resources { … }` block, over the
//! defaults of the pipeline's `executor "slurm" { … }` block). Resources never enter a
//! stage's fingerprint: where a stage runs does not change what it writes.

/// A stage's resource request; `None` leaves the cluster's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    /// GPUs (`--gres=gpu:N`); a device stage placed on a GPU asks for one by default.
    pub gpus: Option<u32>,
    /// CPU cores (`--cpus-per-task`).
    pub cpus: Option<u32>,
    /// Memory, in Slurm's syntax (`16G`, `4000M`).
    pub mem: Option<String>,
    /// Wall-time limit, in Slurm's syntax (`2:00:00`, `1-00:00:00`).
    pub time: Option<String>,
    /// Partition.
    pub partition: Option<String>,
    /// Account.
    pub account: Option<String>,
    /// Further `sbatch` arguments, as given (e.g. `--qos=high`).
    pub sbatch: Vec<String>,
}

/// The keys a `resources` block (and an `executor` block) takes.
pub const RESOURCE_KEYS: [&str; 7] = [
    "gpus",
    "cpus",
    "mem",
    "time",
    "partition",
    "account",
    "sbatch",
];

impl Resources {
    /// These resources, each unset one taken from `defaults` (extra `sbatch` arguments
    /// are added after the defaults').
    pub fn over(&self, defaults: &Resources) -> Resources {
        Resources {
            gpus: self.gpus.or(defaults.gpus),
            cpus: self.cpus.or(defaults.cpus),
            mem: self.mem.clone().or_else(|| defaults.mem.clone()),
            time: self.time.clone().or_else(|| defaults.time.clone()),
            partition: self
                .partition
                .clone()
                .or_else(|| defaults.partition.clone()),
            account: self.account.clone().or_else(|| defaults.account.clone()),
            sbatch: defaults
                .sbatch
                .iter()
                .chain(&self.sbatch)
                .cloned()
                .collect(),
        }
    }
}

/// The cluster executors a pipeline may name in `executor "KIND" { … }`.
pub const EXECUTOR_KINDS: [&str; 3] = ["local", "process", "slurm"];

/// A pipeline's `executor "KIND" { … }` block: where its stages run unless `--executor`
/// says otherwise, and the resources every stage asks for unless its own block says
/// otherwise.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecutorConfig {
    /// One of [`EXECUTOR_KINDS`].
    pub kind: String,
    /// Defaults for every stage's resources.
    pub defaults: Resources,
    /// `shared-filesystem #false`: the cluster's nodes do not see the project directory
    /// (unset: they do).
    pub shared_filesystem: Option<bool>,
}

/// The settings of an `executor` block that are not resources.
pub const EXECUTOR_SETTINGS: [&str; 1] = ["shared-filesystem"];
