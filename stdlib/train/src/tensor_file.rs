//! Named f32 tensors in a safetensors file, written atomically (a `.partial` file renamed
//! into place), with string metadata in the header.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use thiserror::Error;

/// A tensor file could not be written or read.
#[derive(Debug, Error, Diagnostic)]
pub enum TensorFileError {
    /// Reading or writing the file failed.
    #[error("cannot {action} {path}")]
    #[diagnostic(code(clarity::train::tensor_file_io))]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not what it should be.
    #[error("{path} is damaged: {reason}")]
    #[diagnostic(
        code(clarity::train::tensor_file_damaged),
        help(
            "the file was not written by this version of clarity or was cut short; delete it and re-run the stage"
        )
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// One named tensor: shape and row-major values.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTensor {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub values: Vec<f32>,
}

/// The tensors and metadata of a file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TensorFile {
    /// Tensors by name.
    pub tensors: BTreeMap<String, NamedTensor>,
    /// Header metadata.
    pub metadata: BTreeMap<String, String>,
}

impl TensorFile {
    /// Takes a tensor out, or says which is missing.
    pub fn take(&mut self, name: &str, path: &Path) -> Result<NamedTensor, TensorFileError> {
        self.tensors
            .remove(name)
            .ok_or_else(|| damaged(path, format!("no tensor `{name}`")))
    }

    /// A metadata entry, or says which is missing.
    pub fn meta(&self, key: &str, path: &Path) -> Result<&str, TensorFileError> {
        self.metadata
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| damaged(path, format!("no `{key}` metadata")))
    }

    /// Writes the file atomically.
    pub fn write(&self, path: &Path) -> Result<(), TensorFileError> {
        let buffers: Vec<(&String, Vec<u8>, &Vec<usize>)> = self
            .tensors
            .iter()
            .map(|(name, t)| {
                let bytes = t.values.iter().flat_map(|v| v.to_le_bytes()).collect();
                (name, bytes, &t.shape)
            })
            .collect();
        let views = buffers
            .iter()
            .map(|(name, bytes, shape)| {
                TensorView::new(Dtype::F32, shape.to_vec(), bytes)
                    .map(|view| ((*name).clone(), view))
                    .map_err(|e| damaged(path, format!("`{name}`: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let metadata: HashMap<String, String> = self.metadata.clone().into_iter().collect();
        let bytes = safetensors::tensor::serialize(views, Some(metadata))
            .map_err(|e| damaged(path, e.to_string()))?;
        let partial = path.with_extension("partial");
        let io = |source| TensorFileError::Io {
            action: "write",
            path: path.to_path_buf(),
            source,
        };
        std::fs::write(&partial, bytes).map_err(io)?;
        std::fs::rename(&partial, path).map_err(io)
    }

    /// Reads a file of f32 tensors.
    pub fn read(path: &Path) -> Result<Self, TensorFileError> {
        let bytes = std::fs::read(path).map_err(|source| TensorFileError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        })?;
        let (_, header) =
            SafeTensors::read_metadata(&bytes).map_err(|e| damaged(path, e.to_string()))?;
        let metadata = header
            .metadata()
            .clone()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let file = SafeTensors::deserialize(&bytes).map_err(|e| damaged(path, e.to_string()))?;
        let mut tensors = BTreeMap::new();
        for (name, view) in file.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(damaged(
                    path,
                    format!("`{name}` is {:?}, not F32", view.dtype()),
                ));
            }
            let values = view
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            tensors.insert(
                name,
                NamedTensor {
                    shape: view.shape().to_vec(),
                    values,
                },
            );
        }
        Ok(Self { tensors, metadata })
    }
}

/// A [`TensorFileError::Damaged`].
pub fn damaged(path: &Path, reason: String) -> TensorFileError {
    TensorFileError::Damaged {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_tensors_and_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        let mut file = TensorFile::default();
        file.tensors.insert(
            "a.weight".into(),
            NamedTensor {
                shape: vec![2, 2],
                values: vec![1.0, -2.0, 3.5, 1e-8],
            },
        );
        file.metadata.insert("step".into(), "3".into());
        file.write(&path).unwrap();
        assert!(!path.with_extension("partial").exists());
        let mut back = TensorFile::read(&path).unwrap();
        assert_eq!(back.meta("step", &path).unwrap(), "3");
        assert_eq!(
            back.take("a.weight", &path).unwrap(),
            file.tensors["a.weight"]
        );
        assert!(back.take("b", &path).is_err());
    }

    #[test]
    fn reports_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.safetensors");
        std::fs::write(&path, b"\x05\0\0\0\0\0\0\0{").unwrap();
        assert!(matches!(
            TensorFile::read(&path),
            Err(TensorFileError::Damaged { .. })
        ));
        assert!(matches!(
            TensorFile::read(&dir.path().join("missing")),
            Err(TensorFileError::Io { .. })
        ));
    }
}
