//! Where the GPU backends keep compiled kernels and autotune results between runs.
//!
//! CubeCL (under Burn's `wgpu` and `cuda` backends) compiles every kernel at first use and
//! autotunes matmuls by timing candidates; without a cache each run pays that again (on an
//! H200, over a minute of NVRTC for a tiny model's first forward). By default it keeps no
//! compiled kernels and writes autotune results under `./target` of the nearest Cargo project,
//! so where they land depends on the directory clarity runs in. clarity keeps both in one user
//! cache instead: `$CLARITY_KERNEL_CACHE`, else `$XDG_CACHE_HOME/clarity/kernels`, else
//! `~/.cache/clarity/kernels`. A `cubecl.toml` or `burn.toml` in the working directory or
//! above still wins, as CubeCL documents.

use std::path::{Path, PathBuf};
use std::sync::Once;

use burn::cubecl::config::cache::CacheConfig;
use burn::cubecl::config::{CubeClRuntimeConfig, RuntimeConfig};

/// The files through which a user configures CubeCL themselves.
const CUBECL_FILES: [&str; 4] = ["cubecl.toml", "CubeCL.toml", "burn.toml", "Burn.toml"];

/// Points CubeCL's kernel and autotune caches at [`dir`], once per process, before any GPU
/// work; does nothing when CubeCL is already configured or a config file of the user's is
/// found, or when no cache directory can be named.
pub fn configure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Some(dir) = dir() else { return };
        let cwd = std::env::current_dir().unwrap_or_default();
        if user_config(&cwd).is_some() {
            return;
        }
        let mut storage = CubeClRuntimeConfig::storage().lock();
        if storage.is_some() {
            return;
        }
        let mut config = CubeClRuntimeConfig::default().override_from_env();
        config.autotune.cache = CacheConfig::File(dir.clone());
        config.compilation.cache = Some(CacheConfig::File(dir));
        *storage = Some(std::sync::Arc::new(config));
    });
}

/// The kernel cache directory (see the module docs), if one can be named.
pub fn dir() -> Option<PathBuf> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("CLARITY_KERNEL_CACHE")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("clarity/kernels")))
        .or_else(|| var("HOME").map(|d| d.join(".cache/clarity/kernels")))
}

/// The user's CubeCL config file in `dir` or above, if any.
fn user_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .flat_map(|d| CUBECL_FILES.iter().map(move |f| d.join(f)))
        .find(|f| f.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_above_the_directory_is_the_users() {
        let root = std::env::temp_dir().join(format!("clarity-kc-{}", std::process::id()));
        let deep = root.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(user_config(&deep), None);
        std::fs::write(root.join("a/burn.toml"), "").unwrap();
        assert_eq!(user_config(&deep), Some(root.join("a/burn.toml")));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
