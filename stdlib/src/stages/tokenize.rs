//! `tokenize`: tables -> `tokens` artifacts (a compact binary file + meta.json; see
//! `clarity_data::tokenize::TokenizedDataset`), one output per input table, named after the
//! input's output name (`"split.train"` -> `tokens.train`).

use clarity_data::table::read_table_artifact;
use clarity_data::tokenize::{
    EncodeOptions, PairEncoder, TextInputs, TextTemplate, TextTokenizer, TokenizeError, Truncation,
    set_parallelism, tokenize_table,
};
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamProblem, ParamRule, ParamSpec, ParamType, Params, Stage,
    StageContext, StageSchema, Upstream, Value,
};

/// The `tokenize` stage kind.
#[derive(Debug, Default)]
pub struct Tokenize;

const TRUNCATIONS: &[&str] = &["longest_first", "only_second"];

/// Output names for input references: the output part (`"split.train"` -> `train`), or the
/// whole reference with `.` as `-` when two inputs share it.
fn output_names(references: &[&str]) -> Vec<String> {
    let short = |r: &str| r.rsplit('.').next().unwrap_or(r).to_string();
    references
        .iter()
        .map(|r| {
            let clash = references.iter().filter(|o| short(o) == short(r)).count() > 1;
            if clash { r.replace('.', "-") } else { short(r) }
        })
        .collect()
}

fn references(params: &Params) -> Vec<&str> {
    params
        .opt_list("inputs")
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

impl Stage for Tokenize {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "tokenize",
            version: 2,
            summary: "Tokenize tables with a model's tokenizer into compact token files",
            params: vec![
                ParamSpec::optional(
                    "tokenizer",
                    ParamType::input(ArtifactKind::MODEL),
                    "the model whose tokenizer to use, e.g. \"weights\"",
                ),
                ParamSpec::optional(
                    "tokenizer-path",
                    ParamType::Path,
                    "a local directory with tokenizer files, instead of `tokenizer`",
                ),
                ParamSpec::required(
                    "inputs",
                    ParamType::list(ParamType::input(ArtifactKind::TABLE)),
                    "the tables, e.g. \"split.train\" \"data.test\"",
                ),
                ParamSpec::with_default(
                    "max-length",
                    ParamType::int_in(8, 1_000_000),
                    Value::Int(512),
                    "maximum tokens per example, special tokens included",
                ),
                ParamSpec::with_default(
                    "template",
                    ParamType::String,
                    Value::from(TextTemplate::QEVASION),
                    "the text of a row; {column} inserts a column",
                ),
                ParamSpec::optional(
                    "pair-template",
                    ParamType::String,
                    "a second text for pair encoding ([CLS] A [SEP] B [SEP]), e.g. \"{interview_answer}\"",
                ),
                ParamSpec::with_default(
                    "truncation",
                    ParamType::Choice(TRUNCATIONS),
                    Value::from("longest_first"),
                    "how over-long pairs are cut",
                ),
                ParamSpec::optional(
                    "stride",
                    ParamType::int_at_least(1),
                    "sliding windows: keep the cut-off rest as extra windows overlapping by this many tokens",
                ),
            ],
            outputs: vec![],
            rules: vec![ParamRule::ExactlyOne(&["tokenizer", "tokenizer-path"])],
            uses_device: false,
        }
    }

    fn outputs(&self, params: &Params) -> Vec<OutputSpec> {
        output_names(&references(params))
            .into_iter()
            .map(|name| {
                OutputSpec::new(
                    name,
                    ArtifactKind::TOKENS,
                    "token ids and labels: tokens.bin + meta.json",
                )
            })
            .collect()
    }

    fn check(&self, params: &Params) -> Vec<ParamProblem> {
        ["template", "pair-template"]
            .into_iter()
            .filter_map(|param| {
                let message = match TextTemplate::parse(params.opt_str(param)?).err()? {
                    TokenizeError::Template { message, .. } => message,
                    other => other.to_string(),
                };
                let help =
                    "write columns as {column}; double a brace ({{ or }}) to write it literally";
                let problem = ParamProblem::new(param, None, message, help);
                Some(problem.with_code("clarity::tokenize::template"))
            })
            .collect()
    }

    fn check_upstream(&self, params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
        super::tokenize_checks::check_upstream(params, upstream)
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let params = ctx.params();
        let max_length = params.get_usize("max-length")?;
        let truncation = Truncation::parse(params.get_str("truncation")?).ok_or_else(|| {
            miette::miette!("truncation must be one of {}", TRUNCATIONS.join(", "))
        })?;
        let stride = params.opt_usize("stride")?;
        let inputs = TextInputs {
            text: TextTemplate::parse(params.get_str("template")?)?,
            pair: params
                .opt_str("pair-template")
                .map(TextTemplate::parse)
                .transpose()?,
        };
        let dir = match (
            ctx.opt_input("tokenizer"),
            params.opt_path("tokenizer-path"),
        ) {
            (Some(dir), None) => dir.to_path_buf(),
            (None, Some(dir)) => dir,
            _ => {
                return Err(miette::miette!(
                    code = "clarity::tokenize::tokenizer",
                    help = "write tokenizer=\"weights\" (a fetch-model stage) or tokenizer-path=\"dir\"",
                    "tokenize needs exactly one of `tokenizer` and `tokenizer-path`"
                ));
            }
        };
        if let Some(value) = ctx.placement().env.get("TOKENIZERS_PARALLELISM") {
            set_parallelism(!matches!(
                value.trim().to_ascii_lowercase().as_str(),
                "false" | "0" | "off" | "no"
            ));
        }
        let tokenizer = TextTokenizer::from_dir(&dir)?;
        let encoder = PairEncoder::new(
            &tokenizer,
            EncodeOptions {
                max_length,
                truncation,
                stride,
            },
        )?;

        let artifacts = ctx.inputs("inputs").to_vec();
        let references: Vec<&str> = artifacts.iter().map(|a| a.reference.as_str()).collect();
        for (artifact, name) in artifacts.iter().zip(output_names(&references)) {
            if ctx.cancelled() {
                return Err(miette::miette!("cancelled"));
            }
            let table = read_table_artifact(&artifact.dir)?;
            let tokens = tokenize_table(&table, &tokenizer, &encoder, &inputs)?;
            tokens.write(ctx.output_dir(&name)?)?;
            let meta = tokens.meta();
            ctx.info(&format!(
                "{}: {} examples, {} records, {} truncated at {max_length} tokens",
                artifact.reference, meta.examples, meta.records, meta.truncated_examples
            ));
            ctx.record_metric(format!("{name}.examples"), meta.examples as f64);
            ctx.record_metric(format!("{name}.truncated"), meta.truncated_examples as f64);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::output_names;

    #[test]
    fn outputs_are_named_after_the_inputs() {
        assert_eq!(
            output_names(&["split.train", "split.validation", "data.test"]),
            ["train", "validation", "test"]
        );
        assert_eq!(
            output_names(&["a.train", "b.train", "synth"]),
            ["a-train", "b-train", "synth"]
        );
    }
}
