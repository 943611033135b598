use serde::Deserialize;

/// What the policies know about a stage's model, and where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFacts {
    /// The family: `deberta-v3`, `deberta-v2`, `roberta`, `bert`, ...
    pub family: Option<String>,
    /// The size: `xsmall`, `small`, `base`, `large`, `xlarge`, `xxlarge`.
    pub size: Option<String>,
    /// The Hub repository or local directory, as the pipeline names it.
    pub repo: String,
    /// Where the family and size were read, for plan output: "the config.json at PATH" or
    /// "the repo name `ORG/NAME`".
    pub source: String,
}

/// The `config.json` fields the facts are read from (HF names).
#[derive(Debug, Deserialize)]
struct ConfigFields {
    model_type: Option<String>,
    hidden_size: Option<u64>,
    num_hidden_layers: Option<u64>,
    conv_kernel_size: Option<u64>,
}

impl ModelFacts {
    /// Facts read from a `config.json` (`None` if it is not a JSON object of a model):
    /// `model_type` gives the family (a `deberta-v2` config without the DeBERTa-v2
    /// `conv_kernel_size` is DeBERTa-v3), `hidden_size` and `num_hidden_layers` the size.
    pub fn from_config(repo: &str, config: &str, location: &str) -> Option<Self> {
        let fields: ConfigFields = serde_json::from_str(config).ok()?;
        let family = fields
            .model_type
            .as_deref()
            .map(|t| family_of_model_type(t, fields.conv_kernel_size));
        let size = fields
            .hidden_size
            .map(|h| size_of_shape(h, fields.num_hidden_layers.unwrap_or(0)));
        family.as_ref()?;
        Some(Self {
            family,
            size,
            repo: repo.to_owned(),
            source: format!("the config.json at {location}"),
        })
    }

    /// Facts guessed from a repository name: the family from its last segment
    /// (`mdeberta-v3-base` is `deberta-v3`), the size from a word in it (`large`, `base`, ...).
    pub fn from_repo_name(repo: &str) -> Self {
        let last = repo
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(repo)
            .to_ascii_lowercase();
        let family = FAMILY_PATTERNS
            .iter()
            .find(|(pattern, _)| last.contains(pattern))
            .map(|(_, f)| (*f).to_owned());
        let size = last
            .split(['-', '_', '.'])
            .find_map(size_word)
            .map(str::to_owned);
        Self {
            family,
            size,
            repo: repo.to_owned(),
            source: format!("the repo name `{repo}`"),
        }
    }
}

/// Substrings of repository names and the family they mean, most specific first.
const FAMILY_PATTERNS: &[(&str, &str)] = &[
    ("deberta-v3", "deberta-v3"),
    ("deberta-v2", "deberta-v2"),
    ("deberta", "deberta"),
    ("xlm-roberta", "xlm-roberta"),
    ("roberta", "roberta"),
    ("distilbert", "distilbert"),
    ("electra", "electra"),
    ("modernbert", "modernbert"),
    ("bert", "bert"),
];

fn family_of_model_type(model_type: &str, conv_kernel_size: Option<u64>) -> String {
    match (model_type, conv_kernel_size) {
        ("deberta-v2", None) => "deberta-v3".to_owned(),
        (other, _) => other.to_owned(),
    }
}

/// The conventional size name of an encoder with this hidden size and depth.
fn size_of_shape(hidden: u64, layers: u64) -> String {
    let size = match hidden {
        0..512 => "xsmall",
        512..768 => "small",
        768..1024 if layers < 12 => "small",
        768..1024 => "base",
        1024..1536 => "large",
        1536..2048 if layers <= 24 => "xlarge",
        _ => "xxlarge",
    };
    size.to_owned()
}

fn size_word(word: &str) -> Option<&'static str> {
    Some(match word {
        "xsmall" | "tiny" | "mini" => "xsmall",
        "small" => "small",
        "base" => "base",
        "large" => "large",
        "xlarge" => "xlarge",
        "xxlarge" => "xxlarge",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(repo: &str) -> (Option<String>, Option<String>) {
        let f = ModelFacts::from_repo_name(repo);
        (f.family, f.size)
    }

    fn some(family: &str, size: &str) -> (Option<String>, Option<String>) {
        (Some(family.to_owned()), Some(size.to_owned()))
    }

    #[test]
    fn repo_names_give_family_and_size() {
        assert_eq!(
            facts("microsoft/deberta-v3-large"),
            some("deberta-v3", "large")
        );
        assert_eq!(
            facts("microsoft/deberta-v3-base"),
            some("deberta-v3", "base")
        );
        assert_eq!(
            facts("microsoft/mdeberta-v3-base"),
            some("deberta-v3", "base")
        );
        assert_eq!(
            facts("microsoft/deberta-v2-xlarge"),
            some("deberta-v2", "xlarge")
        );
        assert_eq!(facts("FacebookAI/roberta-large"), some("roberta", "large"));
        assert_eq!(facts("xlm-roberta-base"), some("xlm-roberta", "base"));
        assert_eq!(facts("google-bert/bert-base-uncased"), some("bert", "base"));
        assert_eq!(facts("someone/my-classifier"), (None, None));
        assert_eq!(
            ModelFacts::from_repo_name("a/b").source,
            "the repo name `a/b`"
        );
    }

    const CONV: &str = r#", "conv_kernel_size": 3"#;

    // Shapes of the Hub's configs (hidden_size, num_hidden_layers, conv_kernel_size).
    #[test]
    fn configs_give_family_and_size() {
        let config = |ty: &str, hidden: u64, layers: u64, conv: &str| {
            let text = format!(
                r#"{{"model_type": "{ty}", "hidden_size": {hidden}, "num_hidden_layers": {layers}{conv}}}"#
            );
            let f = ModelFacts::from_config("x", &text, "here").unwrap();
            (f.family, f.size)
        };
        let cases = [
            (("deberta-v2", 1024, 24, ""), ("deberta-v3", "large")),
            (("deberta-v2", 768, 12, ""), ("deberta-v3", "base")),
            (("deberta-v2", 768, 6, ""), ("deberta-v3", "small")),
            (("deberta-v2", 384, 12, ""), ("deberta-v3", "xsmall")),
            (("deberta-v2", 1536, 24, CONV), ("deberta-v2", "xlarge")),
            (("deberta-v2", 1536, 48, CONV), ("deberta-v2", "xxlarge")),
            (("roberta", 768, 12, ""), ("roberta", "base")),
            (("roberta", 1024, 24, ""), ("roberta", "large")),
        ];
        for ((ty, hidden, layers, conv), (family, size)) in cases {
            let found = config(ty, hidden, layers, conv);
            assert_eq!(found, some(family, size), "{ty} {hidden}x{layers}{conv}");
        }
    }

    #[test]
    fn a_config_names_its_location_and_bad_configs_give_nothing() {
        let f =
            ModelFacts::from_config("m", r#"{"model_type": "roberta"}"#, "/m/config.json").unwrap();
        assert_eq!(
            (f.size, f.source.as_str()),
            (None, "the config.json at /m/config.json")
        );
        assert!(ModelFacts::from_config("m", "not json", "x").is_none());
        assert!(ModelFacts::from_config("m", r#"{"hidden_size": 768}"#, "x").is_none());
        assert!(ModelFacts::from_config("m", "[1, 2]", "x").is_none());
    }
}
