use crate::clarity::{ClarityLabel, EvasionLabel, LabelReader, example_ids, require_columns};
use crate::table::Table;

use super::annotator_votes::AnnotatorVotes;
use super::dataset::{FORMAT_VERSION, Record, TokenizedDataset, TokensMeta};
use super::encoder::PairEncoder;
use super::error::TokenizeError;
use super::template::TextTemplate;
use super::text_tokenizer::TextTokenizer;

/// What text each row becomes: one template, or two for pair encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextInputs {
    /// The (first) text.
    pub text: TextTemplate,
    /// The second text, for `[CLS] A [SEP] B [SEP]` encoding.
    pub pair: Option<TextTemplate>,
}

/// Tokenizes every row of `table`: renders the templates, reads the labels (when the table has
/// label columns) and encodes in parallel. Rows keep their order; with a stride an example may
/// give several records. The example id is the `index` column when present, else the row number.
pub fn tokenize_table(
    table: &Table,
    tokenizer: &TextTokenizer,
    encoder: &PairEncoder,
    inputs: &TextInputs,
) -> Result<TokenizedDataset, TokenizeError> {
    let texts = render_texts(table, inputs)?;
    let labels = LabelReader::new(table).read_all()?;
    let votes = (0..table.num_rows())
        .map(|row| AnnotatorVotes::of_row(table, row))
        .collect::<Result<Vec<_>, _>>()?;
    let encoded = encoder
        .encode_batch(&texts)
        .map_err(|e| locate_failure(table, encoder, &texts).unwrap_or(e))?;

    let options = encoder.options();
    let meta = TokensMeta {
        format: "clarity-tokens".into(),
        version: FORMAT_VERSION,
        examples: table.num_rows(),
        records: 0,
        tokens: 0,
        example_ids: example_ids(table),
        pad_id: tokenizer.pad_id(),
        max_length: options.max_length,
        truncation: options.truncation.name().into(),
        stride: options.stride,
        template: inputs.text.as_str().into(),
        pair_template: inputs.pair.as_ref().map(|p| p.as_str().to_string()),
        tokenizer: tokenizer.path().display().to_string(),
        source: table.source().into(),
        has_evasion: labels.iter().any(|l| l.evasion.is_some()),
        has_clarity: labels.iter().any(|l| l.clarity.is_some()),
        has_annotators: labels.iter().any(|l| !l.annotators.is_empty()),
        evasion_classes: EvasionLabel::class_names(),
        clarity_classes: ClarityLabel::class_names(),
        truncated_examples: encoded.iter().filter(|e| e.truncated).count(),
    };
    let records = encoded
        .into_iter()
        .zip(labels.into_iter().zip(votes))
        .enumerate()
        .flat_map(|(example, (encoded, (labels, votes)))| {
            encoded
                .windows
                .into_iter()
                .enumerate()
                .map(move |(window, w)| {
                    let record = Record {
                        example: example as u32,
                        type0_len: w.type0_len,
                        window: window as u16,
                        labels,
                        votes,
                    };
                    (record, w.ids)
                })
        })
        .collect();
    Ok(TokenizedDataset::new(meta, records))
}

/// Each row's `(text, pair)` from the templates, after checking the table has their columns.
fn render_texts(
    table: &Table,
    inputs: &TextInputs,
) -> Result<Vec<(String, Option<String>)>, TokenizeError> {
    let mut columns = inputs.text.columns();
    if let Some(pair) = &inputs.pair {
        columns.extend(pair.columns());
    }
    require_columns(table, &columns)?;
    (0..table.num_rows())
        .map(|row| {
            let text = inputs.text.render(table, row)?;
            let pair = inputs
                .pair
                .as_ref()
                .map(|p| p.render(table, row))
                .transpose()?;
            Ok((text, pair))
        })
        .collect()
}

/// Finds the first row the encoder fails on and names it.
fn locate_failure(
    table: &Table,
    encoder: &PairEncoder,
    texts: &[(String, Option<String>)],
) -> Option<TokenizeError> {
    texts.iter().enumerate().find_map(|(row, (text, pair))| {
        encoder.encode(text, pair.as_deref()).err().map(|e| {
            let (file, row) = table.location(row);
            TokenizeError::Encode {
                message: format!("{file}, row {row}: {e}"),
            }
        })
    })
}
