//! A remote cache's address: `s3://BUCKET/PREFIX`, `gs://BUCKET/PREFIX`,
//! `az://CONTAINER/PREFIX`, `file:///DIR` or a plain directory path.

use std::path::{Path, PathBuf};

use super::RemoteError;

/// The schemes clarity reads, as the diagnostic of an unknown one lists them.
pub const SUPPORTED: &str = "s3://BUCKET/PREFIX, gs://BUCKET/PREFIX, az://CONTAINER/PREFIX, file:///DIR, or a directory path";

/// Where a remote cache is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RemoteUrl {
    /// Amazon S3 or an S3-compatible server (`s3://`, `s3a://`).
    S3 {
        /// The bucket.
        bucket: String,
        /// The key prefix (no leading or trailing `/`).
        prefix: String,
    },
    /// Google Cloud Storage (`gs://`).
    Gcs {
        /// The bucket.
        bucket: String,
        /// The key prefix.
        prefix: String,
    },
    /// Azure Blob Storage (`az://`, `azure://`, `abfs://`, `abfss://`).
    Azure {
        /// The container.
        container: String,
        /// The key prefix.
        prefix: String,
    },
    /// A local or network directory (`file:///DIR` or a path).
    Dir(PathBuf),
}

impl RemoteUrl {
    /// Parses `text`; a relative directory path resolves against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self, RemoteError> {
        let text = text.trim();
        let Some((scheme, rest)) = text.split_once("://") else {
            if text.is_empty() {
                return Err(RemoteError::Scheme {
                    url: String::new(),
                    scheme: String::new(),
                });
            }
            return Ok(Self::Dir(base.join(text)));
        };
        let split = |rest: &str| {
            let rest = rest.split(['?', '#']).next().unwrap_or_default();
            let (host, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let host = host.rsplit('@').next().unwrap_or_default().to_owned();
            (host, prefix.trim_matches('/').to_owned())
        };
        let unknown = || RemoteError::Scheme {
            url: redact(text),
            scheme: scheme.to_owned(),
        };
        let url = match scheme.to_ascii_lowercase().as_str() {
            "file" => Self::Dir(PathBuf::from(format!("/{}", rest.trim_start_matches('/')))),
            "s3" | "s3a" => {
                let (bucket, prefix) = split(rest);
                Self::S3 { bucket, prefix }
            }
            "gs" => {
                let (bucket, prefix) = split(rest);
                Self::Gcs { bucket, prefix }
            }
            "az" | "azure" | "abfs" | "abfss" => {
                let (container, prefix) = split(rest);
                Self::Azure { container, prefix }
            }
            _ => return Err(unknown()),
        };
        match &url {
            Self::S3 { bucket: b, .. } | Self::Gcs { bucket: b, .. } if b.is_empty() => {
                Err(unknown())
            }
            Self::Azure { container, .. } if container.is_empty() => Err(unknown()),
            _ => Ok(url),
        }
    }

    /// The address as clarity prints it: no user, password or query (where a token could be).
    pub fn shown(&self) -> String {
        let join = |scheme: &str, host: &str, prefix: &str| {
            if prefix.is_empty() {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{prefix}")
            }
        };
        match self {
            Self::S3 { bucket, prefix } => join("s3", bucket, prefix),
            Self::Gcs { bucket, prefix } => join("gs", bucket, prefix),
            Self::Azure { container, prefix } => join("az", container, prefix),
            Self::Dir(dir) => dir.display().to_string(),
        }
    }

    /// The key prefix inside the bucket (empty for a directory: the directory is the root).
    pub fn prefix(&self) -> &str {
        match self {
            Self::S3 { prefix, .. } | Self::Gcs { prefix, .. } | Self::Azure { prefix, .. } => {
                prefix
            }
            Self::Dir(_) => "",
        }
    }
}

/// `text` without a user, password or query.
fn redact(text: &str) -> String {
    let text = text.split(['?', '#']).next().unwrap_or_default();
    match text.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = host.rsplit('@').next().unwrap_or_default();
            let path = if path.is_empty() {
                String::new()
            } else {
                format!("/{path}")
            };
            format!("{scheme}://{host}{path}")
        }
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RemoteUrl, RemoteError> {
        RemoteUrl::parse(text, Path::new("/project"))
    }

    #[test]
    fn schemes_and_paths() {
        assert_eq!(
            parse("s3://bucket/team/cache/").unwrap(),
            RemoteUrl::S3 {
                bucket: "bucket".into(),
                prefix: "team/cache".into()
            }
        );
        assert_eq!(parse("gs://b").unwrap().prefix(), "");
        assert_eq!(
            parse("file:///mnt/cache").unwrap(),
            RemoteUrl::Dir("/mnt/cache".into())
        );
        assert_eq!(
            parse("shared/cache").unwrap(),
            RemoteUrl::Dir("/project/shared/cache".into())
        );
        assert_eq!(
            parse("az://c/p?sig=SECRET").unwrap().shown(),
            "az://c/p".to_owned()
        );
    }

    #[test]
    fn an_unknown_scheme_is_refused_without_its_secrets() {
        match parse("ftp://user:pw@host/x?token=T") {
            Err(RemoteError::Scheme { url, scheme }) => {
                assert_eq!(scheme, "ftp");
                assert_eq!(url, "ftp://host/x");
            }
            other => panic!("{other:?}"),
        }
        assert!(parse("s3:///nobucket").is_err());
    }
}
