//! A stage's publish step: after a run and again when the stage is cached; a failing publish
//! fails the stage and is retried from the cache on the next run.
mod common;

use std::sync::{Arc, Mutex};

use clarity_engine::{
    ArtifactKind, OutputSpec, ParamSpec, ParamType, PublishContext, Stage, StageContext,
    StageSchema,
};
use common::{Project, RunOpts, statuses};

/// `copy-out`: writes `text` into its output, publishes it to the project's `to` file.
struct CopyOut {
    schema: StageSchema,
    published: Arc<Mutex<Vec<bool>>>,
}

impl CopyOut {
    fn new(published: Arc<Mutex<Vec<bool>>>) -> Self {
        Self {
            schema: StageSchema {
                kind: "copy-out",
                version: 1,
                summary: "Write a text and publish a copy",
                params: vec![
                    ParamSpec::required("text", ParamType::String, "the text"),
                    ParamSpec::required("to", ParamType::String, "where the copy goes"),
                ],
                outputs: vec![OutputSpec::new("out", ArtifactKind::FILES, "the text")],
                rules: Vec::new(),
                uses_device: false,
            },
            published,
        }
    }
}

impl Stage for CopyOut {
    fn schema(&self) -> StageSchema {
        self.schema.clone()
    }

    fn run(&self, ctx: &mut StageContext<'_>) -> miette::Result<()> {
        let text = ctx.params().get_str("text")?.to_owned();
        std::fs::write(ctx.output_dir("out")?.join("text.txt"), text)
            .map_err(|e| miette::miette!("{e}"))?;
        Ok(())
    }

    fn publish(&self, ctx: &PublishContext<'_>) -> miette::Result<()> {
        self.published.lock().unwrap().push(ctx.cached);
        let from = ctx.output_dir("out")?.join("text.txt");
        let to = ctx.project_dir.join(ctx.params.get_str("to")?);
        std::fs::copy(from, &to).map_err(|e| miette::miette!("{}: {e}", to.display()))?;
        Ok(())
    }
}

const TEXT: &str = "stage \"w\" copy-out text=\"hello\" to=\"copies/w.txt\"\n";

fn project() -> (Project, Arc<Mutex<Vec<bool>>>) {
    let mut project = Project::new();
    let published = Arc::new(Mutex::new(Vec::new()));
    project
        .registry
        .register(CopyOut::new(Arc::clone(&published)));
    (project, published)
}

#[test]
fn publish_runs_after_the_run_and_again_when_cached() {
    let (project, published) = project();
    std::fs::create_dir(project.path().join("copies")).unwrap();
    let copy = project.path().join("copies/w.txt");

    let first = project.run(TEXT, &[], RunOpts::default());
    assert_eq!(statuses(&first), ["w=ran"]);
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "hello");

    std::fs::remove_file(&copy).unwrap();
    let second = project.run(TEXT, &[], RunOpts::default());
    assert_eq!(statuses(&second), ["w=cached"]);
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), "hello");
    assert_eq!(*published.lock().unwrap(), [false, true]);
}

#[test]
fn a_failing_publish_fails_the_stage_and_is_retried_from_the_cache() {
    let (project, published) = project();
    // No `copies/` directory yet: the copy fails.
    let first = project.run(TEXT, &[], RunOpts::default());
    assert_eq!(statuses(&first), ["w=failed"]);

    std::fs::create_dir(project.path().join("copies")).unwrap();
    let second = project.run(TEXT, &[], RunOpts::default());
    assert_eq!(
        std::fs::read_to_string(project.path().join("copies/w.txt")).unwrap(),
        "hello"
    );
    // The outputs were complete before the publish failed: the retry publishes from the cache.
    assert_eq!(statuses(&second), ["w=cached"]);
    assert_eq!(*published.lock().unwrap(), [false, true]);
}
