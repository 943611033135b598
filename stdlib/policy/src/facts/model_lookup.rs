use std::path::Path;

use clarity_engine::{ArtifactKind, Params, PlacementRequest};

use super::{HfCache, Host, ModelFacts};

/// The inputs followed upstream: those reading a model or a checkpoint made from one.
const MODEL_ARTIFACTS: [ArtifactKind; 2] = [ArtifactKind::MODEL, ArtifactKind::CHECKPOINT];
/// Params that name where a model is: a Hub repository or a local directory.
const MODEL_LOCATIONS: [&str; 4] = ["repo", "path", "model-dir", "config"];
/// The longest chain of references followed.
const MAX_HOPS: usize = 64;

/// The model a stage works on, and its facts.
///
/// Starting at the stage, a `repo` (or `path`, `model-dir`, `config`) param names the
/// model; otherwise its first input that reads a [`ArtifactKind::MODEL`] or
/// [`ArtifactKind::CHECKPOINT`] output — whatever the param is called — is followed
/// upstream, until a stage names one. The facts come from the model's
/// `config.json` when it can be read now (a local directory, or a Hub repository already in
/// the HuggingFace cache), else from the repository name.
pub fn find_model(
    request: &PlacementRequest<'_>,
    host: &dyn Host,
    hf: &HfCache,
) -> Option<ModelFacts> {
    let (mut name, mut params) = (request.stage, request.params);
    for _ in 0..MAX_HOPS {
        if let Some(location) = MODEL_LOCATIONS.iter().find_map(|p| params.opt_str(p)) {
            return Some(facts_of(location, params, request.project_dir, host, hf));
        }
        let next = request
            .upstream
            .iter()
            .find(|u| u.consumer == name && MODEL_ARTIFACTS.contains(&u.artifact))?;
        (name, params) = (next.stage, next.params);
    }
    None
}

fn facts_of(
    location: &str,
    params: &Params,
    project_dir: &Path,
    host: &dyn Host,
    hf: &HfCache,
) -> ModelFacts {
    let local = project_dir.join(location);
    let config_path = if local.file_name().is_some_and(|n| n == "config.json") {
        local
    } else {
        local.join("config.json")
    };
    if let Some(text) = host.read_file(&config_path) {
        let shown = config_path.display().to_string();
        if let Some(facts) = ModelFacts::from_config(location, &text, &shown) {
            return facts;
        }
    }
    let cached = hf.config_of(host, location, params.opt_str("revision"));
    cached
        .and_then(|(path, text)| {
            ModelFacts::from_config(location, &text, &path.display().to_string())
        })
        .unwrap_or_else(|| ModelFacts::from_repo_name(location))
}
