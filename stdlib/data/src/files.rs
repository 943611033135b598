//! Bounded reads of user-supplied and cached files: only regular files are read (a FIFO
//! would block, `/dev/zero` never ends), and never more than a cap, whatever the file's
//! metadata says. Whole-file reads go through [`clarity_engine::fs::read_capped`]; tables
//! are streamed through [`open_capped`].

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub use clarity_engine::fs::{read_capped, read_capped_string};

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

/// Opens the regular file `path` for a streamed read of at most `cap` bytes: reading past
/// the cap is an [`io::ErrorKind::FileTooLarge`] error. Anything but a regular file is
/// refused with [`io::ErrorKind::InvalidInput`] before it is opened (opening a FIFO blocks).
pub fn open_capped(path: &Path, cap: u64) -> io::Result<Capped<File>> {
    let file = open_regular(path)?;
    if file.metadata()?.len() > cap {
        return Err(too_large(cap));
    }
    Ok(Capped::new(file, cap))
}

/// Opens the regular file `path`; anything else (a FIFO, a device, a directory) is refused
/// with [`io::ErrorKind::InvalidInput`] before it is opened.
pub fn open_regular(path: &Path) -> io::Result<File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// A reader that fails once more than `cap` bytes have been read.
#[derive(Debug)]
pub struct Capped<R> {
    inner: io::Take<R>,
    cap: u64,
    read: u64,
}

impl<R: Read> Capped<R> {
    /// At most `cap` bytes of `inner`.
    pub fn new(inner: R, cap: u64) -> Self {
        Self {
            inner: inner.take(cap.saturating_add(1)),
            cap,
            read: 0,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.cap {
            return Err(too_large(self.cap));
        }
        Ok(n)
    }
}

fn not_regular() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a regular file")
}

fn too_large(cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("file larger than {cap} bytes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_stop_at_the_cap_and_special_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "0123456789").unwrap();
        let mut text = String::new();
        open_capped(&path, 10)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "0123456789");
        assert_eq!(
            open_capped(&path, 9).unwrap_err().kind(),
            io::ErrorKind::FileTooLarge
        );
        let mut sink = Vec::new();
        let err = Capped::new(io::repeat(0), 100)
            .read_to_end(&mut sink)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::FileTooLarge);
        #[cfg(unix)]
        assert_eq!(
            open_capped(Path::new("/dev/zero"), 100).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            open_regular(dir.path()).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }
}
