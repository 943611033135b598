//! `fetch-model`: a model repo from the HuggingFace Hub (or a local directory) as a `model`
//! artifact: `config.json`, the weights (safetensors first, else `.bin`) and the tokenizer files.

use std::path::{Path, PathBuf};

use clarity_data::hub::{HubEnv, RepoId, Selection, link_fetched};
use clarity_engine::{
    ArtifactKind, BoundInput, OutputSpec, Params, Stage, StageContext, StageSchema,
};
use clarity_train::heads::HEAD_FILE;

use super::hub_source::{SourceDocs, fetch, files_param, short, source_params, source_rule};

/// The `fetch-model` stage kind.
#[derive(Default)]
pub struct FetchModel {
    env: Option<HubEnv>,
}

impl FetchModel {
    /// The stage kind reading the Hub settings from `env` instead of the process environment
    /// (tests; embedding).
    pub fn with_env(env: HubEnv) -> Self {
        Self { env: Some(env) }
    }
}

/// The directory a local (`path=`) fetch-model takes its files from, known before it runs;
/// `None` for a Hub source or a path that is no directory.
pub(super) fn local_dir(input: &BoundInput<'_>) -> Option<PathBuf> {
    let dir = input.upstream.local_path(input.params.opt_str("path")?);
    dir.is_dir().then_some(dir)
}

/// Whether `path=` names a clarity checkpoint or export (it has `head.json`): the output is
/// then a `checkpoint`, which predict stages take as `model=`. Relative paths resolve in the
/// directory clarity runs in.
fn holds_checkpoint(params: &Params) -> bool {
    params
        .opt_str("path")
        .is_some_and(|path| Path::new(path).join(HEAD_FILE).is_file())
}

impl Stage for FetchModel {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "fetch-model",
            version: 1,
            summary: "Download a model repo (config, weights, tokenizer) from the HuggingFace Hub, or take a local directory",
            params: source_params(SourceDocs {
                repo: "Hub model id, e.g. microsoft/deberta-v3-base",
                path: "a local model directory instead of a Hub repo",
                files: "extra files to fetch (globs)",
            }),
            outputs: vec![OutputSpec::new(
                "model",
                ArtifactKind::MODEL,
                "config.json, weights and tokenizer files (links into the HF cache) and fetch.json",
            )],
            rules: vec![source_rule()],
            uses_device: false,
        }
    }

    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        if !holds_checkpoint(params) {
            return self.schema().outputs;
        }
        vec![OutputSpec::new(
            "model",
            ArtifactKind::CHECKPOINT,
            "a clarity checkpoint (path= has head.json): config.json, model.safetensors, head.json, clarity_template.json, tokenizer files",
        )]
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let selection = Selection::Model {
            extra: files_param(ctx),
        };
        let fetched = fetch(ctx, self.env.as_ref(), RepoId::model, selection, || {
            miette::miette!(
                code = "clarity::fetch_model::source",
                help = "write repo=\"owner/name\" for the Hub or path=\"dir\" for a local model",
                "fetch-model needs exactly one of `repo` and `path`"
            )
        })?;
        let names: Vec<&str> = fetched.files.iter().map(|f| f.name.as_str()).collect();
        ctx.info(&format!(
            "{}@{}: {}",
            fetched.repo,
            short(&fetched.commit),
            names.join(", ")
        ));
        let record = link_fetched(&fetched, ctx.output_dir("model")?)?;
        ctx.record("fetch", record);
        Ok(())
    }
}
