//! `build-model`: a model directory built rather than downloaded — a randomly initialised
//! encoder (a preset such as the demo's `tiny-roberta`, or any HF `config.json`) with a
//! tokenizer taken from another model or trained word-level on tables.

use clarity_data::table::read_table_artifact;
use clarity_data::tokenize::TextTokenizer;
use clarity_engine::fs::read_capped_string;
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamRule, ParamSpec, ParamType, Stage, StageContext, StageSchema,
    Value,
};
use clarity_models::config::MAX_CONFIG_BYTES;
use clarity_models::device::Device;
use clarity_train::build::{
    RandomEncoderTask, TINY_ROBERTA, save_tokenizer, with_vocab_size, word_tokenizer,
};
use clarity_train::heads::TOKENIZER_FILES;

/// The `build-model` stage kind.
#[derive(Debug, Default)]
pub struct BuildModel;

const PRESETS: &[&str] = &["tiny-roberta"];

impl Stage for BuildModel {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "build-model",
            version: 1,
            summary: "Build a randomly initialised model (a preset or a config.json) with a given or word-level tokenizer",
            params: vec![
                ParamSpec::with_default(
                    "preset",
                    ParamType::Choice(PRESETS),
                    Value::from("tiny-roberta"),
                    "the architecture, unless `config` is given: tiny-roberta (64 wide, 2 layers)",
                ),
                ParamSpec::optional(
                    "config",
                    ParamType::Path,
                    "an HF config.json to build instead of the preset",
                ),
                ParamSpec::optional(
                    "tokenizer",
                    ParamType::input(ArtifactKind::MODEL),
                    "take the tokenizer files of this model",
                ),
                ParamSpec::optional(
                    "vocab-from",
                    ParamType::list(ParamType::input(ArtifactKind::TABLE)),
                    "train a word-level tokenizer on these tables instead",
                ),
                ParamSpec::with_default(
                    "text-columns",
                    ParamType::list(ParamType::String),
                    Value::List(vec![
                        Value::from("interview_question"),
                        Value::from("interview_answer"),
                    ]),
                    "the columns whose words make the vocabulary",
                ),
                ParamSpec::with_default(
                    "vocab-size",
                    ParamType::int_in(16, 1_000_000),
                    Value::Int(4000),
                    "word-level vocabulary size, special tokens included",
                ),
                ParamSpec::with_default(
                    "seed",
                    ParamType::int_at_least(0),
                    Value::Int(42),
                    "seed of the weight initialisation",
                ),
            ],
            outputs: vec![OutputSpec::new(
                "model",
                ArtifactKind::MODEL,
                "config.json, model.safetensors (random weights), tokenizer files",
            )],
            rules: vec![ParamRule::ExactlyOne(&["tokenizer", "vocab-from"])],
            uses_device: false,
        }
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let params = ctx.params();
        let out = ctx.output_dir("model")?.to_path_buf();
        let tables = ctx.inputs("vocab-from");
        match (ctx.opt_input("tokenizer"), tables.is_empty()) {
            (Some(source), true) => {
                for name in TOKENIZER_FILES {
                    let from = source.join(name);
                    if from.is_file() {
                        std::fs::copy(&from, out.join(name))
                            .map_err(|e| miette::miette!("cannot copy {}: {e}", from.display()))?;
                    }
                }
            }
            (None, false) => {
                let columns = params.get_str_list("text-columns")?;
                let mut texts = Vec::new();
                for artifact in tables {
                    let table = read_table_artifact(&artifact.dir)?;
                    for name in &columns {
                        let column = table.require_column(name)?;
                        texts.extend(
                            column
                                .cells
                                .iter()
                                .filter_map(|c| c.as_text())
                                .map(|t| t.into_owned()),
                        );
                    }
                }
                let vocab = params.get_usize("vocab-size")?;
                let tokenizer = word_tokenizer(texts.iter().map(String::as_str), vocab)?;
                save_tokenizer(&tokenizer, &out)?;
            }
            _ => {
                return Err(miette::miette!(
                    code = "clarity::build_model::tokenizer_source",
                    help = "write tokenizer=\"weights\" to reuse a model's tokenizer, or vocab-from=\"split.train\" to train a word-level one",
                    "build-model needs exactly one of `tokenizer` and `vocab-from`"
                ));
            }
        }
        let vocab_size = TextTokenizer::from_dir(&out)?.inner().get_vocab_size(true);
        let (text, name) = match params.opt_path("config") {
            Some(path) => (
                read_capped_string(&path, MAX_CONFIG_BYTES).map_err(|e| {
                    miette::miette!(
                        code = "clarity::models::config::io",
                        "cannot read model config {}: {e}",
                        path.display()
                    )
                })?,
                path.display().to_string(),
            ),
            None => (TINY_ROBERTA.to_string(), "tiny-roberta".to_string()),
        };
        let config = with_vocab_size(&text, vocab_size, &name)?;
        let seed = params.get_i64("seed")?.unsigned_abs();
        let device = Device::cpu()?;
        device.run(RandomEncoderTask {
            config: &config,
            seed,
            dir: &out,
        })??;
        ctx.info(&format!(
            "{name} with a {vocab_size}-token vocabulary (seed {seed})"
        ));
        Ok(())
    }
}
