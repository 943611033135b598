//! What `tokenize` checks before anything runs, against the stages it reads
//! ([`Stage::check_upstream`](clarity_engine::Stage::check_upstream)): the templates'
//! columns against a local table's header, and a local model directory's tokenizer files
//! and position table against `max-length`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clarity_data::tokenize::{TextTemplate, TokenizerSource};
use clarity_engine::suggest::did_you_mean;
use clarity_engine::{ParamProblem, Params, Upstream};
use clarity_models::config::{ArchConfig, ModelConfig};

use super::fetch_model::local_dir;
use super::table_header::table_header;

/// A template names a column the input table does not have.
const UNKNOWN_COLUMN: &str = "clarity::tokenize::unknown_column";
/// The model directory has no tokenizer files (the code the run would fail with).
const NO_TOKENIZER: &str = "clarity::tokenize::no_tokenizer";
/// `max-length` exceeds the model's position table.
const MAX_LENGTH: &str = "clarity::tokenize::max_length";

/// Every problem `tokenize`'s params have with the stages it reads.
pub(super) fn check_upstream(params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
    let mut problems = unknown_columns(params, upstream);
    if let Some(model) = tokenizer_dir(params, upstream) {
        problems.extend(missing_tokenizer(&model));
        problems.extend(too_long(params, &model));
    }
    problems
}

/// Each column a template names that an input table lacks, once per template and column.
fn unknown_columns(params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
    let templates: Vec<(&str, TextTemplate)> = ["template", "pair-template"]
        .into_iter()
        .filter_map(|param| Some((param, TextTemplate::parse(params.opt_str(param)?).ok()?)))
        .collect();
    let mut reported = BTreeSet::new();
    let mut problems = Vec::new();
    for input in upstream.inputs("inputs") {
        let Some(header) = table_header(&input) else {
            continue;
        };
        for (param, template) in &templates {
            for column in template.columns() {
                if header.columns.iter().any(|c| c == column) || !reported.insert((*param, column))
                {
                    continue;
                }
                let message = format!(
                    "`{}` has no column `{column}` ({})",
                    input.reference, header.source
                );
                let help = did_you_mean(column, &header.columns, || {
                    format!("its columns: {}", shown_columns(&header.columns))
                });
                problems
                    .push(ParamProblem::new(*param, None, message, help).with_code(UNKNOWN_COLUMN));
            }
        }
    }
    problems
}

/// The first columns of a header, quoted, for a help line.
fn shown_columns(columns: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut list: Vec<String> = columns
        .iter()
        .take(SHOWN)
        .map(|c| format!("`{c}`"))
        .collect();
    if columns.len() > SHOWN {
        list.push(format!("and {} more", columns.len() - SHOWN));
    }
    list.join(", ")
}

/// The local directory the tokenizer is read from, known before running.
struct ModelDir {
    /// The param naming it (`tokenizer` or `tokenizer-path`).
    param: &'static str,
    /// What to call it in messages, e.g. "the model of `weights` (models/tiny)".
    what: String,
    /// The directory.
    dir: PathBuf,
    /// Whether it is a model (a fetch-model stage), whose config is the one trained.
    is_model: bool,
}

fn tokenizer_dir(params: &Params, upstream: &Upstream<'_>) -> Option<ModelDir> {
    let shown = |dir: &Path| {
        let relative = dir.strip_prefix(upstream.project_dir()).unwrap_or(dir);
        relative.display().to_string()
    };
    if let Some(input) = upstream.input("tokenizer") {
        if input.kind != "fetch-model" {
            return None;
        }
        let dir = local_dir(&input)?;
        return Some(ModelDir {
            param: "tokenizer",
            what: format!("the model of `{}` ({})", input.stage, shown(&dir)),
            dir,
            is_model: true,
        });
    }
    let dir = upstream.local_path(params.opt_str("tokenizer-path")?);
    Some(ModelDir {
        param: "tokenizer-path",
        what: shown(&dir),
        dir,
        is_model: false,
    })
}

/// The tokenizer files [`TextTokenizer::from_dir`](clarity_data::tokenize::TextTokenizer::from_dir)
/// needs are not in the directory.
fn missing_tokenizer(model: &ModelDir) -> Option<ParamProblem> {
    if TokenizerSource::find(&model.dir).is_some() {
        return None;
    }
    let message = format!("{} has no tokenizer files", model.what);
    let help = format!(
        "add {} to it, or take the tokenizer from elsewhere with tokenizer-path=\"DIR\"",
        TokenizerSource::EXPECTED
    );
    Some(ParamProblem::new(model.param, None, message, help).with_code(NO_TOKENIZER))
}

/// `max-length` is longer than the model's position table (from its local `config.json`;
/// models without absolute positions, such as DeBERTa-v3, have no limit).
fn too_long(params: &Params, model: &ModelDir) -> Option<ParamProblem> {
    if !model.is_model {
        return None;
    }
    let max_length = params.get_usize("max-length").ok()?;
    let config = ModelConfig::from_dir(&model.dir).ok()?;
    let limit = config.max_input_length()?;
    if max_length <= limit {
        return None;
    }
    let positions = match &config.arch {
        ArchConfig::Roberta(c) => format!(
            "max_position_embeddings {} less the {} RoBERTa skips (pad_token_id + 1)",
            c.max_position_embeddings,
            c.max_position_embeddings - limit
        ),
        ArchConfig::DebertaV2(c) => {
            format!("max_position_embeddings {}", c.max_position_embeddings)
        }
    };
    let message = format!(
        "max-length {max_length} is longer than {} takes: {limit} tokens ({positions})",
        model.what
    );
    let help = format!("set max-length={limit} or less");
    Some(ParamProblem::new("max-length", None, message, help).with_code(MAX_LENGTH))
}
