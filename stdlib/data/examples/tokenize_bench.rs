//! Times tokenizing QEvasion-sized synthetic data (3448 rows, the QEvasion template) at a given
//! max length. Prints one JSON line.
//!
//! `cargo run -p clarity-data --example tokenize_bench [-- TOKENIZER_DIR [MAX_LENGTH [ROWS]]]`
//! (default: the DeBERTa-v3-style test tokenizer, 384, 3448).

use std::path::PathBuf;
use std::time::Instant;

use clarity_data::synthetic::{SyntheticConfig, generate};
use clarity_data::tokenize::{
    EncodeOptions, PairEncoder, TextInputs, TextTemplate, TextTokenizer, Truncation, tokenize_table,
};

fn main() -> miette::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deberta_spm")
    });
    let max_length: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(384);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3448);

    let data = generate(&SyntheticConfig {
        train_rows: rows,
        test_rows: 1,
        seed: 42,
    });
    let started = Instant::now();
    let tokenizer = TextTokenizer::from_dir(&dir)?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let encoder = PairEncoder::new(
        &tokenizer,
        EncodeOptions {
            max_length,
            truncation: Truncation::LongestFirst,
            stride: None,
        },
    )?;
    let inputs = TextInputs {
        text: TextTemplate::parse(TextTemplate::QEVASION)?,
        pair: None,
    };

    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let tokens = tokenize_table(&data.train, &tokenizer, &encoder, &inputs)?;
    let tokenize_ms = started.elapsed().as_secs_f64() * 1e3;
    let cpu_s = process_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);

    let full = PairEncoder::new(
        &tokenizer,
        EncodeOptions {
            max_length: 1 << 20,
            truncation: Truncation::LongestFirst,
            stride: None,
        },
    )?;
    let untruncated = tokenize_table(&data.train, &tokenizer, &full, &inputs)?;
    let over_512 = untruncated.iter().filter(|e| e.ids.len() > 512).count();
    let words: usize = data.train.column("interview_answer").map_or(0, |c| {
        c.cells
            .iter()
            .map(|x| x.as_text().map_or(0, |t| t.split_whitespace().count()))
            .sum()
    });

    println!(
        "{}",
        serde_json::json!({
            "tokenizer": dir.display().to_string(),
            "source": format!("{:?}", tokenizer.source()),
            "rows": rows,
            "max_length": max_length,
            "tokenizer_load_ms": load_ms,
            "tokenize_ms": tokenize_ms,
            "tokenize_cpu_s": cpu_s,
            "rows_per_s": rows as f64 / (tokenize_ms / 1e3),
            "tokens": tokens.meta().tokens,
            "truncated": tokens.meta().truncated_examples,
            "untruncated_mean_tokens": untruncated.meta().tokens as f64 / rows as f64,
            "share_over_512_tokens": over_512 as f64 / rows as f64,
            "mean_answer_words": words as f64 / rows as f64,
            "threads": std::thread::available_parallelism().map_or(1, |n| n.get()),
        })
    );
    Ok(())
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, 100 ticks/s), so
/// the measurement means something on a machine shared with other work.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
