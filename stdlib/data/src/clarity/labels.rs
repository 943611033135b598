use serde::{Deserialize, Serialize};

use super::label_key::label_key;

/// Task 1 label: how clearly the answer replies to the question.
///
/// The class index order is fixed and used by training, metrics and prediction:
/// `0` Clear Reply, `1` Ambivalent Reply, `2` Clear Non-Reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClarityLabel {
    /// The answer gives the requested information explicitly.
    #[serde(rename = "Clear Reply")]
    ClearReply,
    /// The answer gives some information but is evasive (the data spells it "Ambivalent").
    #[serde(rename = "Ambivalent Reply")]
    AmbivalentReply,
    /// The answer does not give the requested information.
    #[serde(rename = "Clear Non-Reply")]
    ClearNonReply,
}

/// Task 2 label: the evasion technique of the answer (9 classes).
///
/// The class index order is fixed and used by training, metrics and prediction:
/// `0` Explicit, `1` Implicit, `2` General, `3` Partial/half-answer, `4` Dodging,
/// `5` Deflection, `6` Declining to answer, `7` Claims ignorance, `8` Clarification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EvasionLabel {
    /// The requested information is stated explicitly.
    Explicit,
    /// The requested information is given implicitly.
    Implicit,
    /// The answer is too general.
    General,
    /// Only part of the question is answered.
    #[serde(rename = "Partial/half-answer")]
    Partial,
    /// The answer ignores the question.
    Dodging,
    /// The answer shifts the focus elsewhere.
    Deflection,
    /// The speaker declines to answer.
    #[serde(rename = "Declining to answer")]
    Declining,
    /// The speaker claims not to know.
    #[serde(rename = "Claims ignorance")]
    ClaimsIgnorance,
    /// The speaker asks for clarification.
    Clarification,
}

/// The class-index methods both label types share, from their `ALL` and `name`.
macro_rules! class_index_methods {
    ($label:ty) => {
        impl $label {
            /// The class index (see the type docs for the order).
            pub fn index(self) -> usize {
                self as usize
            }

            /// The label of a class index, `None` when out of range.
            pub fn from_index(index: usize) -> Option<Self> {
                Self::ALL.get(index).copied()
            }

            /// The canonical spellings of [`Self::ALL`], in class-index order.
            pub fn class_names() -> Vec<String> {
                Self::ALL.iter().map(|l| l.name().to_string()).collect()
            }
        }
    };
}

class_index_methods!(ClarityLabel);
class_index_methods!(EvasionLabel);

impl ClarityLabel {
    /// Number of classes.
    pub const COUNT: usize = 3;
    /// All labels in class-index order.
    pub const ALL: [ClarityLabel; 3] =
        [Self::ClearReply, Self::AmbivalentReply, Self::ClearNonReply];

    /// The canonical spelling, as in the CLARITY paper and the prediction CSV.
    pub fn name(self) -> &'static str {
        match self {
            Self::ClearReply => "Clear Reply",
            Self::AmbivalentReply => "Ambivalent Reply",
            Self::ClearNonReply => "Clear Non-Reply",
        }
    }

    /// The evasion labels that map to this clarity label.
    pub fn evasion_labels(self) -> impl Iterator<Item = EvasionLabel> {
        EvasionLabel::ALL
            .into_iter()
            .filter(move |e| e.clarity() == self)
    }

    /// Parses a label spelling after normalisation (case, whitespace, `_`, aliases such as
    /// "Ambivalent" or "Non-Reply"); `None` when it names no clarity label.
    pub fn parse(raw: &str) -> Option<Self> {
        match label_key(raw).as_str() {
            "clear reply" => Some(Self::ClearReply),
            "ambivalent reply" | "ambivalent" | "ambiguous" | "ambiguous reply" => {
                Some(Self::AmbivalentReply)
            }
            "clear non-reply" | "clear non reply" | "clear nonreply" | "non-reply"
            | "non reply" | "nonreply" => Some(Self::ClearNonReply),
            _ => None,
        }
    }
}

impl EvasionLabel {
    /// Number of classes.
    pub const COUNT: usize = 9;
    /// All labels in class-index order.
    pub const ALL: [EvasionLabel; 9] = [
        Self::Explicit,
        Self::Implicit,
        Self::General,
        Self::Partial,
        Self::Dodging,
        Self::Deflection,
        Self::Declining,
        Self::ClaimsIgnorance,
        Self::Clarification,
    ];

    /// The canonical spelling, as in QEvasion.
    pub fn name(self) -> &'static str {
        match self {
            Self::Explicit => "Explicit",
            Self::Implicit => "Implicit",
            Self::General => "General",
            Self::Partial => "Partial/half-answer",
            Self::Dodging => "Dodging",
            Self::Deflection => "Deflection",
            Self::Declining => "Declining to answer",
            Self::ClaimsIgnorance => "Claims ignorance",
            Self::Clarification => "Clarification",
        }
    }

    /// The clarity label this evasion label maps to: Clear Reply = {Explicit};
    /// Ambivalent = {Implicit, Dodging, General, Deflection, Partial/half-answer};
    /// Clear Non-Reply = {Declining to answer, Claims ignorance, Clarification}.
    pub fn clarity(self) -> ClarityLabel {
        match self {
            Self::Explicit => ClarityLabel::ClearReply,
            Self::Implicit | Self::General | Self::Partial | Self::Dodging | Self::Deflection => {
                ClarityLabel::AmbivalentReply
            }
            Self::Declining | Self::ClaimsIgnorance | Self::Clarification => {
                ClarityLabel::ClearNonReply
            }
        }
    }

    /// Parses a label spelling after normalisation (case, whitespace, `_`, aliases such as
    /// "Partial" or "Declining"); `None` when it names no evasion label.
    pub fn parse(raw: &str) -> Option<Self> {
        match label_key(raw).as_str() {
            "explicit" | "explicit reply" | "explicit answer" => Some(Self::Explicit),
            "implicit" | "implicit reply" | "implicit answer" => Some(Self::Implicit),
            "general" | "general reply" | "general answer" => Some(Self::General),
            "partial/half-answer"
            | "partial/half answer"
            | "partial"
            | "half-answer"
            | "half answer"
            | "partial answer"
            | "partial reply" => Some(Self::Partial),
            "dodging" | "dodge" | "dodged" => Some(Self::Dodging),
            "deflection" | "deflecting" | "deflect" => Some(Self::Deflection),
            "declining to answer"
            | "declining"
            | "decline to answer"
            | "declined to answer"
            | "declines to answer" => Some(Self::Declining),
            "claims ignorance" | "claim ignorance" | "claiming ignorance" | "ignorance" => {
                Some(Self::ClaimsIgnorance)
            }
            "clarification"
            | "requests clarification"
            | "request for clarification"
            | "asks for clarification" => Some(Self::Clarification),
            _ => None,
        }
    }
}

impl std::fmt::Display for ClarityLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::fmt::Display for EvasionLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::{ClarityLabel, EvasionLabel};

    #[test]
    fn class_indices_follow_the_documented_order() {
        let names: Vec<_> = EvasionLabel::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(
            names,
            [
                "Explicit",
                "Implicit",
                "General",
                "Partial/half-answer",
                "Dodging",
                "Deflection",
                "Declining to answer",
                "Claims ignorance",
                "Clarification"
            ]
        );
        for (i, l) in EvasionLabel::ALL.iter().enumerate() {
            assert_eq!(l.index(), i);
            assert_eq!(EvasionLabel::from_index(i), Some(*l));
        }
        let names: Vec<_> = ClarityLabel::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(
            names,
            ["Clear Reply", "Ambivalent Reply", "Clear Non-Reply"]
        );
        assert_eq!(ClarityLabel::from_index(3), None);
    }

    #[test]
    fn mapping_matches_the_task_definition() {
        use EvasionLabel::*;
        let clear: Vec<_> = ClarityLabel::ClearReply.evasion_labels().collect();
        let ambivalent: Vec<_> = ClarityLabel::AmbivalentReply.evasion_labels().collect();
        let non_reply: Vec<_> = ClarityLabel::ClearNonReply.evasion_labels().collect();
        assert_eq!(clear, [Explicit]);
        assert_eq!(
            ambivalent,
            [Implicit, General, Partial, Dodging, Deflection]
        );
        assert_eq!(non_reply, [Declining, ClaimsIgnorance, Clarification]);
    }

    #[test]
    fn parsing_normalises_case_whitespace_and_aliases() {
        use ClarityLabel::*;
        for (raw, expected) in [
            ("Ambivalent", Some(AmbivalentReply)),
            (" ambivalent  reply ", Some(AmbivalentReply)),
            ("CLEAR NON-REPLY", Some(ClearNonReply)),
            ("Clear Non Reply", Some(ClearNonReply)),
            ("Clear Reply", Some(ClearReply)),
            ("Maybe", None),
        ] {
            assert_eq!(ClarityLabel::parse(raw), expected, "{raw:?}");
        }
        for (raw, expected) in [
            ("Partial/half-answer", Some(EvasionLabel::Partial)),
            ("partial / half-answer", Some(EvasionLabel::Partial)),
            ("Declining to answer", Some(EvasionLabel::Declining)),
            ("claims_ignorance", Some(EvasionLabel::ClaimsIgnorance)),
            ("\tDodging\n", Some(EvasionLabel::Dodging)),
            ("Evasive", None),
        ] {
            assert_eq!(EvasionLabel::parse(raw), expected, "{raw:?}");
        }
        for l in EvasionLabel::ALL {
            assert_eq!(EvasionLabel::parse(l.name()), Some(l));
        }
        for l in ClarityLabel::ALL {
            assert_eq!(ClarityLabel::parse(l.name()), Some(l));
        }
    }

    #[test]
    fn serde_uses_the_canonical_spelling() {
        let json = serde_json::to_string(&EvasionLabel::Declining).unwrap();
        assert_eq!(json, "\"Declining to answer\"");
        let back: ClarityLabel = serde_json::from_str("\"Clear Non-Reply\"").unwrap();
        assert_eq!(back, ClarityLabel::ClearNonReply);
    }
}
