//! Reads a pipeline file and, recursively, the files it includes.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::fs::{FileSystem, normalize};
use crate::lang::{FileAst, Item, Source, Spanned, parse_file};

use super::IncludeError;

/// The most files one pipeline may include, in all.
pub const MAX_INCLUDES: usize = 256;

/// A pipeline with its includes spliced in.
pub struct Loaded {
    /// The pipeline's name, if given.
    pub name: Option<Spanned<String>>,
    /// Every item, includes replaced by their files' items.
    pub items: Vec<Item>,
}

/// Reads `main` and its includes, reporting problems into `diags`.
pub fn load(
    main: &Source,
    fs: &dyn FileSystem,
    project_dir: &Path,
    diags: &mut Diagnostics,
) -> Loaded {
    let mut loader = Loader {
        fs,
        project_dir,
        diags,
        included: 0,
    };
    let mut stack: Vec<PathBuf> = main.path().map(normalize).into_iter().collect();
    let ast = loader.parse(main);
    let items = loader.splice(ast.items, main, &mut stack);
    Loaded {
        name: ast.name,
        items,
    }
}

struct Loader<'a> {
    fs: &'a dyn FileSystem,
    project_dir: &'a Path,
    diags: &'a mut Diagnostics,
    included: usize,
}

impl Loader<'_> {
    fn parse(&mut self, source: &Source) -> FileAst {
        let (ast, errors) = parse_file(source);
        self.diags.extend(errors);
        ast
    }

    fn splice(&mut self, items: Vec<Item>, from: &Source, stack: &mut Vec<PathBuf>) -> Vec<Item> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                Item::Include(path) => out.extend(self.include(&path, from, stack)),
                other => out.push(other),
            }
        }
        out
    }

    fn include(
        &mut self,
        path: &Spanned<String>,
        from: &Source,
        stack: &mut Vec<PathBuf>,
    ) -> Vec<Item> {
        let base = from
            .path()
            .and_then(Path::parent)
            .unwrap_or(self.project_dir);
        let resolved = normalize(&base.join(&path.value));
        let (src, span) = (path.span.source.source_text(), path.span.range);
        if stack.contains(&resolved) || self.included >= MAX_INCLUDES {
            let chain = stack
                .iter()
                .chain([&resolved])
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" -> ");
            let path = resolved.display().to_string();
            self.diags.push(IncludeError::IncludeCycle {
                path,
                chain,
                src,
                span,
            });
            return Vec::new();
        }
        self.included += 1;
        let text = match self.fs.read_to_string(&resolved) {
            Ok(text) => text,
            Err(e) => {
                let path = resolved.display().to_string();
                self.diags.push(IncludeError::IncludeMissing {
                    path,
                    reason: e.to_string(),
                    src,
                    span,
                });
                return Vec::new();
            }
        };
        let source = Source::new(path.value.clone(), Some(resolved.clone()), text);
        let ast = self.parse(&source);
        stack.push(resolved);
        let items = self.splice(ast.items, &source, stack);
        stack.pop();
        items
    }
}
