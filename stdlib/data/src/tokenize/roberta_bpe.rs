//! RoBERTa's fast tokenizer built from `vocab.json` + `merges.txt`, as transformers'
//! `convert_slow_tokenizer.RobertaConverter` builds it: byte-level BPE (no dropout, no unknown
//! token), ByteLevel pre-tokeniser and decoder, and `RobertaProcessing`
//! (`<s> A </s>` / `<s> A </s></s> B </s>`).

use std::path::Path;

use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::{AddedToken, Tokenizer};

use super::error::TokenizeError;
use super::tokenizer_config::TokenizerConfig;

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
    let (Some(vocab_str), Some(merges_str)) = (vocab.to_str(), merges.to_str()) else {
        return Err(bad("the path is not valid UTF-8".into()));
    };
    let bpe = BPE::from_file(vocab_str, merges_str)
        .build()
        .map_err(|e| bad(e.to_string()))?;
    let add_prefix_space = config.add_prefix_space.unwrap_or(false);
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(ByteLevel::new(add_prefix_space, true, true)));
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));

    let token = |configured: &Option<String>, default: &str| {
        configured.clone().unwrap_or_else(|| default.to_string())
    };
    let cls = token(&config.cls_token, "<s>");
    let sep = token(&config.sep_token, "</s>");
    let specials = [
        AddedToken::from(cls.clone(), true).normalized(true),
        AddedToken::from(token(&config.pad_token, "<pad>"), true).normalized(true),
        AddedToken::from(sep.clone(), true).normalized(true),
        AddedToken::from(token(&config.unk_token, "<unk>"), true).normalized(true),
        AddedToken::from(token(&config.mask_token, "<mask>"), true).lstrip(true),
    ];
    tokenizer.add_special_tokens(&specials);
    let id = |t: &str| {
        tokenizer
            .token_to_id(t)
            .ok_or_else(|| TokenizeError::MissingSpecialToken {
                path: vocab.to_path_buf(),
                token: t.to_string(),
            })
    };
    let processor = RobertaProcessing::new((sep.clone(), id(&sep)?), (cls.clone(), id(&cls)?))
        .trim_offsets(true)
        .add_prefix_space(add_prefix_space);
    tokenizer.with_post_processor(Some(processor));
    Ok(tokenizer)
}
