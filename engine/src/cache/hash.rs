use std::fs::File;
use std::io;
use std::path::Path;

/// The blake3 content hash of a file, or of a directory tree (relative paths and file
/// contents, in sorted order), as hex.
pub fn content_hash(path: &Path) -> io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hash_into(&mut hasher, path, Path::new(""), 0)?;
    Ok(hasher.finalize().to_hex().to_string())
}

fn hash_into(hasher: &mut blake3::Hasher, path: &Path, rel: &Path, depth: usize) -> io::Result<()> {
    if depth > 64 {
        return Err(io::Error::other("directory tree too deep"));
    }
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        hasher.update(rel.to_string_lossy().as_bytes());
        hasher.update(&[0]);
        hasher.update(&meta.len().to_le_bytes());
        io::copy(&mut File::open(path)?, hasher)?;
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(path)?.collect::<io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        hash_into(
            hasher,
            &entry.path(),
            &rel.join(entry.file_name()),
            depth + 1,
        )?;
    }
    Ok(())
}
