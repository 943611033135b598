use std::fmt;

/// Whether a Hub repo holds a model or a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepoKind {
    /// A model repo (`/{id}` on the Hub, `models--...` in the cache).
    Model,
    /// A dataset repo (`/datasets/{id}`, `datasets--...`).
    Dataset,
}

impl RepoKind {
    /// The plural used in API paths and cache folder names.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Model => "models",
            Self::Dataset => "datasets",
        }
    }
}

/// A Hub repo: its kind and id (`owner/name`, or `name` for the few un-namespaced repos).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoId {
    /// Model or dataset.
    pub kind: RepoKind,
    /// `owner/name`.
    pub id: String,
}

impl RepoId {
    /// A model repo.
    pub fn model(id: impl Into<String>) -> Self {
        Self {
            kind: RepoKind::Model,
            id: id.into(),
        }
    }

    /// A dataset repo.
    pub fn dataset(id: impl Into<String>) -> Self {
        Self {
            kind: RepoKind::Dataset,
            id: id.into(),
        }
    }

    /// Whether the id has the shape the Hub accepts: one or two `/`-separated parts of letters,
    /// digits, `-`, `_` and `.`, none empty, none starting with `.` or `-`.
    pub fn is_valid(&self) -> bool {
        let parts: Vec<&str> = self.id.split('/').collect();
        (1..=2).contains(&parts.len())
            && parts.iter().all(|p| {
                !p.is_empty()
                    && !p.starts_with(['.', '-'])
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            })
    }

    /// The cache folder name: `models--owner--name` / `datasets--owner--name`.
    pub fn cache_folder(&self) -> String {
        std::iter::once(self.kind.plural())
            .chain(self.id.split('/'))
            .collect::<Vec<_>>()
            .join("--")
    }

    /// `(owner, name)`; the owner is empty for un-namespaced ids.
    pub fn owner_and_name(&self) -> (&str, &str) {
        self.id.split_once('/').unwrap_or(("", &self.id))
    }
}

impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            RepoKind::Model => write!(f, "{}", self.id),
            RepoKind::Dataset => write!(f, "datasets/{}", self.id),
        }
    }
}

/// Whether a revision is a full 40-hex-digit commit id (which never moves).
pub fn is_commit_hash(revision: &str) -> bool {
    revision.len() == 40 && revision.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::{RepoId, is_commit_hash};

    #[test]
    fn cache_folders_match_huggingface_hub() {
        assert_eq!(
            RepoId::model("microsoft/deberta-v3-base").cache_folder(),
            "models--microsoft--deberta-v3-base"
        );
        assert_eq!(
            RepoId::dataset("ailsntua/QEvasion").cache_folder(),
            "datasets--ailsntua--QEvasion"
        );
        assert_eq!(RepoId::model("gpt2").cache_folder(), "models--gpt2");
    }

    #[test]
    fn validates_ids_and_commits() {
        assert!(RepoId::model("FacebookAI/roberta-base").is_valid());
        assert!(!RepoId::model("a/b/c").is_valid());
        assert!(!RepoId::model("../etc").is_valid());
        assert!(!RepoId::model("owner/").is_valid());
        assert!(is_commit_hash("8ccc9b6f36199bec6961081d44eb72fb3f7353f3"));
        assert!(!is_commit_hash("main"));
        assert!(!is_commit_hash("8ccc9b6f"));
    }
}
