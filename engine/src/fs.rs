//! File access behind a trait, so tests can use an in-memory fake; bounded reads of
//! untrusted files.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

/// Opens the regular file `path`; anything else (a FIFO, a device, a directory) is refused
/// with [`io::ErrorKind::InvalidInput`] before it is opened (opening a FIFO blocks until
/// something writes to it).
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

/// Opens the regular file `path` (see [`open_regular`]) for a streamed read of at most
/// `cap` bytes: a file whose metadata says it is longer, or a read past the cap (special and
/// growing files), is an [`io::ErrorKind::FileTooLarge`] error.
pub fn open_capped(path: &Path, cap: u64) -> io::Result<Capped<File>> {
    let file = open_regular(path)?;
    if file.metadata()?.len() > cap {
        return Err(too_large(cap));
    }
    Ok(Capped::new(file, cap))
}

/// Reads at most `cap` bytes of the regular file `path` (see [`open_capped`]).
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let mut reader = open_capped(path, cap)?;
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Like [`read_capped`], as UTF-8 text.
pub fn read_capped_string(path: &Path, cap: u64) -> io::Result<String> {
    String::from_utf8(read_capped(path, cap)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not valid UTF-8"))
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

/// What the analyser reads from disk: included files and the existence of path params.
pub trait FileSystem: Send + Sync {
    /// The text of `path`.
    fn read_to_string(&self, path: &Path) -> io::Result<String>;
    /// Whether `path` exists.
    fn exists(&self, path: &Path) -> bool;
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        // Longer texts get the KDL reader's own size diagnostic.
        read_capped_string(path, 16 * crate::lang::MAX_FILE_BYTES as u64)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
}

/// A file system that keeps the texts read through it (a pipeline's includes, the policy
/// files it uses), so they can travel where the project is not.
pub struct RecordingFs<'a> {
    inner: &'a dyn FileSystem,
    read: std::sync::Mutex<BTreeMap<PathBuf, String>>,
}

impl<'a> RecordingFs<'a> {
    /// Records what is read through `inner`.
    pub fn new(inner: &'a dyn FileSystem) -> Self {
        Self {
            inner,
            read: std::sync::Mutex::default(),
        }
    }

    /// Each file read, once, with its text.
    pub fn into_read(self) -> BTreeMap<PathBuf, String> {
        self.read.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl FileSystem for RecordingFs<'_> {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        let text = self.inner.read_to_string(path)?;
        if let Ok(mut read) = self.read.lock() {
            read.insert(path.to_path_buf(), text.clone());
        }
        Ok(text)
    }

    fn exists(&self, path: &Path) -> bool {
        self.inner.exists(path)
    }
}

/// The real file system as a worker away from the project sees it: path params are not
/// checked, since the driver checked them and the stages that read them run on the driver.
#[derive(Clone, Copy, Debug, Default)]
pub struct UncheckedPaths;

impl FileSystem for UncheckedPaths {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        RealFs.read_to_string(path)
    }

    fn exists(&self, _: &Path) -> bool {
        true
    }
}

/// An in-memory file system (tests).
#[derive(Clone, Debug, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, String>,
}

impl MemFs {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file.
    pub fn with(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        self.files.insert(normalize(&path.into()), text.into());
        self
    }
}

impl FileSystem for MemFs {
    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(&normalize(path))
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "No such file or directory"))
    }

    fn exists(&self, path: &Path) -> bool {
        let path = normalize(path);
        self.files.keys().any(|f| f.starts_with(&path))
    }
}

/// `path` with `.` removed and `..` applied, without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            // `..` cancels a name before it, stays at the root, and otherwise (an empty or
            // all-`..` relative path) is kept: `../../a` must not become `a`.
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// What [`list_files`] lists, and what it does with what it cannot read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// Leave out files and folders whose name starts with `.` (`.git`, ...).
    pub skip_hidden: bool,
    /// List regular files only: special files and dangling links are left out (otherwise
    /// special files are listed and a dangling link is an error).
    pub regular_only: bool,
    /// Skip folders that cannot be read, or lie deeper than [`MAX_LISTING_DEPTH`], instead of
    /// failing.
    pub skip_unreadable: bool,
}

/// The deepest folder nesting [`list_files`] descends (a cycle of links ends there).
pub const MAX_LISTING_DEPTH: usize = 64;

/// Every file under the folder `root`, following symbolic links, as (`/`-separated path
/// relative to `root`, full path), sorted by relative path.
pub fn list_files(root: &Path, listing: Listing) -> io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    walk(root, "", 0, listing, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(
    dir: &Path,
    rel: &str,
    depth: usize,
    listing: Listing,
    out: &mut Vec<(String, PathBuf)>,
) -> io::Result<()> {
    let skip = |e: io::Error| {
        if listing.skip_unreadable {
            Ok(())
        } else {
            Err(e)
        }
    };
    if depth > MAX_LISTING_DEPTH {
        return skip(io::Error::other("directory tree too deep"));
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return skip(e),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                skip(e)?;
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if listing.skip_hidden && name.starts_with('.') {
            continue;
        }
        let rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let path = entry.path();
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => walk(&path, &rel, depth + 1, listing, out)?,
            Ok(meta) if meta.is_file() || !listing.regular_only => out.push((rel, path)),
            Ok(_) => {}
            Err(_) if listing.regular_only => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_nested_files_sorted_and_skips_hidden_ones_when_asked() {
        let tmp = tempfile::tempdir().unwrap();
        for f in ["b.txt", "a/c.txt", "a/d/e.txt", ".git/HEAD", "a/.hidden"] {
            let p = tmp.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let names = |listing| -> Vec<String> {
            list_files(tmp.path(), listing)
                .unwrap()
                .into_iter()
                .map(|(rel, _)| rel)
                .collect()
        };
        assert_eq!(
            names(Listing::default()),
            [".git/HEAD", "a/.hidden", "a/c.txt", "a/d/e.txt", "b.txt"]
        );
        let visible = Listing {
            skip_hidden: true,
            ..Listing::default()
        };
        assert_eq!(names(visible), ["a/c.txt", "a/d/e.txt", "b.txt"]);
        let (_, full) = &list_files(tmp.path(), visible).unwrap()[1];
        assert_eq!(full, &tmp.path().join("a").join("d").join("e.txt"));
    }

    #[test]
    fn a_missing_folder_is_an_error_unless_unreadable_ones_are_skipped() {
        let missing = Path::new("/nonexistent/clarity/listing");
        assert!(list_files(missing, Listing::default()).is_err());
        let lenient = Listing {
            skip_unreadable: true,
            ..Listing::default()
        };
        assert!(list_files(missing, lenient).unwrap().is_empty());
    }

    #[test]
    fn normalize_keeps_leading_parents() {
        let n = |p: &str| normalize(Path::new(p));
        assert_eq!(n("../../common.kdl"), PathBuf::from("../../common.kdl"));
        assert_eq!(n("a/b/../../../c"), PathBuf::from("../c"));
        assert_eq!(n("./a/./b/../c"), PathBuf::from("a/c"));
        assert_eq!(n("/../x"), PathBuf::from("/x"));
        assert_eq!(n("/p/a/../../../x"), PathBuf::from("/x"));
    }

    #[test]
    fn capped_reads_refuse_special_and_long_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        assert_eq!(read_capped_string(&file, 5).unwrap(), "hello");
        let long = read_capped(&file, 4).unwrap_err();
        assert_eq!(long.kind(), io::ErrorKind::FileTooLarge);
        let mut sink = Vec::new();
        let endless = Capped::new(io::repeat(0), 100).read_to_end(&mut sink);
        assert_eq!(endless.unwrap_err().kind(), io::ErrorKind::FileTooLarge);
        let dir_err = read_capped(dir.path(), 100).unwrap_err();
        assert!(matches!(
            dir_err.kind(),
            io::ErrorKind::InvalidInput | io::ErrorKind::IsADirectory
        ));
        #[cfg(unix)]
        {
            let zero = read_capped(Path::new("/dev/zero"), 100).unwrap_err();
            assert_eq!(zero.kind(), io::ErrorKind::InvalidInput);
        }
    }
}
