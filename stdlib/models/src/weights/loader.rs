use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use burn::module::Module;
use burn::tensor::DType;
use burn::tensor::backend::Backend;
use burn_store::{
    ApplyError, BurnToPyTorchAdapter, ModuleAdapter, ModuleSnapshot, PyTorchToBurnAdapter,
    TensorSnapshot,
};

use super::report::abbreviate;
use super::{
    CastAdapter, LoadReport, WeightsError, WeightsFormat, burn_to_hf, hf_to_burn, read_tensors,
};

/// How the keys of a file relate to a module.
#[derive(Debug, Clone)]
pub struct LoadPlan<'a> {
    /// The float dtype of the module's parameters; file tensors are cast to it.
    pub dtype: DType,
    /// HF's `base_model_prefix` (`roberta`, `deberta`): files with or without it load into
    /// modules with or without it, as `from_pretrained` allows.
    pub base_model_prefix: &'a str,
    /// Module paths (Burn names, e.g. `classifier.`) that may be absent from the file; they
    /// keep their fresh initialisation and are reported. Anything else missing is an error.
    pub optional_prefixes: &'a [&'a str],
    /// Key segments of file tensors that are dropped silently (buffers such as
    /// `position_ids`, HF's `_keys_to_ignore_on_load_unexpected`).
    pub ignored_segments: &'a [&'a str],
    /// `(file prefix, module prefix)` pairs applied to file keys first, for modules that
    /// hold the encoder under another field name: `("roberta.", "encoder.")` loads a
    /// checkpoint's `roberta.*` into a head struct's `encoder` field.
    pub prefix_renames: &'a [(&'a str, &'a str)],
}

impl<'a> LoadPlan<'a> {
    /// A plan for `dtype` and `base_model_prefix` with nothing optional, ignored or renamed.
    pub fn new(dtype: DType, base_model_prefix: &'a str) -> Self {
        Self {
            dtype,
            base_model_prefix,
            optional_prefixes: &[],
            ignored_segments: crate::IGNORED_SEGMENTS,
            prefix_renames: &[],
        }
    }
}

/// Loads a weight file into `module`, checking names, shapes and dtypes first.
///
/// Module paths are Burn field paths with enum variants skipped (an [`crate::Encoder`]
/// field `encoder` is `encoder.embeddings...` whatever its architecture).
pub fn load_module<B: Backend, M: Module<B>>(
    mut module: M,
    path: &Path,
    format: WeightsFormat,
    plan: &LoadPlan<'_>,
) -> Result<(M, LoadReport), WeightsError> {
    let expected: BTreeMap<String, Vec<usize>> = module
        .collect(None, Some(Box::new(BurnToPyTorchAdapter)), true)
        .into_iter()
        .map(|s| (s.full_path(), s.shape.to_vec()))
        .collect();
    let file: BTreeMap<String, TensorSnapshot> = read_tensors(path, format)?
        .into_iter()
        .map(|(key, snapshot)| {
            (
                rename_prefix(&hf_to_burn(&key), plan.prefix_renames),
                snapshot,
            )
        })
        .collect();
    let file = align_prefix(file, &expected, plan.base_model_prefix);

    check_shapes(path, &expected, &file)?;
    let missing: Vec<&String> = expected.keys().filter(|k| !file.contains_key(*k)).collect();
    let (optional, required): (Vec<&String>, Vec<&String>) = missing
        .into_iter()
        .partition(|k| plan.optional_prefixes.iter().any(|p| k.starts_with(p)));
    if !required.is_empty() {
        let names: Vec<String> = required.iter().map(|k| burn_to_hf(k)).collect();
        return Err(WeightsError::MissingKeys {
            path: path.to_path_buf(),
            count: names.len(),
            first: names[0].clone(),
            list: abbreviate(&names, 8),
        });
    }
    let unexpected: Vec<String> = file
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .filter(|k| !k.split('.').any(|s| plan.ignored_segments.contains(&s)))
        .map(|k| burn_to_hf(k))
        .collect();

    let mut cast_from = BTreeSet::new();
    let mut snapshots = Vec::new();
    for (key, snapshot) in file.into_iter().filter(|(k, _)| expected.contains_key(k)) {
        if !snapshot.dtype.is_float() {
            return Err(WeightsError::UnsupportedDType {
                path: path.to_path_buf(),
                key: burn_to_hf(&key),
                dtype: format!("{:?}", snapshot.dtype),
            });
        }
        if snapshot.dtype != plan.dtype {
            cast_from.insert(format!("{:?}", snapshot.dtype));
        }
        snapshots.push(rekey(&snapshot, &key));
    }
    let loaded = snapshots.len();
    let adapter: Box<dyn ModuleAdapter> =
        Box::new(PyTorchToBurnAdapter.chain(CastAdapter::new(plan.dtype)));
    let result = module.apply(snapshots, None, Some(adapter), true);
    if let Some(error) = result.errors.first() {
        return Err(WeightsError::Unreadable {
            path: path.to_path_buf(),
            message: describe(error),
        });
    }
    let report = LoadReport {
        path: path.to_path_buf(),
        format,
        loaded,
        newly_initialized: optional.iter().map(|k| burn_to_hf(k)).collect(),
        unexpected,
        cast_from: cast_from.into_iter().collect(),
    };
    Ok((module, report))
}

fn rename_prefix(key: &str, renames: &[(&str, &str)]) -> String {
    renames
        .iter()
        .find_map(|(from, to)| key.strip_prefix(from).map(|rest| format!("{to}{rest}")))
        .unwrap_or_else(|| key.to_string())
}

/// Adds or strips `prefix.` on the file's keys when that makes more of them match the
/// module (a bare `RobertaModel` checkpoint into a classifier, or the reverse).
fn align_prefix(
    file: BTreeMap<String, TensorSnapshot>,
    expected: &BTreeMap<String, Vec<usize>>,
    prefix: &str,
) -> BTreeMap<String, TensorSnapshot> {
    let dotted = format!("{prefix}.");
    let strip = |k: &str| k.strip_prefix(&dotted).unwrap_or(k).to_string();
    let add = |k: &str| {
        if k.starts_with(&dotted) {
            k.to_string()
        } else {
            format!("{dotted}{k}")
        }
    };
    let hits =
        |f: &dyn Fn(&str) -> String| file.keys().filter(|k| expected.contains_key(&f(k))).count();
    let identity = hits(&|k: &str| k.to_string());
    let stripped = hits(&strip);
    let added = hits(&add);
    let transform: Box<dyn Fn(&str) -> String> = if stripped > identity && stripped >= added {
        Box::new(strip)
    } else if added > identity {
        Box::new(add)
    } else {
        return file;
    };
    file.into_iter().map(|(k, s)| (transform(&k), s)).collect()
}

fn check_shapes(
    path: &Path,
    expected: &BTreeMap<String, Vec<usize>>,
    file: &BTreeMap<String, TensorSnapshot>,
) -> Result<(), WeightsError> {
    let mismatches: Vec<(String, Vec<usize>, Vec<usize>)> = file
        .iter()
        .filter_map(|(key, snapshot)| {
            let want = expected.get(key)?;
            let found = snapshot.shape.to_vec();
            (*want != found).then(|| (burn_to_hf(key), want.clone(), found))
        })
        .collect();
    let Some((key, expected, found)) = mismatches.first().cloned() else {
        return Ok(());
    };
    let others = if mismatches.len() > 1 {
        let rest: Vec<String> = mismatches[1..]
            .iter()
            .map(|(k, e, f)| format!("`{k}` {f:?} vs {e:?}"))
            .collect();
        format!("{} more: {}. ", rest.len(), abbreviate(&rest, 4))
    } else {
        String::new()
    };
    Err(WeightsError::ShapeMismatch {
        path: path.to_path_buf(),
        key,
        expected: expected.into(),
        found: found.into(),
        others,
    })
}

fn rekey(snapshot: &TensorSnapshot, key: &str) -> TensorSnapshot {
    TensorSnapshot::from_closure(
        snapshot.clone_data_fn(),
        snapshot.dtype,
        snapshot.shape.clone(),
        key.split('.').map(str::to_string).collect(),
        Vec::new(),
        snapshot.tensor_id.unwrap_or_default(),
    )
}

fn describe(error: &ApplyError) -> String {
    match error {
        ApplyError::ShapeMismatch {
            path,
            expected,
            found,
        } => format!(
            "`{}` has shape {found:?}, the model expects {expected:?}",
            burn_to_hf(path)
        ),
        ApplyError::DTypeMismatch {
            path,
            expected,
            found,
        } => format!(
            "`{}` has dtype {found:?}, expected {expected:?}",
            burn_to_hf(path)
        ),
        ApplyError::AdapterError { path, message } | ApplyError::LoadError { path, message } => {
            format!("`{}`: {message}", burn_to_hf(path))
        }
    }
}
