//! `split`: a stratified train / validation split of a table, the same rows (in the same order)
//! as scikit-learn's `train_test_split(test_size=validation, stratify=by, random_state=seed)`.

use std::collections::BTreeMap;

use clarity_data::clarity::{
    ClarityColumns, ClarityLabel, EvasionLabel, SchemaError, require_text,
};
use clarity_data::split::{split_sizes, stratified_split};
use clarity_data::table::{Table, read_table_artifact, write_table_artifact};
use clarity_engine::suggest::did_you_mean;
use clarity_engine::{
    ArtifactKind, Bound, OutputSpec, ParamProblem, ParamSpec, ParamType, Params, Stage,
    StageContext, StageSchema, Upstream, Value,
};

use super::table_header::table_header;

/// The `split` stage kind.
#[derive(Debug, Default)]
pub struct Split;

/// The class of each row: label columns are normalised to their canonical names (so "Ambivalent"
/// and "Ambivalent Reply" are one class); other columns are used as their trimmed text.
fn classes(table: &Table, column: &str) -> Result<Vec<String>, SchemaError> {
    let is_evasion =
        column == ClarityColumns::EVASION_LABEL || ClarityColumns::ANNOTATORS.contains(&column);
    let is_clarity = column == ClarityColumns::CLARITY_LABEL;
    (0..table.num_rows())
        .map(|row| {
            let text = require_text(table, column, row)?;
            let unknown = |kind, expected: Vec<&str>| SchemaError::UnknownLabel {
                file: table.source().to_string(),
                row: row + 1,
                column: column.to_string(),
                kind,
                value: text.to_string(),
                expected: expected.join(", "),
            };
            if is_evasion {
                EvasionLabel::parse(&text)
                    .map(|l| l.name().to_string())
                    .ok_or_else(|| {
                        unknown(
                            "evasion",
                            EvasionLabel::ALL.map(EvasionLabel::name).to_vec(),
                        )
                    })
            } else if is_clarity {
                ClarityLabel::parse(&text)
                    .map(|l| l.name().to_string())
                    .ok_or_else(|| {
                        unknown(
                            "clarity",
                            ClarityLabel::ALL.map(ClarityLabel::name).to_vec(),
                        )
                    })
            } else {
                Ok(text.trim().to_string())
            }
        })
        .collect()
}

impl Stage for Split {
    fn schema(&self) -> StageSchema {
        StageSchema {
            kind: "split",
            version: 1,
            summary: "Stratified train/validation split of a table (scikit-learn's train_test_split, bit for bit)",
            params: vec![
                ParamSpec::required(
                    "from",
                    ParamType::input(ArtifactKind::TABLE),
                    "the table to split, e.g. \"data.train\"",
                ),
                ParamSpec::with_default(
                    "by",
                    ParamType::String,
                    Value::from(ClarityColumns::EVASION_LABEL),
                    "the column to stratify by (label columns are normalised first)",
                ),
                ParamSpec::with_default(
                    "validation",
                    ParamType::Float {
                        min: Some(Bound::Exclusive(0.0)),
                        max: Some(Bound::Exclusive(1.0)),
                    },
                    Value::Float(0.15),
                    "fraction of rows for validation: ceil(fraction x rows), allotted per class by largest remainder",
                ),
                ParamSpec::with_default(
                    "seed",
                    ParamType::int_in(0, i64::from(u32::MAX)),
                    Value::Int(42),
                    "random_state of the split",
                ),
            ],
            outputs: vec![
                OutputSpec::new("train", ArtifactKind::TABLE, "the training rows"),
                OutputSpec::new("validation", ArtifactKind::TABLE, "the validation rows"),
            ],
            rules: Vec::new(),
            uses_device: false,
        }
    }

    /// `by` against the header of the table split, when it is known before running.
    fn check_upstream(&self, params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
        let header = upstream.input("from").and_then(|from| table_header(&from));
        let (Ok(column), Some(header)) = (params.get_str("by"), header) else {
            return Vec::new();
        };
        if header.columns.iter().any(|c| c == column) {
            return Vec::new();
        }
        let help = did_you_mean(column, &header.columns, || {
            "stratify by a column of the table".to_owned()
        });
        let message = format!("the table has no column `{column}` ({})", header.source);
        let problem = ParamProblem::new("by", None, message, help);
        vec![problem.with_code("clarity::split::unknown_column")]
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let params = ctx.params();
        let column = params.get_str("by")?.to_string();
        let fraction = params.get_f64("validation")?;
        let seed = params.get_u32("seed")?;
        let table = read_table_artifact(ctx.input("from")?)?;
        let labels = classes(&table, &column)?;
        let split = stratified_split(&labels, fraction, seed)?;
        let (n_train, n_validation) = split_sizes(labels.len(), fraction)?;
        debug_assert_eq!(
            (split.train.len(), split.test.len()),
            (n_train, n_validation)
        );

        let source = table.source().to_string();
        let train = table
            .take_rows(&split.train)
            .with_source(format!("{source} (training side of split by {column})"));
        let validation = table
            .take_rows(&split.test)
            .with_source(format!("{source} (validation side of split by {column})"));
        write_table_artifact(&train, ctx.output_dir("train")?)?;
        write_table_artifact(&validation, ctx.output_dir("validation")?)?;
        ctx.info(&format!(
            "{} rows -> {} train / {} validation, stratified by {column}",
            labels.len(),
            n_train,
            n_validation
        ));

        let mut per_class: BTreeMap<&str, [usize; 2]> = BTreeMap::new();
        for &r in &split.train {
            per_class.entry(&labels[r]).or_default()[0] += 1;
        }
        for &r in &split.test {
            per_class.entry(&labels[r]).or_default()[1] += 1;
        }
        ctx.record_metric("train_rows", n_train as f64);
        ctx.record_metric("validation_rows", n_validation as f64);
        ctx.record("classes", serde_json::json!(per_class));
        Ok(())
    }
}
