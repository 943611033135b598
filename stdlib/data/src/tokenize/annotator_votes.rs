use crate::clarity::{ClarityColumns, EvasionLabel, EvasionSet, SchemaError};
use crate::table::Table;

/// The number of annotator columns ([`ClarityColumns::ANNOTATORS`]).
const ANNOTATORS: usize = ClarityColumns::ANNOTATORS.len();

/// Bits per vote in the packed form: a class index, or [`NO_VOTE`].
const VOTE_BITS: u32 = 4;
/// The packed value of an annotator who gave no label.
const NO_VOTE: u16 = 0xF;

/// Each annotator's evasion label in annotator order (`annotator1`, `annotator2`,
/// `annotator3`); `None` where an annotator gave none (a blank cell or an absent column). A
/// majority vote needs the votes themselves: the set ([`AnnotatorVotes::set`]) loses repeats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnnotatorVotes([Option<EvasionLabel>; ANNOTATORS]);

impl AnnotatorVotes {
    /// No annotator voted.
    pub const NONE: AnnotatorVotes = AnnotatorVotes([None; ANNOTATORS]);

    /// The votes, in annotator order.
    pub fn new(votes: [Option<EvasionLabel>; ANNOTATORS]) -> Self {
        Self(votes)
    }

    /// The votes of row `row` (0-based) of `table`, read from its annotator columns; a cell
    /// that names no evasion label is a [`SchemaError::UnknownLabel`].
    pub fn of_row(table: &Table, row: usize) -> Result<Self, SchemaError> {
        let mut votes = [None; ANNOTATORS];
        for (vote, name) in votes.iter_mut().zip(ClarityColumns::ANNOTATORS) {
            let Some(column) = table.column(name) else {
                continue;
            };
            let cell = &column.cells[row];
            if cell.is_blank() {
                continue;
            }
            let text = cell.as_text().unwrap_or_default();
            *vote = Some(EvasionLabel::parse(&text).ok_or_else(|| {
                let (file, row) = table.location(row);
                SchemaError::UnknownLabel {
                    file,
                    row,
                    column: name.to_string(),
                    kind: "evasion",
                    value: text.into_owned(),
                    expected: EvasionLabel::ALL.map(EvasionLabel::name).join(", "),
                }
            })?);
        }
        Ok(Self(votes))
    }

    /// Each annotator's vote, in annotator order.
    pub fn get(&self) -> &[Option<EvasionLabel>; ANNOTATORS] {
        &self.0
    }

    /// The labels given, in annotator order, annotators without a label left out.
    pub fn labels(self) -> impl Iterator<Item = EvasionLabel> {
        self.0.into_iter().flatten()
    }

    /// Whether no annotator gave a label.
    pub fn is_empty(self) -> bool {
        self.0.iter().all(Option::is_none)
    }

    /// The set of labels given.
    pub fn set(self) -> EvasionSet {
        self.labels().collect()
    }

    /// The packed form: 4 bits per annotator from the lowest bits up, the class index or
    /// `0xF` for no vote; the top 4 bits are 0.
    pub fn to_bits(self) -> u16 {
        self.0
            .iter()
            .enumerate()
            .fold(0, |bits, (annotator, vote)| {
                let value = vote.map_or(NO_VOTE, |l| l.index() as u16);
                bits | value << (VOTE_BITS * annotator as u32)
            })
    }

    /// Unpacks [`AnnotatorVotes::to_bits`]; `None` when a vote is not a class index or
    /// `0xF`, or a top bit is set.
    pub fn from_bits(bits: u16) -> Option<Self> {
        if bits >> (VOTE_BITS * ANNOTATORS as u32) != 0 {
            return None;
        }
        let mut votes = [None; ANNOTATORS];
        for (annotator, vote) in votes.iter_mut().enumerate() {
            let value = (bits >> (VOTE_BITS * annotator as u32)) & NO_VOTE;
            if value != NO_VOTE {
                *vote = Some(EvasionLabel::from_index(usize::from(value))?);
            }
        }
        Some(Self(votes))
    }
}

#[cfg(test)]
mod tests {
    use super::{AnnotatorVotes, EvasionLabel};

    #[test]
    fn packs_four_bits_per_annotator_with_0xf_for_no_vote() {
        let votes = AnnotatorVotes::new([
            Some(EvasionLabel::Clarification),
            None,
            Some(EvasionLabel::Explicit),
        ]);
        // annotator1 = class 8, annotator2 = none (0xF), annotator3 = class 0
        assert_eq!(votes.to_bits(), 0x0F8);
        assert_eq!(AnnotatorVotes::from_bits(0x0F8), Some(votes));
        assert_eq!(AnnotatorVotes::NONE.to_bits(), 0xFFF);
        assert_eq!(AnnotatorVotes::from_bits(0xFFF), Some(AnnotatorVotes::NONE));
    }

    #[test]
    fn every_vote_round_trips() {
        for a in EvasionLabel::ALL.map(Some).into_iter().chain([None]) {
            for b in EvasionLabel::ALL.map(Some).into_iter().chain([None]) {
                let votes = AnnotatorVotes::new([a, b, a]);
                assert_eq!(AnnotatorVotes::from_bits(votes.to_bits()), Some(votes));
            }
        }
    }

    #[test]
    fn bad_packed_votes_are_refused() {
        // class 9 does not exist; 0x1000 sets a top bit; 0 would be three votes for class 0
        assert_eq!(AnnotatorVotes::from_bits(0xFF9), None);
        assert_eq!(AnnotatorVotes::from_bits(0x1FFF), None);
        assert!(AnnotatorVotes::from_bits(0).is_some());
    }

    #[test]
    fn labels_keep_annotator_order_and_repeats() {
        let votes = AnnotatorVotes::new([
            Some(EvasionLabel::Dodging),
            None,
            Some(EvasionLabel::Dodging),
        ]);
        assert_eq!(
            votes.labels().collect::<Vec<_>>(),
            [EvasionLabel::Dodging, EvasionLabel::Dodging]
        );
        assert_eq!(votes.set().len(), 1);
        assert!(!votes.is_empty() && AnnotatorVotes::NONE.is_empty());
    }
}
