//! The content-addressed cache under `.clarity/`: fingerprints, complete entries, temporary
//! entries moved into place on success, and the lock that keeps two runs apart.

mod error;
mod fingerprint;
mod hash;
mod lock;
mod store;

pub use error::CacheError;
pub use fingerprint::{Fingerprint, InputKey, PlacementKey};
pub use hash::content_hash;
pub use lock::CacheLock;
pub use store::{Cache, Pending};
