//! `clarity tokenize` through the binary: the ids and tokens of HF's fast tokenizers for every
//! pair of the fixtures (both tokenizer kinds, both max lengths), and `--stride` windows.

mod common;

use common::{clarity, root, stderr};
use serde_json::Value;

fn tokenize(tokenizer: &str, args: &[&str]) -> Value {
    let dir = root().join("stdlib/data/tests/fixtures").join(tokenizer);
    let dir = dir.to_string_lossy();
    let mut all = vec!["tokenize", "--tokenizer", &dir];
    all.extend_from_slice(args);
    let out = clarity(&root(), &all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("one JSON object on stdout")
}

#[test]
fn ids_and_tokens_equal_hf_for_every_fixture_pair() {
    for tokenizer in ["deberta_spm", "roberta_bpe"] {
        let path = root()
            .join("stdlib/data/tests/fixtures")
            .join(tokenizer)
            .join("expected.json");
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let cases = expected["encodings"].as_array().unwrap();
        assert!(!cases.is_empty());
        for case in cases {
            let text = case["text"].as_str().unwrap();
            let max_length = case["max_length"].to_string();
            let mut args = vec!["--text", text, "--max-length", &max_length];
            if let Some(pair) = case["text_pair"].as_str() {
                args.extend(["--pair", pair]);
            }
            let got = tokenize(tokenizer, &args);
            assert_eq!(got["input_ids"], case["input_ids"], "{tokenizer}: {text:?}");
            assert_eq!(got["tokens"], case["tokens"], "{tokenizer}: {text:?}");
            assert!(got.get("windows").is_none());
        }
    }
}

#[test]
fn a_stride_prints_overlapping_windows() {
    let text = "one two three four five six seven eight nine ten eleven twelve thirteen";
    let whole = tokenize("roberta_bpe", &["--text", text]);
    let whole: Vec<u64> = serde_json::from_value(whole["input_ids"].clone()).unwrap();
    let got = tokenize(
        "roberta_bpe",
        &["--text", text, "--max-length", "8", "--stride", "2"],
    );
    let windows = got["windows"].as_array().unwrap();
    assert!(windows.len() > 2, "{got}");
    assert_eq!(windows[0]["input_ids"], got["input_ids"]);
    // Each window: <s> + up to 6 text tokens + </s>, overlapping the previous by 2.
    let bodies: Vec<Vec<u64>> = windows
        .iter()
        .map(|w| {
            let ids: Vec<u64> = serde_json::from_value(w["input_ids"].clone()).unwrap();
            assert!(ids.len() <= 8, "{ids:?}");
            ids[1..ids.len() - 1].to_vec()
        })
        .collect();
    for pair in bodies.windows(2) {
        assert_eq!(pair[0][pair[0].len() - 2..], pair[1][..2], "{bodies:?}");
    }
    // Together the windows hold the whole text once, overlaps aside.
    let mut joined = bodies[0].clone();
    for body in &bodies[1..] {
        joined.extend_from_slice(&body[2..]);
    }
    assert_eq!(joined, whole[1..whole.len() - 1]);
}
