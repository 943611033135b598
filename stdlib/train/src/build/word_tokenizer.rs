use std::path::Path;

use tokenizers::models::wordlevel::{WordLevel, WordLevelTrainer};
use tokenizers::normalizers::Lowercase;
use tokenizers::pre_tokenizers::whitespace::Whitespace;
use tokenizers::processors::roberta::RobertaProcessing;
use tokenizers::{
    AddedToken, DecoderWrapper, NormalizerWrapper, PostProcessorWrapper, PreTokenizerWrapper,
    Tokenizer, TokenizerImpl,
};

use super::BuildError;

/// RoBERTa's special tokens, in id order: `<s>`=0, `<pad>`=1, `</s>`=2, `<unk>`=3, `<mask>`=4.
pub const SPECIAL_TOKENS: [&str; 5] = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"];

/// Builds a word-level tokenizer laid out like RoBERTa's (lower-cased words and punctuation
/// runs; `<s> A </s></s> B </s>` for pairs) whose vocabulary is the special tokens and then
/// the `vocab_size - 5` most frequent words of `texts` (ties alphabetical, so it is
/// deterministic). Unknown words map to `<unk>`.
pub fn word_tokenizer<'a>(
    texts: impl Iterator<Item = &'a str> + Send,
    vocab_size: usize,
) -> Result<Tokenizer, BuildError> {
    let specials: Vec<AddedToken> = SPECIAL_TOKENS
        .iter()
        .map(|t| AddedToken::from(*t, true))
        .collect();
    let mut trainer = WordLevelTrainer::builder()
        .vocab_size(vocab_size.max(SPECIAL_TOKENS.len()))
        .min_frequency(1)
        .show_progress(false)
        .special_tokens(specials.clone())
        .build()
        .map_err(|e| BuildError::Tokenizer(e.to_string()))?;
    let model = WordLevel::builder()
        .unk_token("<unk>".into())
        .build()
        .map_err(|e| BuildError::Tokenizer(e.to_string()))?;
    let mut tokenizer: TokenizerImpl<
        WordLevel,
        NormalizerWrapper,
        PreTokenizerWrapper,
        PostProcessorWrapper,
        DecoderWrapper,
    > = TokenizerImpl::new(model);
    tokenizer.with_normalizer(Some(Lowercase));
    tokenizer.with_pre_tokenizer(Some(Whitespace));
    tokenizer
        .train(&mut trainer, texts)
        .map_err(|e| BuildError::Tokenizer(e.to_string()))?;
    tokenizer.with_post_processor(Some(RobertaProcessing::new(
        ("</s>".into(), 2),
        ("<s>".into(), 0),
    )));
    tokenizer.add_special_tokens(&specials);
    Ok(Tokenizer::from(tokenizer))
}

/// Writes `tokenizer.json` and a `tokenizer_config.json` naming the special tokens.
pub fn save_tokenizer(tokenizer: &Tokenizer, dir: &Path) -> Result<(), BuildError> {
    tokenizer
        .save(dir.join("tokenizer.json"), false)
        .map_err(|e| BuildError::Tokenizer(e.to_string()))?;
    let config = serde_json::json!({
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "mask_token": "<mask>",
        "model_max_length": 512,
        "tokenizer_class": "PreTrainedTokenizerFast"
    });
    let path = dir.join("tokenizer_config.json");
    std::fs::write(&path, config.to_string()).map_err(|source| BuildError::Io { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_frequent_words_after_the_specials() {
        let texts = ["The cat sat.", "the cat ran", "a dog"];
        // counts: the 2, cat 2, sat 1, . 1, ran 1, a 1, dog 1 -> with 5 specials and size 8:
        // the, cat (2 each, alphabetical: cat < the), then "." (1, '.' sorts first).
        let tok = word_tokenizer(texts.iter().copied(), 8).unwrap();
        assert_eq!(tok.get_vocab_size(true), 8);
        assert_eq!(tok.token_to_id("<pad>"), Some(1));
        assert_eq!(tok.token_to_id("cat"), Some(5));
        assert_eq!(tok.token_to_id("the"), Some(6));
        assert_eq!(tok.token_to_id("."), Some(7));
        let enc = tok.encode(("The dog", "cat"), true).unwrap();
        // <s> the <unk> </s> </s> cat </s>
        assert_eq!(enc.get_ids(), [0, 6, 3, 2, 2, 5, 2]);
    }
}
