//! Building the object store for a [`RemoteUrl`] from the variables `object_store` reads,
//! checking the credentials are there, and one cheap probe before anything runs.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use super::{RemoteError, RemoteUrl};

/// How long the probe at start may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(15);

const S3_HELP: &str = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_REGION); for an S3-compatible server also AWS_ENDPOINT=http://HOST:PORT and AWS_ALLOW_HTTP=true for plain http";
const GCS_HELP: &str =
    "set GOOGLE_SERVICE_ACCOUNT (a service account JSON file) or GOOGLE_APPLICATION_CREDENTIALS";
const AZURE_HELP: &str = "set AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY (or AZURE_STORAGE_SAS_KEY, or AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID)";

/// A built store, and what to say when it fails.
pub(super) struct Store {
    pub store: Arc<dyn ObjectStore>,
    /// Where requests go (for "unreachable"), without credentials.
    pub endpoint: String,
    /// Which variables configure it.
    pub help: &'static str,
}

/// Builds the store for `url`; refuses missing credentials before any request.
pub(super) fn build(url: &RemoteUrl) -> Result<Store, RemoteError> {
    let shown = url.shown();
    let config = |help: &'static str| {
        let url = shown.clone();
        move |e: object_store::Error| RemoteError::Config {
            url,
            message: e.to_string(),
            help: help.to_owned(),
        }
    };
    let store = |store: Arc<dyn ObjectStore>, endpoint: String, help| Store {
        store,
        endpoint,
        help,
    };
    match url {
        RemoteUrl::Dir(dir) => directory(dir, &shown),
        RemoteUrl::S3 { bucket, .. } => {
            check_s3_credentials(&shown)?;
            let s3 = from_env::<AmazonS3ConfigKey, _>(
                "AWS_",
                AmazonS3Builder::new(),
                AmazonS3Builder::with_config,
            )
            .with_client_options(client_options_from_env("AWS_"))
            .with_retry(retry())
            .with_bucket_name(bucket)
            .build()
            .map_err(config(S3_HELP))?;
            let endpoint = var("AWS_ENDPOINT").unwrap_or_else(|| {
                let region = var("AWS_REGION").unwrap_or_else(|| "us-east-1".into());
                format!("https://s3.{region}.amazonaws.com")
            });
            Ok(store(Arc::new(s3), endpoint, S3_HELP))
        }
        RemoteUrl::Gcs { bucket, .. } => {
            let gcs = from_env::<GoogleConfigKey, _>(
                "GOOGLE_",
                GoogleCloudStorageBuilder::new(),
                GoogleCloudStorageBuilder::with_config,
            )
            .with_client_options(client_options_from_env("GOOGLE_"))
            .with_retry(retry())
            .with_bucket_name(bucket)
            .build()
            .map_err(config(GCS_HELP))?;
            let endpoint = "https://storage.googleapis.com".to_owned();
            Ok(store(Arc::new(gcs), endpoint, GCS_HELP))
        }
        RemoteUrl::Azure { container, .. } => {
            if var("AZURE_STORAGE_ACCOUNT_NAME").is_none() {
                return Err(RemoteError::Credentials {
                    url: shown,
                    missing: "AZURE_STORAGE_ACCOUNT_NAME is".into(),
                    help: AZURE_HELP.into(),
                });
            }
            let azure = from_env::<AzureConfigKey, _>(
                "AZURE_",
                MicrosoftAzureBuilder::new(),
                MicrosoftAzureBuilder::with_config,
            )
            .with_client_options(client_options_from_env("AZURE_"))
            .with_retry(retry())
            .with_container_name(container)
            .build()
            .map_err(config(AZURE_HELP))?;
            let endpoint = "https://ACCOUNT.blob.core.windows.net".to_owned();
            Ok(store(Arc::new(azure), endpoint, AZURE_HELP))
        }
    }
}

/// A directory remote (created when missing).
fn directory(dir: &std::path::Path, shown: &str) -> Result<Store, RemoteError> {
    let help = "give a directory clarity can create and write";
    let config = |message: String| RemoteError::Config {
        url: shown.to_owned(),
        message,
        help: help.to_owned(),
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| config(format!("cannot create the directory ({e})")))?;
    let store = LocalFileSystem::new_with_prefix(dir)
        .map_err(|e| config(e.to_string()))?
        .with_automatic_cleanup(true);
    Ok(Store {
        store: Arc::new(store),
        endpoint: dir.display().to_string(),
        help,
    })
}

/// Static keys need both halves; without any credential variable, a custom endpoint (an
/// S3-compatible server) cannot fall back on an instance role, so that is an error now.
fn check_s3_credentials(shown: &str) -> Result<(), RemoteError> {
    let missing = |missing: &str| RemoteError::Credentials {
        url: shown.to_owned(),
        missing: missing.to_owned(),
        help: S3_HELP.to_owned(),
    };
    let providers = [
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ];
    let other = providers.iter().any(|k| var(k).is_some())
        || var("AWS_SKIP_SIGNATURE").is_some_and(|v| v == "true");
    match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
        (Some(_), None) => Err(missing("AWS_SECRET_ACCESS_KEY is")),
        (None, Some(_)) => Err(missing("AWS_ACCESS_KEY_ID is")),
        (None, None) if !other && var("AWS_ENDPOINT").is_some() => {
            Err(missing("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are"))
        }
        _ => Ok(()),
    }
}

/// A builder with every `PREFIX*` variable it knows applied (what `from_env` does), values
/// never logged.
fn from_env<K: std::str::FromStr, B>(
    prefix: &str,
    mut builder: B,
    set: fn(B, K, String) -> B,
) -> B {
    for (key, value) in std::env::vars() {
        if key.starts_with(prefix)
            && let Ok(key) = key.to_ascii_lowercase().parse::<K>()
        {
            builder = set(builder, key, value);
        }
    }
    builder
}

/// Short connect timeouts (the probe must fail fast), long transfers, and the client
/// variables (`*_ALLOW_HTTP`, proxies) of `prefix`.
fn client_options_from_env(prefix: &str) -> ClientOptions {
    let mut options = ClientOptions::new()
        .with_connect_timeout(Duration::from_secs(5))
        .with_timeout(Duration::from_secs(600));
    for (key, value) in std::env::vars() {
        if let Some(rest) = key.strip_prefix(prefix)
            && let Ok(key) = rest.to_ascii_lowercase().parse()
        {
            options = options.with_config(key, value);
        }
    }
    options
}

fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: Duration::from_secs(30),
    }
}

fn var(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

/// Lists the cache's prefix once: an unreachable endpoint, a missing bucket or refused
/// credentials are found before any stage runs.
pub(super) async fn probe(store: &Store, root: &ObjPath, shown: &str) -> Result<(), RemoteError> {
    let listed = tokio::time::timeout(PROBE_TIMEOUT, store.store.list_with_delimiter(Some(root)));
    let error = match listed.await {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(e)) => e,
        Err(_) => {
            return Err(unreachable(store, shown, "no answer in 15 s".into()));
        }
    };
    let text = error_chain(&error);
    Err(match error {
        object_store::Error::NotFound { .. } => RemoteError::NoBucket { url: shown.into() },
        _ if text.contains("NoSuchBucket") || text.contains("NoSuchContainer") => {
            RemoteError::NoBucket { url: shown.into() }
        }
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => denied(store, shown, text),
        _ if [
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "AccessDenied",
            "403",
        ]
        .iter()
        .any(|s| text.contains(s)) =>
        {
            denied(store, shown, text)
        }
        _ if [
            "error sending request",
            "connect",
            "dns",
            "timed out",
            "Timeout",
        ]
        .iter()
        .any(|s| text.contains(s)) =>
        {
            unreachable(store, shown, text)
        }
        _ => RemoteError::Transfer {
            url: shown.into(),
            action: "listing",
            key: root.to_string(),
            message: text,
        },
    })
}

fn denied(store: &Store, shown: &str, message: String) -> RemoteError {
    RemoteError::Denied {
        url: shown.into(),
        message,
        help: store.help.to_owned(),
    }
}

fn unreachable(store: &Store, shown: &str, message: String) -> RemoteError {
    RemoteError::Unreachable {
        url: shown.into(),
        endpoint: store.endpoint.clone(),
        message,
        help: format!(
            "check the endpoint is up and reachable from here (for S3: AWS_ENDPOINT, and AWS_ALLOW_HTTP=true for plain http); {}",
            store.help
        ),
    }
}

/// An error and its sources, one line, with the query of every URL in it cut off (an Azure
/// SAS token travels in one).
pub(super) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = e.source();
    }
    without_queries(&text)
}

/// `text` with `?query` removed from each word that holds a URL.
fn without_queries(text: &str) -> String {
    text.split(' ')
        .map(|word| match word.find('?') {
            Some(at) if word.contains("://") => {
                let end = word[at..]
                    .find([')', ',', ';'])
                    .map_or(word.len(), |e| at + e);
                format!("{}{}", &word[..at], &word[end..])
            }
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn queries_are_cut_from_urls_in_messages() {
        assert_eq!(
            super::without_queries(
                "error GET https://a.blob.core.windows.net/c/k?sv=1&sig=SECRET (status 403) why?"
            ),
            "error GET https://a.blob.core.windows.net/c/k (status 403) why?"
        );
    }
}
