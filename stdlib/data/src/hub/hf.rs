use std::path::PathBuf;
use std::sync::Arc;

use hf_hub::progress::Progress;
use hf_hub::{HFClient, HFClientSync, HFError};

use super::error::HubError;
use super::hub_trait::{Hub, RemoteRepo};
use super::progress::DownloadBars;
use super::redact::redact_userinfo;
use super::repo::{RepoId, RepoKind};

/// Settings of an [`HfHub`].
pub struct HfHubOptions {
    /// The Hub URL (`HF_ENDPOINT`); `None` for `https://huggingface.co`.
    pub endpoint: Option<String>,
    /// The access token (`HF_TOKEN`); `None` lets hf-hub look for the token file.
    pub token: Option<String>,
    /// The hub cache directory downloads go to.
    pub cache_dir: PathBuf,
    /// Attempts per request on transient failures; `None` for hf-hub's default.
    pub max_attempts: Option<usize>,
    /// Progress bars for downloads.
    pub progress: Option<DownloadBars>,
}

/// The HuggingFace Hub through the `hf-hub` crate (blocking API): repo info for resolving
/// revisions and listing files, and cached downloads in `huggingface_hub`'s layout.
pub struct HfHub {
    client: HFClientSync,
    endpoint: String,
    cache_dir: PathBuf,
    progress: Option<Progress>,
}

impl HfHub {
    /// A client with the given settings.
    pub fn new(options: HfHubOptions) -> Result<Self, HubError> {
        let mut builder = HFClient::builder().cache_dir(options.cache_dir.clone());
        if let Some(endpoint) = &options.endpoint {
            builder = builder.endpoint(endpoint.clone());
        }
        if let Some(token) = &options.token {
            builder = builder.token(token.clone());
        }
        if let Some(attempts) = options.max_attempts {
            builder = builder.retry_max_attempts(attempts);
        }
        // The endpoint as messages show it: credentials in it are masked.
        let endpoint = redact_userinfo(
            options
                .endpoint
                .as_deref()
                .unwrap_or("https://huggingface.co"),
        );
        let client = builder.build_sync().map_err(|e| HubError::Other {
            repo: String::new(),
            message: redact_userinfo(&format!("cannot set up the Hub client: {e}")),
        })?;
        let progress = options.progress.map(|bars| Progress::from(Arc::new(bars)));
        Ok(Self {
            client,
            endpoint,
            cache_dir: options.cache_dir,
            progress,
        })
    }

    fn map_error(
        &self,
        error: HFError,
        repo: &RepoId,
        revision: &str,
        file: Option<&str>,
    ) -> HubError {
        let repo_name = repo.to_string();
        match error {
            HFError::RepoNotFound { .. } => HubError::RepoNotFound {
                repo: repo_name,
                endpoint: self.endpoint.clone(),
            },
            HFError::RevisionNotFound { context, .. } => {
                if context.as_ref().and_then(|c| c.error_code.as_deref()) == Some("RepoNotFound") {
                    HubError::RepoNotFound {
                        repo: repo_name,
                        endpoint: self.endpoint.clone(),
                    }
                } else {
                    HubError::RevisionNotFound {
                        repo: repo_name,
                        revision: revision.to_string(),
                    }
                }
            }
            HFError::EntryNotFound { path, .. } => HubError::FileNotFound {
                repo: repo_name,
                commit: revision.to_string(),
                file: path,
            },
            HFError::AuthRequired { context } | HFError::Forbidden { context } => {
                if context.error_code.as_deref() == Some("RepoNotFound") {
                    HubError::RepoNotFound {
                        repo: repo_name,
                        endpoint: self.endpoint.clone(),
                    }
                } else {
                    HubError::Unauthorized {
                        repo: repo_name,
                        status: context.status.as_u16(),
                    }
                }
            }
            HFError::Request { source, .. } if source.is_connect() || source.is_timeout() => {
                HubError::Unreachable {
                    endpoint: self.endpoint.clone(),
                    message: error_chain(&source),
                }
            }
            HFError::Request { source, .. } => match file {
                Some(file) => HubError::DownloadFailed {
                    repo: repo_name,
                    file: file.to_string(),
                    message: error_chain(&source),
                },
                None => HubError::Other {
                    repo: repo_name,
                    message: error_chain(&source),
                },
            },
            HFError::Io(e) => HubError::CacheUnwritable {
                path: self.cache_dir.clone(),
                message: redact_userinfo(&e.to_string()),
            },
            other => match file {
                Some(file) => HubError::DownloadFailed {
                    repo: repo_name,
                    file: file.to_string(),
                    message: redact_userinfo(&other.to_string()),
                },
                None => HubError::Other {
                    repo: repo_name,
                    message: redact_userinfo(&other.to_string()),
                },
            },
        }
    }
}

/// An error and its causes on one line, URL credentials masked.
fn error_chain(error: &dyn std::error::Error) -> String {
    redact_userinfo(&unredacted_chain(error))
}

fn unredacted_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl Hub for HfHub {
    fn resolve(&self, repo: &RepoId, revision: &str) -> Result<RemoteRepo, HubError> {
        let (owner, name) = repo.owner_and_name();
        let (sha, siblings) = match repo.kind {
            RepoKind::Model => {
                let info = self
                    .client
                    .model(owner, name)
                    .info()
                    .revision(revision)
                    .send();
                let info = info.map_err(|e| self.map_error(e, repo, revision, None))?;
                (info.sha, info.siblings)
            }
            RepoKind::Dataset => {
                let info = self
                    .client
                    .dataset(owner, name)
                    .info()
                    .revision(revision)
                    .send();
                let info = info.map_err(|e| self.map_error(e, repo, revision, None))?;
                (info.sha, info.siblings)
            }
        };
        let commit = sha.ok_or_else(|| HubError::Other {
            repo: repo.to_string(),
            message: format!("the Hub gave no commit for revision {revision:?}"),
        })?;
        let files = siblings
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.rfilename)
            .collect();
        Ok(RemoteRepo { commit, files })
    }

    fn download(&self, repo: &RepoId, commit: &str, file: &str) -> Result<PathBuf, HubError> {
        let (owner, name) = repo.owner_and_name();
        let result = match repo.kind {
            RepoKind::Model => self
                .client
                .model(owner, name)
                .download_file()
                .filename(file)
                .revision(commit)
                .maybe_progress(self.progress.clone())
                .send(),
            RepoKind::Dataset => self
                .client
                .dataset(owner, name)
                .download_file()
                .filename(file)
                .revision(commit)
                .maybe_progress(self.progress.clone())
                .send(),
        };
        result.map_err(|e| self.map_error(e, repo, commit, Some(file)))
    }
}
