//! `Stage::check_upstream`: a stage kind checks its params against the stages its inputs
//! are bound to, walking upstream through stages that pass a table on.
mod common;

use std::path::Path;

use clarity_engine::fs::MemFs;
use clarity_engine::lang::Source;
use clarity_engine::{
    ArtifactKind, BoundInput, Diagnostics, Options, OutputSpec, ParamProblem, ParamSpec, ParamType,
    Params, Pipeline, Registry, Stage, StageContext, StageSchema, Upstream,
};
use common::{Meaning, meanings_of};

const CODE: &str = "fake::unknown_column";

fn schema(kind: &'static str, params: Vec<ParamSpec>) -> StageSchema {
    StageSchema {
        kind,
        version: 1,
        summary: "a fake",
        params,
        outputs: vec![OutputSpec::new("table", ArtifactKind::TABLE, "a table")],
        rules: Vec::new(),
        uses_device: false,
    }
}

fn from_param() -> ParamSpec {
    ParamSpec::required("from", ParamType::input(ArtifactKind::TABLE), "a table")
}

/// `source`: a table whose columns are its `columns` param.
struct SourceKind;
/// `relay`: passes its `from` table on.
struct Relay;
/// `reader`: reads `column` of its `from` table.
struct Reader;

impl Stage for SourceKind {
    fn schema(&self) -> StageSchema {
        let columns = ParamType::list(ParamType::String);
        schema(
            "source",
            vec![ParamSpec::required("columns", columns, "names")],
        )
    }

    fn run(&self, _: &mut StageContext<'_>) -> miette::Result<()> {
        Ok(())
    }
}

impl Stage for Relay {
    fn schema(&self) -> StageSchema {
        schema("relay", vec![from_param()])
    }

    fn run(&self, _: &mut StageContext<'_>) -> miette::Result<()> {
        Ok(())
    }
}

/// The columns of the table `input` reads, through relays.
fn columns<'a>(input: &BoundInput<'a>) -> Option<Vec<&'a str>> {
    match input.kind {
        "source" => Some(input.params.get_str_list("columns").ok()?),
        "relay" => columns(&input.upstream.input("from")?),
        _ => None,
    }
}

impl Stage for Reader {
    fn schema(&self) -> StageSchema {
        let column = ParamSpec::required("column", ParamType::String, "a column");
        schema("reader", vec![from_param(), column])
    }

    fn check_upstream(&self, params: &Params, upstream: &Upstream<'_>) -> Vec<ParamProblem> {
        assert_eq!(upstream.project_dir(), Path::new("project"));
        let (Ok(column), Some(from)) = (params.get_str("column"), upstream.input("from")) else {
            return Vec::new();
        };
        match columns(&from) {
            Some(names) if !names.contains(&column) => {
                let message = format!("`{}` has no column `{column}`", from.reference);
                let help = format!("its columns: {}", names.join(", "));
                vec![ParamProblem::new("column", None, message, help).with_code(CODE)]
            }
            _ => Vec::new(),
        }
    }

    fn run(&self, _: &mut StageContext<'_>) -> miette::Result<()> {
        Ok(())
    }
}

fn analyse(text: &str) -> Result<Pipeline, Diagnostics> {
    let mut registry = Registry::new();
    registry
        .register(SourceKind)
        .register(Relay)
        .register(Reader);
    let source = Source::new("pipeline.kdl", Some("pipeline.kdl".into()), text);
    let options = Options {
        registry: &registry,
        fs: &MemFs::new(),
        project_dir: Path::new("project"),
        sets: &[],
        device: None,
        assumed_devices: None,
    };
    clarity_engine::analyse(&source, &options)
}

const PIPELINE: &str = r#"stage "a" source {
    columns "q" "label"
}
stage "b" relay from="a.table"
stage "c" reader from="b.table" column="lable"
"#;

#[test]
fn a_problem_found_upstream_is_reported_at_the_value_under_its_code() {
    let diags = analyse(PIPELINE).err().expect("the column is refused");
    let at = PIPELINE.find("\"lable\"").unwrap();
    assert_eq!(
        meanings_of(&diags),
        [Meaning::new(
            CODE,
            &[(at, 7, "here")],
            Some("its columns: q, label"),
        )]
    );
    let rendered = diags.render(clarity_engine::Style::Plain);
    assert!(
        rendered.contains("param `column`: `b.table` has no column `lable`"),
        "{rendered}"
    );
}

#[test]
fn a_valid_pipeline_passes_and_broken_references_are_not_walked() {
    assert!(analyse(&PIPELINE.replace("lable", "label")).is_ok());
    // An unresolved reference is reported once, by the resolver.
    let broken = PIPELINE.replace("from=\"b.table\"", "from=\"x.table\"");
    let codes = analyse(&broken).err().expect("unknown stage").codes();
    assert_eq!(codes, ["clarity::reference::unknown_stage"]);
}
