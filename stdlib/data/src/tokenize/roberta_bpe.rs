//! RoBERTa's fast tokenizer built from `vocab.json` + `merges.txt`, as transformers'
//! `convert_slow_tokenizer.RobertaConverter` builds it: byte-level BPE (no dropout, no unknown
//! token), ByteLevel pre-tokeniser and decoder, and `RobertaProcessing`
//! (`<s> A </s>` / `<s> A </s></s> B </s>`).

use std::path::Path;

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::{BPE, Merges, Vocab};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::{AddedToken, Tokenizer};

use super::error::TokenizeError;
use super::tokenizer_config::{TokenizerConfig, special_token_id, token_or};
use crate::files::{MAX_TOKENIZER_BYTES, read_capped_string};

/// Builds RoBERTa's tokenizer from `vocab.json` and `merges.txt`.
pub fn roberta_from_vocab_merges(
    vocab: &Path,
    merges: &Path,
    config: &TokenizerConfig,
) -> Result<Tokenizer, TokenizeError> {
    let bad = |message: String| TokenizeError::BadTokenizer {
        path: vocab.to_path_buf(),
        message,
    };
    let vocab_text = read_capped_string(vocab, MAX_TOKENIZER_BYTES)
        .map_err(|e| TokenizeError::read(vocab, e))?;
    let merges_text = read_capped_string(merges, MAX_TOKENIZER_BYTES)
        .map_err(|e| TokenizeError::read(merges, e))?;
    let (vocab_map, merge_list) = parse_vocab_merges(&vocab_text, &merges_text).map_err(bad)?;
    let bpe = BPE::builder()
        .vocab_and_merges(vocab_map, merge_list)
        .build()
        .map_err(|e| bad(e.to_string()))?;
    let add_prefix_space = config.add_prefix_space.unwrap_or(false);
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(ByteLevel::new(add_prefix_space, true, true)));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));

    let cls = token_or(&config.cls_token, "<s>");
    let sep = token_or(&config.sep_token, "</s>");
    let specials = [
        AddedToken::from(cls.clone(), true).normalized(true),
        AddedToken::from(token_or(&config.pad_token, "<pad>"), true).normalized(true),
        AddedToken::from(sep.clone(), true).normalized(true),
        AddedToken::from(token_or(&config.unk_token, "<unk>"), true).normalized(true),
        AddedToken::from(token_or(&config.mask_token, "<mask>"), true).lstrip(true),
    ];
    tokenizer.add_special_tokens(&specials);
    let id = |t: &str| special_token_id(&tokenizer, vocab, t);
    let processor = RobertaProcessing::new((sep.clone(), id(&sep)?), (cls.clone(), id(&cls)?))
        .trim_offsets(true)
        .add_prefix_space(add_prefix_space);
    tokenizer.with_post_processor(Some(processor));
    Ok(tokenizer)
}

/// `vocab.json` (token -> id) and `merges.txt` (one `a b` pair a line, `#version` lines
/// skipped), read as `tokenizers`' `BPE::read_file` reads them.
fn parse_vocab_merges(vocab: &str, merges: &str) -> Result<(Vocab, Merges), String> {
    let json: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(vocab).map_err(|e| format!("vocab.json: {e}"))?;
    let mut map = Vocab::default();
    for (token, id) in json {
        if let serde_json::Value::Number(id) = id {
            let id = id
                .as_u64()
                .and_then(|id| u32::try_from(id).ok())
                .ok_or_else(|| format!("vocab.json: the id of {token:?} is not a token id"))?;
            map.insert(token, id);
        }
    }
    let mut list = Merges::new();
    for (rank, line) in merges
        .lines()
        .filter(|l| !l.starts_with("#version"))
        .enumerate()
    {
        match line.split(' ').collect::<Vec<_>>()[..] {
            [a, b] => list.push((a.to_string(), b.to_string())),
            _ => return Err(format!("merges.txt: merge {} is not `a b`", rank + 1)),
        }
    }
    Ok((map, list))
}
