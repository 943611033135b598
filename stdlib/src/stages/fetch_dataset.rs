//! `fetch-dataset`: a dataset repo from the HuggingFace Hub (or local files) as one `table`
//! artifact per split (`data.train`, `data.test`, ...).

use std::path::PathBuf;

use clarity_data::dataset_files::{assign_split_files, read_shards};
use clarity_data::hub::{HubEnv, RepoId, Selection, fetch_local};
use clarity_data::table::{read_column_names, write_table_artifact};
use clarity_engine::{
    ArtifactKind, BoundInput, OutputSpec, ParamSpec, ParamType, Params, Stage, StageContext,
    StageSchema, Value,
};

use super::hub_source::{SourceDocs, fetch, files_param, short, source_params, source_rule};
use super::table_header::TableHeader;

/// The `fetch-dataset` stage kind.
#[derive(Default)]
pub struct FetchDataset {
    env: Option<HubEnv>,
}

impl FetchDataset {
    /// The stage kind reading the Hub settings from `env` instead of the process environment
    /// (tests; embedding).
    pub fn with_env(env: HubEnv) -> Self {
        Self { env: Some(env) }
    }
}

fn splits(params: &Params) -> Vec<String> {
    params
        .opt_list("splits")
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_else(|| vec!["train".into(), "test".into()])
}

fn string_list(params: &Params, name: &str) -> Vec<String> {
    let items = params.opt_list(name).unwrap_or_default();
    items
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// The header of the split `input` reads from a local (`path=`) fetch-dataset, before it
/// runs: the columns of the split's first file (its shards share their columns), chosen by
/// the rules [`FetchDataset::run`] follows. `None` for a Hub source, or when the files
/// cannot be listed, assigned or read (the run reports why).
pub(super) fn local_header(input: &BoundInput<'_>) -> Option<TableHeader> {
    let path = input.params.opt_str("path")?;
    let selection = Selection::Dataset {
        patterns: string_list(input.params, "files"),
    };
    let fetched = fetch_local(&input.upstream.local_path(path), &selection).ok()?;
    let names: Vec<String> = fetched.files.iter().map(|f| f.name.clone()).collect();
    let assigned = assign_split_files(path, &names, &splits(input.params)).ok()?;
    let first = assigned.by_split.get(input.output)?.first()?;
    let file = fetched.files.iter().find(|f| f.name == **first)?;
    let shown = file.path.strip_prefix(input.upstream.project_dir());
    Some(TableHeader {
        source: format!("the header of {}", shown.unwrap_or(&file.path).display()),
        columns: read_column_names(&file.path).ok()?,
    })
}

impl Stage for FetchDataset {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "fetch-dataset",
            version: 1,
            summary: "Download a dataset repo (parquet / CSV / JSONL) from the HuggingFace Hub, or take local files, one table per split",
            params: source_params(SourceDocs {
                repo: "Hub dataset id, e.g. ailsntua/QEvasion",
                path: "a local table file or directory instead of a Hub repo",
                files: "which files to fetch (globs, e.g. \"data/*.parquet\"); default: every parquet, CSV and JSONL file",
            })
            .into_iter()
            .chain([
                ParamSpec::with_default(
                    "splits",
                    ParamType::list(ParamType::String),
                    Value::List(vec![Value::from("train"), Value::from("test")]),
                    "the splits to output; a file belongs to the split named by a word of its path",
                ),
            ])
            .collect(),
            outputs: vec![],
            rules: vec![source_rule()],
            uses_device: false,
        }
    }

    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        splits(params)
            .into_iter()
            .map(|name| {
                OutputSpec::new(
                    name,
                    ArtifactKind::TABLE,
                    "the split's rows: data.parquet and table.json",
                )
            })
            .collect()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let params = ctx.params();
        let selection = Selection::Dataset {
            patterns: files_param(ctx),
        };
        let fetched = fetch(ctx, self.env.as_ref(), RepoId::dataset, selection, || {
            miette::miette!(
                code = "clarity::fetch_dataset::source",
                help = "write repo=\"owner/name\" for the Hub or path=\"file-or-dir\" for local tables",
                "fetch-dataset needs exactly one of `repo` and `path`"
            )
        })?;
        let names: Vec<String> = fetched.files.iter().map(|f| f.name.clone()).collect();
        let source = if fetched.commit == "local" {
            fetched.repo.id.clone()
        } else {
            format!("{}@{}", fetched.repo, short(&fetched.commit))
        };
        let assigned = assign_split_files(&source, &names, &splits(params))?;
        if !assigned.unassigned.is_empty() {
            let list: Vec<&str> = assigned.unassigned.iter().map(|s| s.as_str()).collect();
            ctx.info(&format!(
                "files of no requested split, not used: {}",
                list.join(", ")
            ));
        }
        let mut counts = serde_json::Map::new();
        for (split, files) in &assigned.by_split {
            let shards: Vec<(PathBuf, String)> = files
                .iter()
                .filter_map(|name| {
                    fetched
                        .files
                        .iter()
                        .find(|f| &&f.name == name)
                        .map(|f| (f.path.clone(), format!("{source}: {name}")))
                })
                .collect();
            let shard_names: Vec<&str> = files.iter().map(|s| s.as_str()).collect();
            let table = read_shards(&shards, &format!("{source}: {}", shard_names.join(" + ")))?;
            ctx.info(&format!(
                "{split}: {} rows from {}",
                table.num_rows(),
                shard_names.join(", ")
            ));
            counts.insert(split.clone(), serde_json::json!(table.num_rows()));
            write_table_artifact(&table, ctx.output_dir(split)?)?;
        }
        ctx.record(
            "dataset",
            serde_json::json!({ "source": source, "rows": counts }),
        );
        Ok(())
    }
}
