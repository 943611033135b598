//! Bounded reads of user-supplied and cached files: only regular files are read (a FIFO
//! would block, `/dev/zero` never ends), and never more than a cap, whatever the file's
//! metadata says. The readers are the engine's ([`clarity_engine::fs`]); this module
//! holds the caps of each kind of file.

pub use clarity_engine::fs::{Capped, open_capped, open_regular, read_capped, read_capped_string};

/// The most bytes of a table file (CSV, JSONL, parquet): 8 GiB, far beyond the datasets a
/// text classifier trains on, small enough that a runaway file is refused.
pub const MAX_TABLE_BYTES: u64 = 8 << 30;
/// The most bytes of a tokenizer file (`tokenizer.json`, `vocab.json`, `merges.txt`,
/// `spm.model`): 256 MiB (the largest on the Hub are a few tens of MiB).
pub const MAX_TOKENIZER_BYTES: u64 = 256 << 20;
/// The most bytes of a small JSON settings file (`tokenizer_config.json`,
/// `special_tokens_map.json`, a token file's `meta.json` without example ids, a Hub ref).
pub const MAX_SETTINGS_BYTES: u64 = 16 << 20;
/// The most bytes of a description file that lists every row or example (`table.json`,
/// a token file's `meta.json`).
pub const MAX_META_BYTES: u64 = 1 << 30;
/// The most bytes of a token file (`tokens.bin`).
pub const MAX_TOKENS_BYTES: u64 = 8 << 30;
