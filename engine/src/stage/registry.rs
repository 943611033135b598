use std::collections::BTreeMap;
use std::sync::Arc;

use super::{DefaultPlacer, Placer, Stage, StageKind};

/// The stage kinds, policy libraries and placement hook a `clarity` binary knows.
///
/// `clarity_stdlib::registry()` returns one with every stdlib stage; a custom binary adds
/// its own stages and hands the registry to [`crate::cli`].
#[derive(Clone)]
pub struct Registry {
    stages: BTreeMap<&'static str, Arc<StageKind>>,
    libraries: BTreeMap<String, String>,
    placer: Arc<dyn Placer>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// An empty registry with the [`DefaultPlacer`].
    pub fn new() -> Self {
        Self {
            stages: BTreeMap::new(),
            libraries: BTreeMap::new(),
            placer: Arc::new(DefaultPlacer),
        }
    }

    /// Adds a stage kind; a later registration of the same kind replaces the earlier one
    /// (so a custom binary can override a stdlib stage).
    pub fn register(&mut self, stage: impl Stage) -> &mut Self {
        let stage = StageKind::new(stage);
        self.stages.insert(stage.schema().kind, Arc::new(stage));
        self
    }

    /// Adds a library that pipelines import with `use "NAME"` (e.g. `std/policies`).
    pub fn add_library(
        &mut self,
        name: impl Into<String>,
        kdl_text: impl Into<String>,
    ) -> &mut Self {
        self.libraries.insert(name.into(), kdl_text.into());
        self
    }

    /// Installs the placement hook (the device-policy layer).
    pub fn set_placer(&mut self, placer: impl Placer + 'static) -> &mut Self {
        self.placer = Arc::new(placer);
        self
    }

    /// The stage of kind `kind`.
    pub fn get(&self, kind: &str) -> Option<&Arc<StageKind>> {
        self.stages.get(kind)
    }

    /// All stage kinds, sorted.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.stages.keys().copied()
    }

    /// The library called `name`.
    pub fn library(&self, name: &str) -> Option<&str> {
        self.libraries.get(name).map(String::as_str)
    }

    /// All library names, sorted.
    pub fn library_names(&self) -> impl Iterator<Item = &str> {
        self.libraries.keys().map(String::as_str)
    }

    /// The placement hook.
    pub fn placer(&self) -> &dyn Placer {
        self.placer.as_ref()
    }

    /// The known kind closest to `kind`, for "did you mean".
    pub fn suggest_kind(&self, kind: &str) -> Option<&'static str> {
        crate::suggest::closest(kind, self.kinds())
    }
}
