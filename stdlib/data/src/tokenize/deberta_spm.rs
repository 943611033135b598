//! DeBERTa-v2/v3's fast tokenizer built from its SentencePiece `spm.model`, as transformers'
//! `convert_slow_tokenizer.DebertaV2Converter` (4.x) builds it:
//! Unigram over the pieces and scores; normaliser = [Lowercase if `do_lower_case`], Strip, the
//! model's precompiled charsmap, Replace(" {2,}" -> " "); pre-tokeniser = [Punctuation(isolated)
//! if `split_by_punct`], Metaspace("▁", prepend always); post-processor `[CLS] A [SEP]` /
//! `[CLS] A [SEP] B [SEP]` (type ids 0 / 1); control pieces become special added tokens and
//! user-defined pieces plain added tokens.

use std::path::Path;

use sentencepiece_model::{ModelType, SentencePieceModel, Type};
use tokenizers::decoders::DecoderWrapper;
use tokenizers::decoders::metaspace::Metaspace as MetaspaceDecoder;
use tokenizers::models::unigram::Unigram;
use tokenizers::normalizers::replace::ReplacePattern;
use tokenizers::normalizers::{
    Lowercase, NormalizerWrapper, Precompiled, Replace, Sequence, Strip,
};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::pre_tokenizers::punctuation::Punctuation;
use tokenizers::pre_tokenizers::sequence::Sequence as PreSequence;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

use super::error::TokenizeError;
use super::tokenizer_config::{TokenizerConfig, special_token_id, token_or};

/// Builds DeBERTa-v3's tokenizer from `spm_path` with the settings of `config`.
pub fn deberta_v2_from_spm(
    spm_path: &Path,
    config: &TokenizerConfig,
) -> Result<Tokenizer, TokenizeError> {
    let bad = |message: String| TokenizeError::BadTokenizer {
        path: spm_path.to_path_buf(),
        message,
    };
    let bytes = crate::files::read_capped(spm_path, crate::files::MAX_TOKENIZER_BYTES)
        .map_err(|e| TokenizeError::read(spm_path, e))?;
    let model = SentencePieceModel::from_slice(&bytes)
        .map_err(|e| bad(format!("not a SentencePiece model: {e}")))?;

    let mut tokenizer = Tokenizer::new(unigram(&model).map_err(bad)?);
    let charsmap = model
        .normalizer()
        .map(|n| n.precompiled_charsmap())
        .unwrap_or_default();
    tokenizer.with_normalizer(Some(normalizer(config, charsmap).map_err(bad)?));
    tokenizer.with_pre_tokenizer(Some(pre_tokenizer(config)));
    tokenizer.with_decoder(Some(DecoderWrapper::Metaspace(MetaspaceDecoder::new(
        '▁',
        PrependScheme::Always,
        true,
    ))));

    let added: Vec<AddedToken> = model
        .pieces()
        .iter()
        .filter(|p| matches!(p.r#type(), Type::Control | Type::UserDefined))
        .map(|p| AddedToken::from(p.piece(), p.r#type() == Type::Control).normalized(false))
        .collect();
    tokenizer.add_tokens(&added);
    let (cls, sep) = add_special_tokens(&mut tokenizer, config);

    let id = |t: &str| special_token_id(&tokenizer, spm_path, t);
    let template = TemplateProcessing::builder()
        .try_single(format!("{cls}:0 $A:0 {sep}:0"))
        .and_then(|b| b.try_pair(format!("{cls}:0 $A:0 {sep}:0 $B:1 {sep}:1")))
        .map_err(|e| bad(format!("cannot build the post-processor: {e}")))?
        .special_tokens(vec![(cls.as_str(), id(&cls)?), (sep.as_str(), id(&sep)?)])
        .build()
        .map_err(|e| bad(format!("cannot build the post-processor: {e}")))?;
    tokenizer.with_post_processor(Some(template));
    Ok(tokenizer)
}

/// The Unigram model over the pieces and their scores (only Unigram models are accepted).
fn unigram(model: &SentencePieceModel) -> Result<Unigram, String> {
    let trainer = model
        .trainer()
        .ok_or_else(|| "the model has no trainer spec".to_string())?;
    if trainer.model_type() != ModelType::Unigram {
        return Err(format!(
            "a {:?} SentencePiece model is not supported (DeBERTa uses Unigram)",
            trainer.model_type()
        ));
    }
    let vocab: Vec<(String, f64)> = model
        .pieces()
        .iter()
        .map(|p| (p.piece().to_string(), f64::from(p.score())))
        .collect();
    let unk_id = usize::try_from(trainer.unk_id()).map_err(|_| "negative unk_id".to_string())?;
    Unigram::from(vocab, Some(unk_id), trainer.byte_fallback()).map_err(|e| e.to_string())
}

/// Adds the configured special tokens the vocabulary lacks (and `[UNK]`, normalised);
/// returns the `(cls, sep)` tokens.
fn add_special_tokens(tokenizer: &mut Tokenizer, config: &TokenizerConfig) -> (String, String) {
    let cls = token_or(&config.cls_token, "[CLS]");
    let sep = token_or(&config.sep_token, "[SEP]");
    let unk = token_or(&config.unk_token, "[UNK]");
    let specials = [
        AddedToken::from(token_or(&config.pad_token, "[PAD]"), true),
        AddedToken::from(cls.clone(), true),
        AddedToken::from(sep.clone(), true),
        AddedToken::from(unk, true).normalized(true),
        AddedToken::from(token_or(&config.mask_token, "[MASK]"), true),
    ];
    let missing: Vec<AddedToken> = specials
        .into_iter()
        .filter(|t| tokenizer.token_to_id(&t.content).is_none() || t.normalized)
        .collect();
    tokenizer.add_special_tokens(&missing);
    (cls, sep)
}

fn normalizer(config: &TokenizerConfig, charsmap: &[u8]) -> Result<NormalizerWrapper, String> {
    let mut steps: Vec<NormalizerWrapper> = Vec::new();
    if config.do_lower_case {
        steps.push(Lowercase.into());
    }
    steps.push(Strip::new(true, true).into());
    if !charsmap.is_empty() {
        let precompiled =
            Precompiled::from(charsmap).map_err(|e| format!("bad precompiled charsmap: {e}"))?;
        steps.push(precompiled.into());
    }
    let spaces =
        Replace::new(ReplacePattern::Regex(" {2,}".into()), " ").map_err(|e| e.to_string())?;
    steps.push(spaces.into());
    Ok(Sequence::new(steps).into())
}

fn pre_tokenizer(config: &TokenizerConfig) -> PreTokenizerWrapper {
    let mut steps: Vec<PreTokenizerWrapper> = Vec::new();
    if config.split_by_punct {
        steps.push(Punctuation::new(SplitDelimiterBehavior::Isolated).into());
    }
    steps.push(Metaspace::new('▁', PrependScheme::Always, true).into());
    PreSequence::new(steps).into()
}
