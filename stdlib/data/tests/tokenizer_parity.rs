//! Token ids against HF transformers' fast tokenizers (fixtures from transformers 4.57.6), for
//! tokenizers built in Rust from `spm.model` and from `vocab.json` + `merges.txt`, and for the
//! `tokenizer.json` transformers wrote.

use std::path::{Path, PathBuf};

use clarity_data::tokenize::{
    EncodeOptions, PairEncoder, TextTokenizer, TokenizerSource, Truncation,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Expected {
    encodings: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    text_pair: String,
    max_length: usize,
    truncation: String,
    input_ids: Vec<u32>,
    tokens: Vec<String>,
}

fn fixture(name: &str) -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures")
    .join(name)
}

fn cases(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    let expected: Expected = serde_json::from_str(&text).unwrap();
    assert_eq!(expected.encodings.len(), 14);
    expected.encodings
}

fn check_all(tokenizer: &TextTokenizer, cases: &[Case]) {
    let mut lengths = std::collections::BTreeSet::new();
    for case in cases {
        assert_eq!(case.truncation, "longest_first");
        lengths.insert(case.max_length);
        let options = EncodeOptions {
            max_length: case.max_length,
            truncation: Truncation::LongestFirst,
            stride: None,
        };
        let encoder = PairEncoder::new(tokenizer, options).unwrap();
        let (ids, tokens) = encoder.tokens(&case.text, Some(&case.text_pair)).unwrap();
        assert_eq!(
            ids, case.input_ids,
            "ids of {:?} / {:?} at {}",
            case.text, case.text_pair, case.max_length
        );
        assert_eq!(
            tokens, case.tokens,
            "tokens of {:?} at {}",
            case.text, case.max_length
        );
        let encoded = encoder.encode(&case.text, Some(&case.text_pair)).unwrap();
        assert_eq!(encoded.windows.len(), 1);
        assert_eq!(encoded.windows[0].ids, case.input_ids);
    }
    assert_eq!(lengths.into_iter().collect::<Vec<_>>(), [32, 512]);
}

#[test]
fn deberta_tokenizer_built_from_spm_model_matches_hf() {
    let dir = fixture("deberta_spm");
    let tokenizer = TextTokenizer::from_dir(&dir).unwrap();
    assert_eq!(tokenizer.source(), TokenizerSource::SentencePiece);
    assert_eq!(tokenizer.pad_id(), 0);
    check_all(&tokenizer, &cases(&dir));
}

#[test]
fn deberta_hf_tokenizer_json_matches_hf() {
    let dir = fixture("deberta_spm");
    let tokenizer = TextTokenizer::from_dir(&dir.join("hf_converted")).unwrap();
    assert_eq!(tokenizer.source(), TokenizerSource::TokenizerJson);
    check_all(&tokenizer, &cases(&dir));
}

#[test]
fn roberta_tokenizer_built_from_vocab_and_merges_matches_hf() {
    let dir = fixture("roberta_bpe");
    let tokenizer = TextTokenizer::from_dir(&dir).unwrap();
    assert_eq!(tokenizer.source(), TokenizerSource::VocabMerges);
    assert_eq!(tokenizer.pad_id(), 1);
    check_all(&tokenizer, &cases(&dir));
}

#[test]
fn roberta_hf_tokenizer_json_matches_hf() {
    let dir = fixture("roberta_bpe");
    let tokenizer = TextTokenizer::from_dir(&dir.join("hf_converted")).unwrap();
    check_all(&tokenizer, &cases(&dir));
}

/// The pipeline parts of the Rust-built tokenizers equal what transformers' converters wrote.
#[test]
fn built_tokenizers_have_the_converters_structure() {
    for (name, keys) in [
        (
            "deberta_spm",
            [
                "normalizer",
                "pre_tokenizer",
                "post_processor",
                "decoder",
                "added_tokens",
            ],
        ),
        (
            "roberta_bpe",
            [
                "normalizer",
                "pre_tokenizer",
                "post_processor",
                "decoder",
                "added_tokens",
            ],
        ),
    ] {
        let dir = fixture(name);
        let built = TextTokenizer::from_dir(&dir).unwrap();
        let ours: serde_json::Value =
            serde_json::from_str(&built.inner().to_string(false).unwrap()).unwrap();
        let text = std::fs::read_to_string(dir.join("hf_converted/tokenizer.json")).unwrap();
        let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
        for key in keys {
            assert_eq!(ours[key], theirs[key], "{name}: {key}");
        }
        for key in ["type", "unk_id", "vocab", "merges", "byte_fallback"] {
            assert_eq!(
                ours["model"][key], theirs["model"][key],
                "{name}: model.{key}"
            );
        }
    }
}
