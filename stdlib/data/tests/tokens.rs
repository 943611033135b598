//! Tokenizing tables into the token file format, reading it back, batching and sliding windows.

use clarity_data::clarity::{EvasionLabel, EvasionSet};
use clarity_data::synthetic::{SyntheticConfig, generate};
use clarity_data::table::{Cell, Column, Table};
use clarity_data::tokenize::{
    AnnotatorVotes, BatchOrder, EncodeOptions, PairEncoder, TextInputs, TextTemplate,
    TextTokenizer, TokenizeError, TokenizedDataset, Truncation, tokenize_table,
};

fn tokenizer() -> TextTokenizer {
    TextTokenizer::from_dir(
        &std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
        )
        .join("tests/fixtures/deberta_spm"),
    )
    .unwrap()
}

fn options(max_length: usize, truncation: Truncation, stride: Option<usize>) -> EncodeOptions {
    EncodeOptions {
        max_length,
        truncation,
        stride,
    }
}

fn qevasion_inputs() -> TextInputs {
    TextInputs {
        text: TextTemplate::parse(TextTemplate::QEVASION).unwrap(),
        pair: None,
    }
}

#[test]
fn tokenizes_a_table_and_reads_it_back() {
    let tok = tokenizer();
    let data = generate(&SyntheticConfig {
        train_rows: 60,
        test_rows: 5,
        seed: 3,
    });
    let encoder = PairEncoder::new(&tok, options(128, Truncation::LongestFirst, None)).unwrap();
    let dataset = tokenize_table(&data.train, &tok, &encoder, &qevasion_inputs()).unwrap();
    assert_eq!(dataset.len(), 60);
    assert_eq!(dataset.meta().examples, 60);
    assert!(dataset.meta().truncated_examples > 0);
    assert!(
        dataset.meta().has_evasion && dataset.meta().has_clarity && dataset.meta().has_annotators
    );

    let template = TextTemplate::parse(TextTemplate::QEVASION).unwrap();
    let labels = data.train.column("evasion_label").unwrap();
    for (row, record) in dataset.iter().enumerate() {
        let text = template.render(&data.train, row).unwrap();
        let expected = encoder.encode(&text, None).unwrap();
        assert_eq!(record.ids, expected.windows[0].ids.as_slice());
        assert!(record.ids.len() <= 128);
        assert_eq!(record.ids[0], 1, "[CLS]");
        assert_eq!(*record.ids.last().unwrap(), 2, "[SEP]");
        assert_eq!(record.example, row);
        assert_eq!(record.example_id, row.to_string());
        let label = EvasionLabel::parse(&labels.cells[row].as_text().unwrap()).unwrap();
        assert_eq!(record.labels.evasion, Some(label));
        assert_eq!(record.labels.clarity, Some(label.clarity()));
    }

    let dir = tempfile::tempdir().unwrap();
    dataset.write(dir.path()).unwrap();
    let back = TokenizedDataset::open(dir.path()).unwrap();
    assert_eq!(back, dataset);
    let bytes = std::fs::read(dir.path().join("tokens.bin")).unwrap();
    assert_eq!(&bytes[..8], b"CLRTOK02");
    assert_eq!(
        bytes.len(),
        24 + 60 * 16 + 61 * 8 + dataset.meta().tokens * 4
    );
}

#[test]
fn a_damaged_token_file_is_a_diagnostic() {
    let tok = tokenizer();
    let data = generate(&SyntheticConfig {
        train_rows: 20,
        test_rows: 2,
        seed: 1,
    });
    let encoder = PairEncoder::new(&tok, options(64, Truncation::LongestFirst, None)).unwrap();
    let dataset = tokenize_table(&data.train, &tok, &encoder, &qevasion_inputs()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    dataset.write(dir.path()).unwrap();
    let path = dir.path().join("tokens.bin");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
    let err = TokenizedDataset::open(dir.path()).unwrap_err();
    assert!(matches!(err, TokenizeError::Corrupt { .. }), "{err}");
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(
        TokenizedDataset::open(dir.path()).unwrap_err(),
        TokenizeError::Io { .. }
    ));
}

#[test]
fn batches_pad_dynamically_and_buckets_reduce_padding() {
    let tok = tokenizer();
    let data = generate(&SyntheticConfig {
        train_rows: 200,
        test_rows: 2,
        seed: 5,
    });
    let encoder = PairEncoder::new(&tok, options(8192, Truncation::LongestFirst, None)).unwrap();
    let dataset = tokenize_table(&data.train, &tok, &encoder, &qevasion_inputs()).unwrap();

    let sequential = dataset.batches(16, BatchOrder::Sequential);
    assert_eq!(sequential.len(), 13);
    assert_eq!(sequential.concat(), (0..200).collect::<Vec<_>>());

    let padding = |batches: &[Vec<usize>]| -> usize {
        batches
            .iter()
            .map(|b| {
                let batch = dataset.collate(b, None);
                batch.attention_mask.iter().filter(|&&m| m == 0).count()
            })
            .sum()
    };
    let shuffled = dataset.batches(16, BatchOrder::Shuffled { seed: 1 });
    let bucketed = dataset.batches(
        16,
        BatchOrder::LengthBucketed {
            seed: 1,
            bucket_batches: 4,
        },
    );
    assert_eq!(
        bucketed,
        dataset.batches(
            16,
            BatchOrder::LengthBucketed {
                seed: 1,
                bucket_batches: 4
            }
        )
    );
    let mut all = bucketed.concat();
    all.sort_unstable();
    assert_eq!(all, (0..200).collect::<Vec<_>>());
    assert!(
        padding(&bucketed) * 2 < padding(&shuffled),
        "{} vs {}",
        padding(&bucketed),
        padding(&shuffled)
    );

    let batch = dataset.collate(&[3, 0, 7], Some(8));
    let longest = [3, 0, 7]
        .iter()
        .map(|&i| dataset.get(i).ids.len())
        .max()
        .unwrap();
    assert_eq!(batch.seq_len, longest.div_ceil(8) * 8);
    assert_eq!(batch.input_ids.len(), 3 * batch.seq_len);
    for (row, &record) in [3usize, 0, 7].iter().enumerate() {
        let ids = dataset.get(record).ids;
        let row_ids = &batch.input_ids[row * batch.seq_len..(row + 1) * batch.seq_len];
        assert_eq!(&row_ids[..ids.len()], ids);
        assert!(
            row_ids[ids.len()..]
                .iter()
                .all(|&id| id == dataset.pad_id())
        );
        let mask: u32 = batch.attention_mask[row * batch.seq_len..(row + 1) * batch.seq_len]
            .iter()
            .sum();
        assert_eq!(mask as usize, ids.len());
    }
    assert_eq!(batch.examples, [3, 0, 7]);
}

#[test]
fn sliding_windows_cover_the_answer_and_map_back_to_examples() {
    let tok = tokenizer();
    let data = generate(&SyntheticConfig {
        train_rows: 30,
        test_rows: 2,
        seed: 9,
    });
    let inputs = TextInputs {
        text: TextTemplate::parse("{question}").unwrap(),
        pair: Some(TextTemplate::parse("{interview_answer}").unwrap()),
    };
    let stride = 16;
    let windowed =
        PairEncoder::new(&tok, options(96, Truncation::OnlySecond, Some(stride))).unwrap();
    let dataset = tokenize_table(&data.train, &tok, &windowed, &inputs).unwrap();
    assert!(dataset.len() > 30, "long answers give several windows");
    let full = PairEncoder::new(&tok, options(100_000, Truncation::OnlySecond, None)).unwrap();
    for example in 0..30 {
        let windows: Vec<_> = dataset.iter().filter(|r| r.example == example).collect();
        assert!(
            windows
                .iter()
                .enumerate()
                .all(|(i, w)| usize::from(w.window) == i && w.ids.len() <= 96)
        );
        let question = data.train.column("question").unwrap().cells[example]
            .as_text()
            .unwrap()
            .into_owned();
        let answer = data.train.column("interview_answer").unwrap().cells[example]
            .as_text()
            .unwrap()
            .into_owned();
        let whole = full
            .encode(&question, Some(&answer))
            .unwrap()
            .windows
            .remove(0);
        let answer_ids = &whole.ids[whole.type0_len as usize..whole.ids.len() - 1];
        let mut rebuilt: Vec<u32> = Vec::new();
        for (i, w) in windows.iter().enumerate() {
            assert_eq!(
                &w.ids[..w.type0_len as usize],
                &whole.ids[..whole.type0_len as usize],
                "same question"
            );
            let part = &w.ids[w.type0_len as usize..w.ids.len() - 1];
            let skip = if i == 0 { 0 } else { stride };
            assert_eq!(
                &part[..skip],
                &rebuilt[rebuilt.len() - skip..],
                "windows overlap by the stride"
            );
            rebuilt.extend_from_slice(&part[skip..]);
        }
        assert_eq!(rebuilt, answer_ids, "example {example}");
    }
}

#[test]
fn empty_text_and_missing_columns_are_named() {
    let tok = tokenizer();
    let encoder = PairEncoder::new(&tok, options(64, Truncation::LongestFirst, None)).unwrap();
    let table = Table::new(
        "data/train.parquet",
        vec![
            Column {
                name: "interview_question".into(),
                cells: vec!["Will you?".into(), "And you?".into()],
            },
            Column {
                name: "interview_answer".into(),
                cells: vec!["Yes.".into(), Cell::Null],
            },
        ],
    );
    let err = tokenize_table(&table, &tok, &encoder, &qevasion_inputs()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "data/train.parquet, row 2, column `interview_answer`: empty text"
    );
    let inputs = TextInputs {
        text: TextTemplate::parse("{interview_question} {speaker}").unwrap(),
        pair: None,
    };
    let err = tokenize_table(&table, &tok, &encoder, &inputs).unwrap_err();
    assert_eq!(
        err.to_string(),
        "data/train.parquet: missing column `speaker`"
    );
}

#[test]
fn too_small_a_max_length_is_refused() {
    let err = PairEncoder::new(&tokenizer(), options(3, Truncation::LongestFirst, None))
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .starts_with("max-length 3 leaves no room for text"),
        "{err}"
    );
}

#[test]
fn single_text_windows_overlap_by_the_stride() {
    let tok = tokenizer();
    let data = generate(&SyntheticConfig {
        train_rows: 12,
        test_rows: 1,
        seed: 11,
    });
    let stride = 8;
    let windowed =
        PairEncoder::new(&tok, options(64, Truncation::LongestFirst, Some(stride))).unwrap();
    let dataset = tokenize_table(&data.train, &tok, &windowed, &qevasion_inputs()).unwrap();
    let full = PairEncoder::new(&tok, options(1 << 20, Truncation::LongestFirst, None)).unwrap();
    let template = TextTemplate::parse(TextTemplate::QEVASION).unwrap();
    for example in 0..12 {
        let whole = full
            .encode(&template.render(&data.train, example).unwrap(), None)
            .unwrap();
        let body = &whole.windows[0].ids[1..whole.windows[0].ids.len() - 1];
        let mut rebuilt: Vec<u32> = Vec::new();
        for (i, w) in dataset.iter().filter(|r| r.example == example).enumerate() {
            assert!(w.ids.len() <= 64);
            assert_eq!(
                (w.ids[0], *w.ids.last().unwrap()),
                (1, 2),
                "[CLS] ... [SEP] in every window"
            );
            let part = &w.ids[1..w.ids.len() - 1];
            let skip = if i == 0 { 0 } else { stride };
            assert_eq!(&part[..skip], &rebuilt[rebuilt.len() - skip..]);
            rebuilt.extend_from_slice(&part[skip..]);
        }
        assert_eq!(rebuilt, body, "example {example}");
    }
}

/// Rows with three, two, one and no annotator labels (blank cells and nulls), with a repeat.
fn annotated_table(annotator2: bool) -> Table {
    let col = |name: &str, cells: Vec<Cell>| Column {
        name: name.into(),
        cells,
    };
    let mut columns = vec![
        col(
            "text",
            vec![
                "One.".into(),
                "Two.".into(),
                "Three.".into(),
                "Four.".into(),
            ],
        ),
        col(
            "annotator1",
            vec!["Dodging".into(), "  ".into(), "Explicit".into(), Cell::Null],
        ),
        col(
            "annotator3",
            vec![
                "Dodging".into(),
                "Clarification".into(),
                Cell::Null,
                "".into(),
            ],
        ),
    ];
    if annotator2 {
        columns.insert(
            2,
            col(
                "annotator2",
                vec![
                    "General".into(),
                    "Partial/half-answer".into(),
                    Cell::Null,
                    Cell::Null,
                ],
            ),
        );
    }
    Table::new("data/annotated.csv", columns)
}

fn text_inputs() -> TextInputs {
    TextInputs {
        text: TextTemplate::parse("{text}").unwrap(),
        pair: None,
    }
}

#[test]
fn annotator_votes_keep_their_order_through_the_token_file() {
    use EvasionLabel::*;
    let tok = tokenizer();
    let encoder = PairEncoder::new(&tok, options(32, Truncation::LongestFirst, None)).unwrap();
    for annotator2 in [true, false] {
        let table = annotated_table(annotator2);
        let dataset = tokenize_table(&table, &tok, &encoder, &text_inputs()).unwrap();
        let second = |label| if annotator2 { label } else { None };
        let expected = [
            [Some(Dodging), second(Some(General)), Some(Dodging)],
            [None, second(Some(Partial)), Some(Clarification)],
            [Some(Explicit), None, None],
            [None, None, None],
        ];
        let dir = tempfile::tempdir().unwrap();
        dataset.write(dir.path()).unwrap();
        let back = TokenizedDataset::open(dir.path()).unwrap();
        assert_eq!(back, dataset);
        assert!(back.meta().has_annotators);
        for (record, votes) in back.iter().zip(expected) {
            assert_eq!(record.votes, AnnotatorVotes::new(votes));
            let set: EvasionSet = votes.into_iter().flatten().collect();
            assert_eq!(record.labels.annotators, set);
        }
        // The votes sit in the record header's last u16: 4 bits an annotator, 0xF for none.
        let bytes = std::fs::read(dir.path().join("tokens.bin")).unwrap();
        let votes_at = |record: usize| {
            let at = 24 + record * 16 + 14;
            u16::from_le_bytes([bytes[at], bytes[at + 1]])
        };
        let (general, partial) = if annotator2 { (0x2, 0x3) } else { (0xF, 0xF) };
        assert_eq!(votes_at(0), 0x400 | general << 4 | 0x4);
        assert_eq!(votes_at(1), 0x800 | partial << 4 | 0xF);
        assert_eq!(votes_at(2), 0xFF0);
        assert_eq!(votes_at(3), 0xFFF);
    }
}

#[test]
fn an_unknown_annotator_label_is_named() {
    let tok = tokenizer();
    let encoder = PairEncoder::new(&tok, options(32, Truncation::LongestFirst, None)).unwrap();
    let col = |name: &str, cells: Vec<Cell>| Column {
        name: name.into(),
        cells,
    };
    let table = Table::new(
        "data/annotated.csv",
        vec![
            col("text", vec!["One.".into(), "Two.".into()]),
            col("annotator3", vec!["Dodging".into(), "Waffling".into()]),
        ],
    );
    let err = tokenize_table(&table, &tok, &encoder, &text_inputs()).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("row 2") && message.contains("annotator3") && message.contains("Waffling"),
        "{message}"
    );
}

#[test]
fn a_token_file_of_another_version_is_refused_naming_it() {
    let tok = tokenizer();
    let encoder = PairEncoder::new(&tok, options(32, Truncation::LongestFirst, None)).unwrap();
    let dataset = tokenize_table(&annotated_table(true), &tok, &encoder, &text_inputs()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    dataset.write(dir.path()).unwrap();
    // A version 1 directory: the old magic and meta.json version.
    let meta_path = dir.path().join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    assert!(meta.contains("\"version\": 2"), "{meta}");
    std::fs::write(&meta_path, meta.replace("\"version\": 2", "\"version\": 1")).unwrap();
    let path = dir.path().join("tokens.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[..8].copy_from_slice(b"CLRTOK01");
    std::fs::write(&path, &bytes).unwrap();
    let err = TokenizedDataset::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            TokenizeError::FormatVersion {
                found: 1,
                expected: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("version 1 token file"), "{err}");
    let code = miette::Diagnostic::code(&err).unwrap().to_string();
    assert_eq!(code, "clarity::tokenize::format_version");
}

#[test]
fn a_vote_that_is_no_class_is_corrupt() {
    let tok = tokenizer();
    let encoder = PairEncoder::new(&tok, options(32, Truncation::LongestFirst, None)).unwrap();
    let dataset = tokenize_table(&annotated_table(true), &tok, &encoder, &text_inputs()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    dataset.write(dir.path()).unwrap();
    let path = dir.path().join("tokens.bin");
    let mut bytes = std::fs::read(&path).unwrap();
    // Record 2's votes: annotator1 = class 9, which does not exist.
    bytes[24 + 2 * 16 + 14] = 0xF9;
    std::fs::write(&path, &bytes).unwrap();
    let err = TokenizedDataset::open(dir.path()).unwrap_err();
    assert!(
        matches!(&err, TokenizeError::Corrupt { message, .. } if message.contains("record 2")),
        "{err}"
    );
}
