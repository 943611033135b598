//! The content-addressed cache under `.clarity/`: fingerprints, complete entries, temporary
//! entries moved into place on success, each entry's recorded content hashes (checked before
//! it is trusted), and the locks that let runs
//! and workers share it (one writer per entry) and keep `gc` apart.

mod entry;
mod error;
mod fingerprint;
mod hash;
mod key;
mod lock;
pub mod remote;
mod store;

pub use entry::{
    ENTRY_SCHEMA, EntryMeta, FileRecord, Mismatch, OutputRecord, Verify, read_meta, record_output,
    verify_entry, verify_output,
};
pub use error::CacheError;
pub use fingerprint::{CLARITY_VERSION, Fingerprint, InputKey, PlacementKey, secret_hash};
pub use hash::content_hash;
pub use key::{Change, KeyParts};
pub use lock::{Acquired, CacheLock, EntryLock, LOCKS_DIR};
pub use store::{Cache, ENTRY_LOG, ENTRY_META, Pending, RESUME_DIR, SCRATCH_DIR};
