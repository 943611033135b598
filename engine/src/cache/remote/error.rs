use miette::Diagnostic;
use thiserror::Error;

/// Failures of a remote cache. None of them holds a credential: messages name variables,
/// never their values, and addresses are shown without users, passwords or queries.
#[derive(Debug, Error, Diagnostic)]
pub enum RemoteError {
    /// No remote cache is configured.
    #[error("no remote cache is configured")]
    #[diagnostic(
        code(clarity::remote::none),
        help(
            "give --remote URL, set CLARITY_REMOTE, or write `cache {{ remote \"URL\" }}` in the pipeline"
        )
    )]
    NotConfigured,
    /// The address has a scheme clarity does not read.
    #[error("the remote cache `{url}` has an unknown scheme `{scheme}`")]
    #[diagnostic(
        code(clarity::remote::scheme),
        help("write one of: {}", super::url::SUPPORTED)
    )]
    Scheme {
        /// The address, redacted.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// No credentials for the store.
    #[error("no credentials for the remote cache `{url}`: {missing} not set")]
    #[diagnostic(code(clarity::remote::credentials), help("{help}"))]
    Credentials {
        /// The address.
        url: String,
        /// The variables that are missing.
        missing: String,
        /// What to set.
        help: String,
    },
    /// The store's settings are incomplete or malformed (e.g. no Azure account name).
    #[error("cannot use the remote cache `{url}`: {message}")]
    #[diagnostic(code(clarity::remote::config), help("{help}"))]
    Config {
        /// The address.
        url: String,
        /// What the store said.
        message: String,
        /// Which variables configure it.
        help: String,
    },
    /// The endpoint did not answer.
    #[error("the remote cache `{url}` is unreachable at {endpoint}: {message}")]
    #[diagnostic(code(clarity::remote::unreachable), help("{help}"))]
    Unreachable {
        /// The address.
        url: String,
        /// The endpoint tried.
        endpoint: String,
        /// What failed.
        message: String,
        /// What to check.
        help: String,
    },
    /// The bucket (or container) does not exist.
    #[error("the bucket of the remote cache `{url}` does not exist")]
    #[diagnostic(
        code(clarity::remote::bucket),
        help("create it first (e.g. `aws s3 mb s3://BUCKET`), or fix the name in the address")
    )]
    NoBucket {
        /// The address.
        url: String,
    },
    /// The store refused the credentials.
    #[error("the remote cache `{url}` refused the credentials: {message}")]
    #[diagnostic(code(clarity::remote::denied), help("{help}"))]
    Denied {
        /// The address.
        url: String,
        /// What the store said.
        message: String,
        /// Which variables hold the credentials.
        help: String,
    },
    /// A transfer failed.
    #[error("remote cache `{url}`: {action} `{key}` failed: {message}")]
    #[diagnostic(
        code(clarity::remote::transfer),
        help("check the network and the store; `clarity push` and `clarity pull` retry by hand")
    )]
    Transfer {
        /// The address.
        url: String,
        /// What was being done.
        action: &'static str,
        /// Which object or file.
        key: String,
        /// Cause.
        message: String,
    },
}

impl RemoteError {
    /// Whether it is a mistake in the configuration (exit status 1) rather than a failure
    /// while running (2).
    pub fn is_config(&self) -> bool {
        matches!(
            self,
            Self::NotConfigured
                | Self::Scheme { .. }
                | Self::Credentials { .. }
                | Self::Config { .. }
                | Self::NoBucket { .. }
                | Self::Denied { .. }
        )
    }
}
