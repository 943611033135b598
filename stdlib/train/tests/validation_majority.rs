//! Validation scores the annotators' majority vote from a token file exactly as `evaluate`
//! scores it from the table the tokens were made from.

mod common;

use clarity_data::clarity::EvasionLabel;
use clarity_data::table::Table;
use clarity_data::tokenize::{
    EncodeOptions, PairEncoder, TextInputs, TextTemplate, TextTokenizer, TokenizedDataset,
    Truncation, tokenize_table,
};
use clarity_train::build::{save_tokenizer, word_tokenizer};
use clarity_train::evaluate::{ClassNames, PredictionRows, evaluate_clarity, evaluate_predictions};
use clarity_train::heads::{clarity_names, evasion_names};
use clarity_train::train::references;
use common::column;

/// Majority votes: a -> Dodging (2 of 3); b -> Explicit (three-way tie: the first
/// annotator); c -> General (annotator1 blank, a tie of the other two: the earlier);
/// d -> Deflection (one vote); e has no annotators and no majority.
fn table() -> Table {
    Table::new(
        "validation.csv",
        vec![
            column("index", &["a", "b", "c", "d", "e"]),
            column(
                "text",
                &[
                    "first answer",
                    "second answer",
                    "third one",
                    "fourth",
                    "fifth",
                ],
            ),
            column(
                "evasion_label",
                &["Dodging", "Explicit", "General", "Deflection", "Dodging"],
            ),
            column("annotator1", &["Dodging", "Explicit", "", "Deflection", ""]),
            column("annotator2", &["Dodging", "General", "General", "", ""]),
            column(
                "annotator3",
                &["Explicit", "Dodging", "Partial/half-answer", "", ""],
            ),
        ],
    )
}

/// The validation token file of `table`, written and read back.
fn tokens(table: &Table, dir: &std::path::Path) -> TokenizedDataset {
    let texts = ["first answer second third one fourth fifth"];
    let tokenizer = word_tokenizer(texts.into_iter(), 32).unwrap();
    let tokenizer_dir = dir.join("tokenizer");
    std::fs::create_dir_all(&tokenizer_dir).unwrap();
    save_tokenizer(&tokenizer, &tokenizer_dir).unwrap();
    let tokenizer = TextTokenizer::from_dir(&tokenizer_dir).unwrap();
    let encoder = PairEncoder::new(
        &tokenizer,
        EncodeOptions {
            max_length: 16,
            truncation: Truncation::LongestFirst,
            stride: None,
        },
    )
    .unwrap();
    let inputs = TextInputs {
        text: TextTemplate::parse("{text}").unwrap(),
        pair: None,
    };
    let data = tokenize_table(table, &tokenizer, &encoder, &inputs).unwrap();
    let tokens_dir = dir.join("tokens");
    data.write(&tokens_dir).unwrap();
    TokenizedDataset::open(&tokens_dir).unwrap()
}

#[test]
fn validation_majority_scores_equal_evaluate_on_the_same_examples() {
    use EvasionLabel::*;
    let table = table();
    let dir = tempfile::tempdir().unwrap();
    let data = tokens(&table, dir.path());
    let evasion: Vec<usize> = [Dodging, General, General, Explicit, Dodging]
        .map(EvasionLabel::index)
        .to_vec();
    let clarity: Vec<usize> = [Dodging, General, General, Explicit, Dodging]
        .map(|l| l.clarity().index())
        .to_vec();

    let (clarity_names, evasion_names) = (clarity_names(), evasion_names());
    let names = ClassNames {
        clarity: &clarity_names,
        evasion: &evasion_names,
    };
    let validation = evaluate_clarity(&references(&data), &clarity, Some(&evasion), names)
        .unwrap()
        .summary();
    let predictions = PredictionRows {
        ids: data.meta().example_ids.clone(),
        clarity,
        evasion: Some(evasion),
    };
    let evaluate = evaluate_predictions(&predictions, &table)
        .unwrap()
        .summary();

    // Majority gold a..d: Dodging, Explicit, General, Deflection; predicted Dodging, General,
    // General, Explicit. Right: a and c, accuracy 2/4. F1: Dodging 1, General 2/3 (one false
    // positive), Explicit and Deflection 0, the five unsupported classes 0: macro (1 + 2/3) / 9.
    let f1 = validation["evasion-majority-macro-f1"];
    let accuracy = validation["evasion-majority-accuracy"];
    assert!((f1 - 5.0 / 27.0).abs() < 1e-12, "{f1}");
    assert!((accuracy - 0.5).abs() < 1e-12, "{accuracy}");
    assert_eq!(validation, evaluate);
}
