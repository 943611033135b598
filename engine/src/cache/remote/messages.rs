//! Small messages beside the entries, under `PREFIX/jobs/`: what a cluster job that cannot
//! reach the driver's files reports (its result), read once and removed by the driver.

use object_store::ObjectStoreExt;
use object_store::path::Path as ObjPath;

use super::pull::get_bytes;
use super::{Remote, RemoteError};

impl Remote {
    /// Stores message `name` (one path segment).
    pub fn put_message(&self, name: &str, bytes: Vec<u8>) -> Result<(), RemoteError> {
        let key = self.message_key(name);
        let store = self.store.as_ref();
        self.block_on(store.put(&key, bytes.into()))
            .map(|_| ())
            .map_err(|e| self.transfer_error("uploading", &key, &e))
    }

    /// Reads message `name` and removes it; `None` when there is none.
    pub fn take_message(&self, name: &str) -> Result<Option<Vec<u8>>, RemoteError> {
        let key = self.message_key(name);
        let store = self.store.as_ref();
        let bytes = self
            .block_on(get_bytes(store, &key))
            .map_err(|e| self.transfer_error("downloading", &key, e.as_ref()))?;
        if bytes.is_some() {
            // A message left behind is harmless: the next job has another name.
            let _ = self.block_on(store.delete(&key));
        }
        Ok(bytes)
    }

    fn message_key(&self, name: &str) -> ObjPath {
        self.jobs.clone().join(name)
    }
}
