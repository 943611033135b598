//! The source both fetch stages share: `repo=` (and `revision=`) on the HuggingFace Hub, or
//! `path=` on disk — exactly one of them.

use clarity_data::hub::{
    FetchRequest, FetchedRepo, HubEnv, HubSession, RepoId, Selection, fetch_local,
};
use clarity_engine::{ParamRule, ParamSpec, ParamType, StageContext, Value};

/// Docs of the source params, which differ by what is fetched.
pub(super) struct SourceDocs {
    /// `repo`: the Hub id and an example.
    pub repo: &'static str,
    /// `path`: what a local source is.
    pub path: &'static str,
    /// `files`: which files it selects.
    pub files: &'static str,
}

/// The params of a Hub-or-path source: `repo`, `path`, `revision`, `files`.
pub(super) fn source_params(docs: SourceDocs) -> Vec<ParamSpec> {
    vec![
        ParamSpec::optional("repo", ParamType::String, docs.repo),
        ParamSpec::optional("path", ParamType::Path, docs.path),
        ParamSpec::with_default(
            "revision",
            ParamType::String,
            Value::from("main"),
            "branch, tag or commit; a full commit id is served from the cache without network",
        ),
        ParamSpec::optional("files", ParamType::list(ParamType::String), docs.files),
    ]
}

/// A source is a Hub repo or a local path, never both.
pub(super) fn source_rule() -> ParamRule {
    ParamRule::ExactlyOne(&["repo", "path"])
}

/// Fetches what `selection` asks for from the stage's source, warning about each note the
/// fetch leaves (a cache fallback, a skipped file). `repo_id` makes the Hub id of the repo's
/// kind; `no_source` is the error when the stage has neither or both of `repo` and `path`.
pub(super) fn fetch(
    ctx: &StageContext<'_>,
    env: Option<&HubEnv>,
    repo_id: fn(String) -> RepoId,
    selection: Selection,
    no_source: impl FnOnce() -> miette::Report,
) -> miette::Result<FetchedRepo> {
    let params = ctx.params();
    let fetched = match (params.opt_str("repo"), params.opt_path("path")) {
        (Some(repo), None) => {
            let revision = params.get_str("revision")?.to_string();
            let fallback = ctx
                .project_dir()
                .join(".clarity")
                .join("huggingface")
                .join("hub");
            let env = env
                .cloned()
                .unwrap_or_else(HubEnv::from_process)
                .with_overrides(&ctx.placement().env);
            let session = HubSession::new(env, ctx.offline(), &[fallback], true)?;
            if let Some(notice) = session.fallback_notice_once() {
                ctx.warn(&notice);
            }
            let request = FetchRequest {
                repo: repo_id(repo.to_string()),
                revision,
                selection,
            };
            session.fetcher().fetch(&request)?
        }
        (None, Some(path)) => fetch_local(&path, &selection)?,
        _ => return Err(no_source()),
    };
    for note in &fetched.notes {
        ctx.warn(note);
    }
    Ok(fetched)
}

/// The first ten characters of a commit id, as `git log --oneline` shows it.
pub(super) fn short(commit: &str) -> &str {
    commit.get(..10).unwrap_or(commit)
}

/// The `files` param as strings (patterns or extra file names).
pub(super) fn files_param(ctx: &StageContext<'_>) -> Vec<String> {
    ctx.params()
        .opt_list("files")
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}
