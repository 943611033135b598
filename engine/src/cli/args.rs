use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// The engine's subcommands; a binary flattens them next to its tool commands.
#[derive(Debug, Subcommand)]
pub enum EngineCommand {
    /// Run a pipeline (the embedded demo pipeline when no file is given).
    Run(RunArgs),
    /// Validate a pipeline and report every error in it; exit 1 on error.
    Check(PipelineArgs),
    /// Show the resolved stages in order, with cache status and device placement.
    Plan(PlanArgs),
    /// Print the pipeline graph as Graphviz dot or Mermaid.
    Graph(GraphArgs),
    /// Hash the pipeline's cache entries and compare them with what each recorded when it
    /// was written; exit 2 when one does not match.
    Verify(PlanArgs),
    /// Print the log a stage kept in the cache (an `exec` stage's command output).
    Log(LogArgs),
    /// List the runs of this directory, newest first, with their overrides and scores.
    Runs(RunsArgs),
    /// Show one run (default: the latest): its stages, metrics, warnings and where its
    /// results are.
    Show(ShowArgs),
    /// Compare two runs: the params that differ and the metrics side by side.
    Diff(DiffArgs),
    /// Remove what the last runs of each pipeline do not need: older runs, cache entries and
    /// resume directories they do not name, temporary directories.
    Gc(GcArgs),
    /// Push cache entries to the remote cache: those of the pipeline's latest run, or every
    /// complete entry when no pipeline is given.
    Push(PushArgs),
    /// Pull what the pipeline needs from the remote cache: each selected stage's entry, as
    /// planned, when it is not in the local cache.
    Pull(PlanArgs),
    /// Run one stage of a pipeline for a driver (`--executor process`, a cluster job): the
    /// job file holds what the driver resolved; the result is written beside it.
    #[command(hide = true)]
    Worker(WorkerArgs),
    /// List the stage kinds, or show the schema of one.
    Stages {
        /// A stage kind, e.g. `exec`.
        kind: Option<String>,
    },
}

/// Which pipeline, and how to resolve it.
#[derive(Debug, Clone, Args)]
pub struct PipelineArgs {
    /// The pipeline file (default: the embedded demo pipeline).
    pub file: Option<PathBuf>,
    /// Override a param: `--set stage.param=value` (or `--set name=value` for a `let`).
    #[arg(long = "set", value_name = "STAGE.PARAM=VALUE")]
    pub set: Vec<String>,
    /// Sweep a param (or a `let`) over values: `--sweep train.lr=1e-5,2e-5`; several flags
    /// span a grid. Stages that do not depend on a swept value run once.
    #[arg(long = "sweep", value_name = "STAGE.PARAM=V1,V2,...")]
    pub sweep: Vec<String>,
    /// Device for device-bound stages: cpu, cuda or cuda:N, metal, vulkan, wgpu, auto (default:
    /// the pipeline's `device`, else auto).
    #[arg(long)]
    pub device: Option<String>,
    /// Never touch the Hub (a remote cache is still used).
    #[arg(long)]
    pub offline: bool,
    /// The remote cache.
    #[command(flatten)]
    pub remote: RemoteArg,
    /// Place stages as if this machine had these devices (e.g. `metal,cpu`) and the binary
    /// were built for them: shows what another machine would do.
    #[arg(long, value_name = "DEVICES", value_delimiter = ',')]
    pub assume_devices: Option<Vec<String>>,
    /// Run stages that use a device one per device at once, e.g. `cuda:0,cuda:1` (or
    /// `auto`: every device this machine has); default: one at a time.
    #[arg(long, value_name = "DEVICES", value_delimiter = ',')]
    pub devices: Vec<String>,
}

/// `clarity run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Pipeline selection.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Re-run every selected stage even if its cached outputs are current; `--force=STAGE`
    /// (repeatable) re-runs that stage, not what it reads (what reads it re-runs if its
    /// outputs change).
    #[arg(
        long,
        value_name = "STAGE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "",
        action = clap::ArgAction::Append
    )]
    pub force: Vec<String>,
    /// How many stages may run at once (device-bound stages still share one device).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only these stages and what they need (repeatable).
    #[arg(long, value_name = "STAGE")]
    pub only: Vec<String>,
    /// Where stages run: `local` (in this process, the default unless the pipeline has an
    /// `executor` block), `process` (each stage in a child process: a crash or an
    /// out-of-memory kill fails that stage, not the run) or `slurm` (each stage a Slurm job).
    #[arg(long, value_enum)]
    pub executor: Option<ExecutorKind>,
}

/// `--executor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExecutorKind {
    /// In the `clarity run` process.
    Local,
    /// Each stage in a `clarity worker` child process.
    Process,
    /// Each stage a Slurm job (`sbatch`) running `clarity worker`.
    Slurm,
}

/// `clarity worker`.
#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// The job file the driver wrote.
    #[arg(long)]
    pub job: PathBuf,
    /// The pipeline, loaded as the driver loaded it.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// `clarity push`.
#[derive(Debug, Clone, Args)]
pub struct PushArgs {
    /// The pipeline whose latest run to push (default: every complete entry).
    pub file: Option<PathBuf>,
    /// The remote cache.
    #[command(flatten)]
    pub remote: RemoteArg,
}

/// `--remote URL`, else `CLARITY_REMOTE`.
#[derive(Debug, Clone, Default, Args)]
pub struct RemoteArg {
    /// The remote cache: `s3://BUCKET/PREFIX`, `gs://BUCKET/PREFIX`, `az://CONTAINER/PREFIX`,
    /// `file:///DIR` or a directory (default: `CLARITY_REMOTE`, else the pipeline's
    /// `cache { remote "URL" }`). Credentials come from the store's own variables (for S3:
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP).
    #[arg(
        long = "remote",
        value_name = "URL",
        env = "CLARITY_REMOTE",
        hide_env_values = true
    )]
    pub url: Option<String>,
}

/// `clarity plan`.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Pipeline selection.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Plan only these stages and what they need (repeatable).
    #[arg(long, value_name = "STAGE")]
    pub only: Vec<String>,
}

/// `clarity log`.
#[derive(Debug, Clone, Args)]
pub struct LogArgs {
    /// The stage.
    pub stage: String,
    /// Pipeline selection.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// `clarity graph`.
#[derive(Debug, Clone, Args)]
pub struct GraphArgs {
    /// Pipeline selection.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// `clarity runs`.
#[derive(Debug, Clone, Args)]
pub struct RunsArgs {
    /// Only the runs of this pipeline (its name, as `pipeline "NAME"` gives it).
    pub pipeline: Option<String>,
    /// `table` for people, `json` for scripts (an array, newest first).
    #[arg(long, value_enum, default_value = "table")]
    pub format: RunsFormat,
}

/// `clarity show`.
#[derive(Debug, Clone, Args)]
pub struct ShowArgs {
    /// The run's id, as `clarity runs` prints it (default: the latest run).
    pub run: Option<String>,
    /// Without a run id: the latest run of this pipeline (its name or its file).
    #[arg(long, value_name = "NAME|FILE")]
    pub pipeline: Option<String>,
    /// List every output of the run, not only checkpoints, predictions and metrics.
    #[arg(long)]
    pub all: bool,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RunsFormat,
}

/// `clarity diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The first run's id (A).
    pub a: String,
    /// The second run's id (B); deltas are B - A.
    pub b: String,
    /// `table` for people, `json` for scripts.
    #[arg(long, value_enum, default_value = "table")]
    pub format: RunsFormat,
}

/// `clarity gc`.
#[derive(Debug, Clone, Args)]
pub struct GcArgs {
    /// How many of the newest runs of each pipeline to keep, with everything they name.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub keep: usize,
    /// List what would be removed, and how many bytes, without removing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Output formats of `runs`, `show` and `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunsFormat {
    /// Aligned columns.
    Table,
    /// A JSON array.
    Json,
}

/// Graph output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz dot.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}
