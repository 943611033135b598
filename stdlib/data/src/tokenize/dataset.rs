use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::clarity::{ClarityLabel, EvasionLabel, EvasionSet, ExampleLabels};

use super::annotator_votes::AnnotatorVotes;
use super::error::TokenizeError;

/// The name of the binary file in a tokens directory.
pub const TOKENS_FILE: &str = "tokens.bin";
/// The name of the metadata file in a tokens directory.
pub const META_FILE: &str = "meta.json";
/// The first 8 bytes of [`TOKENS_FILE`] (the last two are the format version).
pub const MAGIC: &[u8; 8] = b"CLRTOK02";
/// The format version this build writes and reads ([`TokensMeta::version`]). Version 2 added
/// the annotators' votes to each record; version 1 files are refused (re-tokenize them).
pub const FORMAT_VERSION: u32 = 2;
const FORMAT: &str = "clarity-tokens";
const RECORD_BYTES: usize = 16;
const NO_LABEL: u8 = u8::MAX;

/// `meta.json` of a tokens directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokensMeta {
    /// Always `"clarity-tokens"`.
    pub format: String,
    /// Format version ([`FORMAT_VERSION`]).
    pub version: u32,
    /// Number of examples (source rows).
    pub examples: usize,
    /// Number of records (windows; equals `examples` without a stride).
    pub records: usize,
    /// Total number of token ids.
    pub tokens: usize,
    /// The example id of each example (the `index` column, else the 0-based row number).
    pub example_ids: Vec<String>,
    /// The padding id.
    pub pad_id: u32,
    /// Maximum sequence length (special tokens included).
    pub max_length: usize,
    /// `longest_first` or `only_second`.
    pub truncation: String,
    /// The sliding-window stride, if windows were made.
    pub stride: Option<usize>,
    /// The text template.
    pub template: String,
    /// The second-text template, for pair encoding.
    pub pair_template: Option<String>,
    /// The tokenizer file it was made with.
    pub tokenizer: String,
    /// The table it was made from.
    pub source: String,
    /// Whether records carry evasion labels.
    pub has_evasion: bool,
    /// Whether records carry clarity labels.
    pub has_clarity: bool,
    /// Whether records carry annotator label sets.
    pub has_annotators: bool,
    /// Evasion class names in class-index order.
    pub evasion_classes: Vec<String>,
    /// Clarity class names in class-index order.
    pub clarity_classes: Vec<String>,
    /// Number of examples whose text was cut (first window shorter than the full text).
    pub truncated_examples: usize,
}

/// One record's fixed-size header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// The example (0-based source row) this record belongs to.
    pub example: u32,
    /// Number of leading type-0 tokens.
    pub type0_len: u32,
    /// Index of this window within its example (0 without a stride).
    pub window: u16,
    /// The example's labels.
    pub labels: ExampleLabels,
    /// The annotators' evasion labels in annotator order (a majority vote needs them;
    /// `labels.annotators` is their set).
    pub votes: AnnotatorVotes,
}

/// A tokenized dataset: the records (one per example, or per window) with their ids and labels.
///
/// On disk it is a directory with [`META_FILE`] ([`TokensMeta`]) and [`TOKENS_FILE`], all
/// little-endian:
///
/// ```text
/// magic      8 bytes  "CLRTOK02"
/// n_records  u64
/// n_tokens   u64
/// records    n_records x 16 bytes:
///              u32 example    0-based source row (index into meta.example_ids)
///              u32 type0_len  leading tokens of token type 0 (the rest are type 1)
///              u16 window     window index within the example (0 without a stride)
///              u8  evasion    evasion class index, 255 = none
///              u8  clarity    clarity class index, 255 = none
///              u16 annotators bit i set = evasion class i is in the annotators' set
///              u16 votes      4 bits an annotator (annotator1 lowest): the class index
///                             of its evasion label, 0xF = no label; top 4 bits 0
/// offsets    (n_records + 1) x u64: record r's ids are ids[offsets[r]..offsets[r+1]]
/// ids        n_tokens x u32
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TokenizedDataset {
    meta: TokensMeta,
    records: Vec<Record>,
    offsets: Vec<u64>,
    ids: Vec<u32>,
}

/// One record, borrowed from a [`TokenizedDataset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenizedExample<'a> {
    /// Token ids (special tokens included, no padding).
    pub ids: &'a [u32],
    /// The example (0-based source row).
    pub example: usize,
    /// The example id.
    pub example_id: &'a str,
    /// The window index within the example.
    pub window: u16,
    /// Number of leading type-0 tokens.
    pub type0_len: u32,
    /// The labels.
    pub labels: ExampleLabels,
    /// The annotators' evasion labels in annotator order.
    pub votes: AnnotatorVotes,
}

impl TokenizedDataset {
    /// Assembles a dataset from records and their id lists (`meta`'s counts, format and
    /// version are filled in).
    pub fn new(mut meta: TokensMeta, records: Vec<(Record, Vec<u32>)>) -> Self {
        let mut offsets = Vec::with_capacity(records.len() + 1);
        offsets.push(0u64);
        let total: usize = records.iter().map(|(_, ids)| ids.len()).sum();
        let mut ids = Vec::with_capacity(total);
        let mut heads = Vec::with_capacity(records.len());
        for (record, record_ids) in records {
            ids.extend_from_slice(&record_ids);
            offsets.push(ids.len() as u64);
            heads.push(record);
        }
        meta.format = FORMAT.into();
        meta.version = FORMAT_VERSION;
        meta.records = heads.len();
        meta.tokens = ids.len();
        Self {
            meta,
            records: heads,
            offsets,
            ids,
        }
    }

    /// The metadata.
    pub fn meta(&self) -> &TokensMeta {
        &self.meta
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The padding id.
    pub fn pad_id(&self) -> u32 {
        self.meta.pad_id
    }

    /// Record `index`.
    pub fn get(&self, index: usize) -> TokenizedExample<'_> {
        let record = self.records[index];
        let ids = &self.ids[self.offsets[index] as usize..self.offsets[index + 1] as usize];
        TokenizedExample {
            ids,
            example: record.example as usize,
            example_id: &self.meta.example_ids[record.example as usize],
            window: record.window,
            type0_len: record.type0_len,
            labels: record.labels,
            votes: record.votes,
        }
    }

    /// The length (ids) of record `index`.
    pub fn record_len(&self, index: usize) -> usize {
        (self.offsets[index + 1] - self.offsets[index]) as usize
    }

    /// All records in order.
    pub fn iter(&self) -> impl Iterator<Item = TokenizedExample<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Writes `meta.json` and `tokens.bin` into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> Result<(), TokenizeError> {
        std::fs::create_dir_all(dir).map_err(|e| TokenizeError::write(dir, e))?;
        let meta_path = dir.join(META_FILE);
        let meta = serde_json::to_string_pretty(&self.meta)
            .map_err(|e| TokenizeError::write(&meta_path, e.into()))?;
        std::fs::write(&meta_path, meta).map_err(|e| TokenizeError::write(&meta_path, e))?;
        let path = dir.join(TOKENS_FILE);
        let mut bytes = Vec::with_capacity(
            24 + self.records.len() * (RECORD_BYTES + 8) + 8 + self.ids.len() * 4,
        );
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(self.records.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(self.ids.len() as u64).to_le_bytes());
        for r in &self.records {
            bytes.extend_from_slice(&r.example.to_le_bytes());
            bytes.extend_from_slice(&r.type0_len.to_le_bytes());
            bytes.extend_from_slice(&r.window.to_le_bytes());
            bytes.push(r.labels.evasion.map_or(NO_LABEL, |l| l.index() as u8));
            bytes.push(r.labels.clarity.map_or(NO_LABEL, |l| l.index() as u8));
            bytes.extend_from_slice(&r.labels.annotators.bits().to_le_bytes());
            bytes.extend_from_slice(&r.votes.to_bits().to_le_bytes());
        }
        for o in &self.offsets {
            bytes.extend_from_slice(&o.to_le_bytes());
        }
        for id in &self.ids {
            bytes.extend_from_slice(&id.to_le_bytes());
        }
        let mut file = std::fs::File::create(&path).map_err(|e| TokenizeError::write(&path, e))?;
        file.write_all(&bytes)
            .map_err(|e| TokenizeError::write(&path, e))?;
        file.sync_all().map_err(|e| TokenizeError::write(&path, e))
    }

    /// Reads a tokens directory written by [`TokenizedDataset::write`], checking its structure.
    pub fn open(dir: &Path) -> Result<Self, TokenizeError> {
        let meta_path = dir.join(META_FILE);
        let text = crate::files::read_capped_string(&meta_path, crate::files::MAX_META_BYTES)
            .map_err(|e| TokenizeError::read(&meta_path, e))?;
        let meta: TokensMeta = serde_json::from_str(&text).map_err(|e| TokenizeError::Corrupt {
            path: meta_path.clone(),
            message: e.to_string(),
        })?;
        let path = dir.join(TOKENS_FILE);
        let bytes = crate::files::read_capped(&path, crate::files::MAX_TOKENS_BYTES)
            .map_err(|e| TokenizeError::read(&path, e))?;
        let corrupt = |message: String| TokenizeError::Corrupt {
            path: path.clone(),
            message,
        };
        if meta.format != FORMAT {
            return Err(corrupt(format!("meta.json describes {}", meta.format)));
        }
        if meta.version != FORMAT_VERSION {
            return Err(TokenizeError::FormatVersion {
                path: meta_path,
                found: meta.version,
                expected: FORMAT_VERSION,
            });
        }
        let mut reader = ByteReader {
            bytes: &bytes,
            at: 0,
        };
        let (n_records, n_ids) = reader.header(&meta).map_err(corrupt)?;
        let records = reader
            .records(n_records, meta.example_ids.len())
            .map_err(corrupt)?;
        let (offsets, ids) = reader.offsets_and_ids(n_records, n_ids).map_err(corrupt)?;
        Ok(Self {
            meta,
            records,
            offsets,
            ids,
        })
    }
}

struct ByteReader<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// The layout of `tokens.bin` after the meta checks: header, records, offsets, ids; each
/// step's error is the message of a [`TokenizeError::Corrupt`].
impl ByteReader<'_> {
    /// The magic bytes and the `(records, ids)` counts, checked against the meta and the file
    /// length.
    fn header(&mut self, meta: &TokensMeta) -> Result<(usize, usize), String> {
        if self.take(8).ok_or("shorter than its header")? != MAGIC {
            return Err("wrong magic bytes".into());
        }
        let (Some(n_records), Some(n_ids)) = (self.u64(), self.u64()) else {
            return Err("shorter than its header".into());
        };
        let (n_records, n_ids) = (n_records as usize, n_ids as usize);
        let len = self.bytes.len();
        let expected = 24usize
            .checked_add(n_records.saturating_mul(RECORD_BYTES + 8))
            .and_then(|n| n.checked_add(8))
            .and_then(|n| n.checked_add(n_ids.saturating_mul(4)));
        if expected != Some(len) || n_records != meta.records || n_ids != meta.tokens {
            return Err(format!(
                "{len} bytes do not hold {} records and {} ids",
                meta.records, meta.tokens
            ));
        }
        Ok((n_records, n_ids))
    }

    /// `n` records, each naming one of `examples` examples.
    fn records(&mut self, n: usize, examples: usize) -> Result<Vec<Record>, String> {
        let mut records = Vec::with_capacity(n);
        for index in 0..n {
            let record = self
                .record()
                .ok_or_else(|| format!("record {index} is cut short"))?;
            if record.example as usize >= examples {
                return Err(format!(
                    "record {index} names example {} of {examples}",
                    record.example
                ));
            }
            records.push(record);
        }
        Ok(records)
    }

    /// `n_records + 1` monotone offsets from 0 to `n_ids`, then the ids.
    fn offsets_and_ids(
        &mut self,
        n_records: usize,
        n_ids: usize,
    ) -> Result<(Vec<u64>, Vec<u32>), String> {
        let offsets: Vec<u64> = (0..=n_records).filter_map(|_| self.u64()).collect();
        let ids: Vec<u32> = (0..n_ids).filter_map(|_| self.u32()).collect();
        let monotone = offsets.first() == Some(&0)
            && offsets.last() == Some(&(n_ids as u64))
            && offsets.windows(2).all(|w| w[0] <= w[1]);
        if offsets.len() != n_records + 1 || ids.len() != n_ids || !monotone {
            return Err("the offsets do not index the ids".into());
        }
        Ok((offsets, ids))
    }
}

impl<'a> ByteReader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2)
            .and_then(|b| b.try_into().ok())
            .map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
    }

    fn record(&mut self) -> Option<Record> {
        let example = self.u32()?;
        let type0_len = self.u32()?;
        let window = self.u16()?;
        let evasion = *self.take(1)?.first()?;
        let clarity = *self.take(1)?.first()?;
        let annotators = EvasionSet::from_bits(self.u16()?);
        let votes = AnnotatorVotes::from_bits(self.u16()?)?;
        let labels = ExampleLabels {
            evasion: EvasionLabel::from_index(usize::from(evasion)),
            clarity: ClarityLabel::from_index(usize::from(clarity)),
            annotators,
        };
        Some(Record {
            example,
            type0_len,
            window,
            labels,
            votes,
        })
    }
}
