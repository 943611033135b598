use std::path::Path;

use clarity_engine::fs::{Listing, list_files};

use super::error::FetchError;
use super::fetch::{FetchedFile, FetchedRepo};
use super::repo::RepoId;
use super::select::{Selection, Unselected, select_files};

/// "Fetches" from a local directory laid out like a Hub repo, or a single file, with the same
/// selection rules as the Hub. Hidden files and folders (`.git`, ...) are ignored.
pub fn fetch_local(path: &Path, selection: &Selection) -> Result<FetchedRepo, FetchError> {
    let local = |message: String| FetchError::Local {
        path: path.to_path_buf(),
        message,
    };
    let metadata = std::fs::metadata(path).map_err(|e| local(e.to_string()))?;
    let (root, available) = if metadata.is_dir() {
        (
            path.to_path_buf(),
            list_dir(path).map_err(|e| local(e.to_string()))?,
        )
    } else {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (
            path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            vec![name],
        )
    };
    let display = path.display().to_string();
    let names = select_files(selection, &available).map_err(|e| match e {
        Unselected::Missing(missing, help) => FetchError::MissingFiles {
            repo: display.clone(),
            commit: "local".into(),
            missing,
            help,
        },
        Unselected::BadPattern(pattern, message) => FetchError::BadPattern { pattern, message },
    })?;
    let files = names
        .into_iter()
        .map(|name| FetchedFile {
            path: name.split('/').fold(root.clone(), |p, part| p.join(part)),
            name,
        })
        .collect();
    let kind = match selection {
        Selection::Model { .. } => super::repo::RepoKind::Model,
        Selection::Dataset { .. } => super::repo::RepoKind::Dataset,
    };
    Ok(FetchedRepo {
        repo: RepoId { kind, id: display },
        revision: "local".into(),
        commit: "local".into(),
        files,
        used_network: false,
        notes: Vec::new(),
    })
}

fn list_dir(root: &Path) -> std::io::Result<Vec<String>> {
    let listing = Listing {
        skip_hidden: true,
        regular_only: true,
        skip_unreadable: false,
    };
    Ok(list_files(root, listing)?
        .into_iter()
        .map(|(name, _)| name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_files_of_a_local_model_dir() {
        let tmp = tempfile::tempdir().unwrap();
        for f in [
            "config.json",
            "pytorch_model.bin",
            "spm.model",
            "notes.txt",
            ".git/HEAD",
        ] {
            let p = tmp.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
        let got = fetch_local(tmp.path(), &Selection::Model { extra: vec![] }).unwrap();
        let names: Vec<_> = got.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["config.json", "pytorch_model.bin", "spm.model"]);
        assert_eq!(got.files[0].path, tmp.path().join("config.json"));
    }

    #[test]
    fn a_single_table_file_and_a_missing_path() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("train.csv");
        std::fs::write(&file, "a\n1\n").unwrap();
        let got = fetch_local(&file, &Selection::Dataset { patterns: vec![] }).unwrap();
        assert_eq!(
            got.files,
            [FetchedFile {
                name: "train.csv".into(),
                path: file
            }]
        );
        let err = fetch_local(
            &tmp.path().join("nope"),
            &Selection::Dataset { patterns: vec![] },
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("cannot read "), "{err}");
    }
}
