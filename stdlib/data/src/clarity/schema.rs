use crate::table::{Column, Table};

use super::error::SchemaError;
use super::evasion_set::EvasionSet;
use super::labels::{ClarityLabel, EvasionLabel};

/// The column names of the CLARITY (QEvasion) schema.
pub struct ClarityColumns;

impl ClarityColumns {
    /// The interviewer's full question turn.
    pub const INTERVIEW_QUESTION: &'static str = "interview_question";
    /// The politician's full answer turn.
    pub const INTERVIEW_ANSWER: &'static str = "interview_answer";
    /// The single question (of possibly several in the turn) this row is about.
    pub const QUESTION: &'static str = "question";
    /// The Task 1 label.
    pub const CLARITY_LABEL: &'static str = "clarity_label";
    /// The Task 2 label.
    pub const EVASION_LABEL: &'static str = "evasion_label";
    /// The three annotators' evasion labels (the test split's multi-annotator ground truth).
    pub const ANNOTATORS: [&'static str; 3] = ["annotator1", "annotator2", "annotator3"];
    /// The example id.
    pub const INDEX: &'static str = "index";
}

/// The example id of every row: the `index` column's text when the table has one (a blank cell
/// falls back to the row number), else the 0-based row number. Tokenize and evaluate both use
/// this, so predictions match references by id.
pub fn example_ids(table: &Table) -> Vec<String> {
    match table.column(ClarityColumns::INDEX) {
        Some(column) => column
            .cells
            .iter()
            .enumerate()
            .map(|(r, c)| {
                c.as_text()
                    .map_or_else(|| r.to_string(), |t| t.into_owned())
            })
            .collect(),
        None => (0..table.num_rows()).map(|r| r.to_string()).collect(),
    }
}

/// The labels of one row; any of them may be absent (e.g. an unlabelled test set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExampleLabels {
    /// The evasion label.
    pub evasion: Option<EvasionLabel>,
    /// The clarity label: the table's own, else derived from the evasion label.
    pub clarity: Option<ClarityLabel>,
    /// The annotators' evasion labels (empty when the table has no annotator columns).
    pub annotators: EvasionSet,
}

/// Reads the label columns of a table row by row. Absent label columns and blank cells give
/// absent labels; a cell that names no label is a [`SchemaError::UnknownLabel`].
pub struct LabelReader<'t> {
    table: &'t Table,
    evasion: Option<&'t Column>,
    clarity: Option<&'t Column>,
    annotators: Vec<&'t Column>,
}

impl<'t> LabelReader<'t> {
    /// A reader over the standard label columns of `table`.
    pub fn new(table: &'t Table) -> Self {
        Self {
            table,
            evasion: table.column(ClarityColumns::EVASION_LABEL),
            clarity: table.column(ClarityColumns::CLARITY_LABEL),
            annotators: ClarityColumns::ANNOTATORS
                .iter()
                .filter_map(|c| table.column(c))
                .collect(),
        }
    }

    /// Whether the table has an evasion or a clarity label column.
    pub fn has_labels(&self) -> bool {
        self.evasion.is_some() || self.clarity.is_some()
    }

    /// Whether the table has annotator columns.
    pub fn has_annotators(&self) -> bool {
        !self.annotators.is_empty()
    }

    /// The labels of row `row` (0-based).
    pub fn read(&self, row: usize) -> Result<ExampleLabels, SchemaError> {
        let evasion = self
            .evasion
            .map(|c| self.evasion_cell(c, row))
            .transpose()?
            .flatten();
        let own_clarity = self
            .clarity
            .map(|c| self.clarity_cell(c, row))
            .transpose()?
            .flatten();
        let mut annotators = EvasionSet::EMPTY;
        for column in &self.annotators {
            if let Some(label) = self.evasion_cell(column, row)? {
                annotators.insert(label);
            }
        }
        Ok(ExampleLabels {
            evasion,
            clarity: own_clarity.or(evasion.map(EvasionLabel::clarity)),
            annotators,
        })
    }

    /// The labels of every row.
    pub fn read_all(&self) -> Result<Vec<ExampleLabels>, SchemaError> {
        (0..self.table.num_rows()).map(|r| self.read(r)).collect()
    }

    fn evasion_cell(
        &self,
        column: &Column,
        row: usize,
    ) -> Result<Option<EvasionLabel>, SchemaError> {
        let cell = &column.cells[row];
        if cell.is_blank() {
            return Ok(None);
        }
        let text = cell.as_text().unwrap_or_default();
        EvasionLabel::parse(&text).map(Some).ok_or_else(|| {
            let (file, row) = self.table.location(row);
            SchemaError::UnknownLabel {
                file,
                row,
                column: column.name.clone(),
                kind: "evasion",
                value: text.into_owned(),
                expected: EvasionLabel::ALL.map(EvasionLabel::name).join(", "),
            }
        })
    }

    fn clarity_cell(
        &self,
        column: &Column,
        row: usize,
    ) -> Result<Option<ClarityLabel>, SchemaError> {
        let cell = &column.cells[row];
        if cell.is_blank() {
            return Ok(None);
        }
        let text = cell.as_text().unwrap_or_default();
        ClarityLabel::parse(&text).map(Some).ok_or_else(|| {
            let (file, row) = self.table.location(row);
            SchemaError::UnknownLabel {
                file,
                row,
                column: column.name.clone(),
                kind: "clarity",
                value: text.into_owned(),
                expected: ClarityLabel::ALL.map(ClarityLabel::name).join(", "),
            }
        })
    }
}

/// The non-blank text of `column` at `row` (0-based), or a diagnostic naming the file, the
/// 1-based row and the column.
pub fn require_text<'t>(
    table: &'t Table,
    column: &str,
    row: usize,
) -> Result<std::borrow::Cow<'t, str>, SchemaError> {
    let col = table
        .column(column)
        .ok_or_else(|| SchemaError::MissingColumn {
            file: table.source().to_string(),
            column: column.to_string(),
            available: table.column_names().join(", "),
        })?;
    let cell = &col.cells[row];
    if cell.is_blank() {
        let (file, row) = table.location(row);
        return Err(SchemaError::EmptyText {
            file,
            row,
            column: column.to_string(),
        });
    }
    Ok(cell.as_text().unwrap_or_default())
}

/// Checks that `table` has every column in `columns`.
pub fn require_columns(table: &Table, columns: &[&str]) -> Result<(), SchemaError> {
    match columns.iter().find(|c| table.column(c).is_none()) {
        Some(missing) => Err(SchemaError::MissingColumn {
            file: table.source().to_string(),
            column: missing.to_string(),
            available: table.column_names().join(", "),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Cell;

    fn table() -> Table {
        let col = |name: &str, cells: Vec<Cell>| Column {
            name: name.into(),
            cells,
        };
        Table::new(
            "data/train.csv",
            vec![
                col(
                    "interview_answer",
                    vec!["Yes.".into(), "  ".into(), "No.".into()],
                ),
                col(
                    "evasion_label",
                    vec!["Explicit".into(), "".into(), "dodging ".into()],
                ),
                col(
                    "clarity_label",
                    vec!["Clear Reply".into(), "Ambivalent".into(), Cell::Null],
                ),
                col(
                    "annotator1",
                    vec!["Explicit".into(), Cell::Null, "Dodging".into()],
                ),
                col(
                    "annotator2",
                    vec!["Implicit".into(), Cell::Null, "Deflection".into()],
                ),
            ],
        )
    }

    #[test]
    fn reads_labels_derives_clarity_and_collects_annotators() {
        let t = table();
        let reader = LabelReader::new(&t);
        assert!(reader.has_labels() && reader.has_annotators());
        let labels = reader.read_all().unwrap();
        assert_eq!(labels[0].evasion, Some(EvasionLabel::Explicit));
        assert_eq!(labels[0].clarity, Some(ClarityLabel::ClearReply));
        assert_eq!(
            labels[0].annotators.iter().collect::<Vec<_>>(),
            [EvasionLabel::Explicit, EvasionLabel::Implicit]
        );
        assert_eq!(
            labels[1],
            ExampleLabels {
                evasion: None,
                clarity: Some(ClarityLabel::AmbivalentReply),
                annotators: EvasionSet::EMPTY
            }
        );
        assert_eq!(labels[2].evasion, Some(EvasionLabel::Dodging));
        assert_eq!(labels[2].clarity, Some(ClarityLabel::AmbivalentReply));
    }

    #[test]
    fn an_unknown_label_names_file_row_and_column() {
        let mut t = table();
        let mut cols = t.columns().to_vec();
        cols[1].cells[2] = "Evasive".into();
        t = Table::new(t.source(), cols);
        let err = LabelReader::new(&t).read_all().unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/train.csv, row 3, column `evasion_label`: unknown evasion label \"Evasive\""
        );
    }

    #[test]
    fn empty_text_and_missing_column_are_diagnostics() {
        let t = table();
        assert_eq!(require_text(&t, "interview_answer", 0).unwrap(), "Yes.");
        let err = require_text(&t, "interview_answer", 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/train.csv, row 2, column `interview_answer`: empty text"
        );
        let err = require_columns(&t, &["interview_answer", "interview_question"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data/train.csv: missing column `interview_question`"
        );
    }
}
