//! `synthetic-dataset`: a deterministic, learnable CLARITY-like dataset (QEvasion's columns and
//! label mix), so the demo pipeline needs no download.

use clarity_data::synthetic::{SyntheticConfig, generate};
use clarity_data::table::write_table_artifact;
use clarity_engine::{
    ArtifactKind, OutputSpec, ParamSpec, ParamType, Stage, StageContext, StageSchema, Value,
};

/// The `synthetic-dataset` stage kind.
#[derive(Debug, Default)]
pub struct SyntheticDataset;

impl Stage for SyntheticDataset {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "synthetic-dataset",
            version: 1,
            summary: "Generate a synthetic CLARITY-like dataset (train and test tables) for offline demos and tests",
            params: vec![
                ParamSpec::with_default(
                    "train-rows",
                    ParamType::int_in(30, 1_000_000),
                    Value::Int(400),
                    "rows of the train table",
                ),
                ParamSpec::with_default(
                    "test-rows",
                    ParamType::int_in(1, 1_000_000),
                    Value::Int(100),
                    "rows of the test table",
                ),
                ParamSpec::with_default(
                    "seed",
                    ParamType::int_at_least(0),
                    Value::Int(42),
                    "generator seed",
                ),
            ],
            outputs: vec![
                OutputSpec::new(
                    "train",
                    ArtifactKind::TABLE,
                    "the train rows: data.parquet, data.csv, table.json",
                ),
                OutputSpec::new(
                    "test",
                    ArtifactKind::TABLE,
                    "the test rows: data.parquet, data.csv, table.json",
                ),
            ],
            rules: Vec::new(),
            uses_device: false,
        }
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let params = ctx.params();
        let config = SyntheticConfig {
            train_rows: params.get_usize("train-rows")?,
            test_rows: params.get_usize("test-rows")?,
            seed: params.get_i64("seed")?.unsigned_abs(),
        };
        let data = generate(&config);
        for (name, table) in [("train", &data.train), ("test", &data.test)] {
            let dir = ctx.output_dir(name)?;
            write_table_artifact(table, dir)?;
            table.write(&dir.join("data.csv"))?;
        }
        ctx.info(&format!(
            "{} train / {} test rows (seed {})",
            config.train_rows, config.test_rows, config.seed
        ));
        Ok(())
    }
}
