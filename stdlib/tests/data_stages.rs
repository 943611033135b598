//! The data stages (fetch-model, fetch-dataset, split, tokenize, synthetic-dataset) run through
//! the Stage API with real files: local sources, a prepared HuggingFace cache (offline), and
//! the synthetic data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use clarity_data::hub::HubEnv;
use clarity_data::synthetic::{SyntheticConfig, generate};
use clarity_data::table::{Table, read_table_artifact};
use clarity_data::tokenize::TokenizedDataset;
use clarity_engine::{
    ContextParts, InputArtifact, NullReporter, Params, Placement, Stage, StageContext, Value,
};
use clarity_stdlib::stages::{FetchDataset, FetchModel, Split, SyntheticDataset, Tokenize};

struct Ran {
    _dir: tempfile::TempDir,
    outputs: BTreeMap<String, PathBuf>,
    metrics: BTreeMap<String, f64>,
}

fn run(
    stage: &dyn Stage,
    params: Params,
    inputs: Vec<(&str, &str, &Path)>,
    offline: bool,
) -> miette::Result<Ran> {
    let dir = tempfile::tempdir().unwrap();
    let outputs: BTreeMap<String, PathBuf> = stage
        .outputs(&params)
        .into_iter()
        .map(|o| {
            let path = dir.path().join("out").join(&o.name);
            std::fs::create_dir_all(&path).unwrap();
            (o.name, path)
        })
        .collect();
    let mut bound: BTreeMap<String, Vec<InputArtifact>> = BTreeMap::new();
    for (param, reference, path) in inputs {
        bound
            .entry(param.to_string())
            .or_default()
            .push(InputArtifact {
                reference: reference.into(),
                dir: path.to_path_buf(),
            });
    }
    let scratch = dir.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let placement = Placement::on("cpu");
    let cancel = AtomicBool::new(false);
    let parts = ContextParts {
        stage_name: "under-test",
        fingerprint: "under-test",
        params: &params,
        inputs: bound,
        outputs: outputs.clone(),
        scratch_dir: scratch,
        logs_dir: dir.path().join("logs"),
        placement: &placement,
        offline,
        project_dir: dir.path(),
        cancel: &cancel,
        reporter: &NullReporter,
    };
    let mut ctx = StageContext::new(parts);
    stage.run(&mut ctx)?;
    let metrics = ctx.metrics().clone();
    Ok(Ran {
        _dir: dir,
        outputs,
        metrics,
    })
}

fn params(items: &[(&str, Value)]) -> Params {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::from(*s)).collect())
}

fn tokenizer_fixture() -> PathBuf {
    std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("data/tests/fixtures/deberta_spm")
}

#[test]
fn synthetic_split_tokenize_chain() {
    let synthetic = run(
        &SyntheticDataset,
        params(&[
            ("train-rows", Value::Int(400)),
            ("test-rows", Value::Int(50)),
            ("seed", Value::Int(42)),
        ]),
        vec![],
        true,
    )
    .unwrap();
    let train_dir = &synthetic.outputs["train"];
    assert_eq!(read_table_artifact(train_dir).unwrap().num_rows(), 400);
    assert!(train_dir.join("data.csv").is_file());

    let split_params = params(&[
        ("from", Value::from("data.train")),
        ("by", Value::from("evasion_label")),
        ("validation", Value::Float(0.15)),
        ("seed", Value::Int(42)),
    ]);
    let split = run(
        &Split,
        split_params,
        vec![("from", "data.train", train_dir)],
        true,
    )
    .unwrap();
    let train = read_table_artifact(&split.outputs["train"]).unwrap();
    let validation = read_table_artifact(&split.outputs["validation"]).unwrap();
    assert_eq!((train.num_rows(), validation.num_rows()), (340, 60));
    assert_eq!(split.metrics["validation_rows"], 60.0);

    let tokenize_params = params(&[
        (
            "tokenizer-path",
            Value::from(tokenizer_fixture().display().to_string()),
        ),
        (
            "inputs",
            strings(&["split.train", "split.validation", "data.test"]),
        ),
        ("max-length", Value::Int(128)),
        (
            "template",
            Value::from("Question: {interview_question}\nAnswer: {interview_answer}"),
        ),
        ("truncation", Value::from("longest_first")),
    ]);
    let inputs = vec![
        ("inputs", "split.train", split.outputs["train"].as_path()),
        (
            "inputs",
            "split.validation",
            split.outputs["validation"].as_path(),
        ),
        ("inputs", "data.test", synthetic.outputs["test"].as_path()),
    ];
    let tokens = run(&Tokenize, tokenize_params, inputs, true).unwrap();
    assert_eq!(
        tokens.outputs.keys().collect::<Vec<_>>(),
        ["test", "train", "validation"]
    );
    let validation_tokens = TokenizedDataset::open(&tokens.outputs["validation"]).unwrap();
    assert_eq!(validation_tokens.len(), 60);
    assert!(
        validation_tokens
            .iter()
            .all(|r| r.ids.len() <= 128 && r.labels.evasion.is_some())
    );
    let validation_ids: Vec<String> = validation
        .column("index")
        .unwrap()
        .cells
        .iter()
        .map(|c| c.as_text().unwrap().into_owned())
        .collect();
    assert_eq!(validation_tokens.meta().example_ids, validation_ids);
    assert_eq!(tokens.metrics["test.examples"], 50.0);
}

#[test]
fn split_by_a_missing_column_is_a_diagnostic() {
    let data = generate(&SyntheticConfig {
        train_rows: 40,
        test_rows: 1,
        seed: 1,
    });
    let dir = tempfile::tempdir().unwrap();
    clarity_data::table::write_table_artifact(
        &data.train.with_source("qevasion train.parquet"),
        dir.path(),
    )
    .unwrap();
    let p = params(&[
        ("from", Value::from("d.train")),
        ("by", Value::from("label")),
        ("validation", Value::Float(0.2)),
        ("seed", Value::Int(1)),
    ]);
    let err = run(&Split, p, vec![("from", "d.train", dir.path())], true)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "qevasion train.parquet: missing column `label`"
    );
}

#[test]
fn tokenize_needs_one_tokenizer_source() {
    let dir = tempfile::tempdir().unwrap();
    let p = params(&[
        ("inputs", strings(&["d.train"])),
        ("max-length", Value::Int(64)),
        ("template", Value::from("{q}")),
        ("truncation", Value::from("longest_first")),
    ]);
    let err = run(&Tokenize, p, vec![("inputs", "d.train", dir.path())], true)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "tokenize needs exactly one of `tokenizer` and `tokenizer-path`"
    );
}

fn write(path: &Path, content: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

#[test]
fn fetch_model_from_a_local_directory_links_its_files() {
    let src = tempfile::tempdir().unwrap();
    for (name, content) in [
        ("config.json", &b"{}"[..]),
        ("pytorch_model.bin", b"weights"),
        ("spm.model", b"spm"),
        ("notes.md", b"x"),
    ] {
        write(&src.path().join(name), content);
    }
    let p = params(&[
        ("path", Value::from(src.path().display().to_string())),
        ("revision", Value::from("main")),
    ]);
    let ran = run(&FetchModel::default(), p, vec![], true).unwrap();
    let out = &ran.outputs["model"];
    assert_eq!(
        std::fs::read(out.join("pytorch_model.bin")).unwrap(),
        b"weights"
    );
    assert!(!out.join("notes.md").exists());
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fetch.json")).unwrap()).unwrap();
    assert_eq!(record["files"].as_array().unwrap().len(), 3);
}

const COMMIT: &str = "abcdefabcdefabcdefabcdefabcdefabcdefabcd";

/// A HuggingFace cache (as huggingface_hub lays it out) holding one repo at `main`.
fn cached_repo(cache: &Path, folder: &str, files: &[(&str, &[u8])]) {
    let repo = cache.join(folder);
    write(&repo.join("refs/main"), COMMIT.as_bytes());
    for (i, (name, content)) in files.iter().enumerate() {
        let blob = repo.join("blobs").join(format!("blob{i}"));
        write(&blob, content);
        let link = repo.join("snapshots").join(COMMIT).join(name);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(&blob, &link).unwrap();
    }
}

fn offline_env(cache: &Path) -> HubEnv {
    HubEnv {
        hf_hub_cache: Some(cache.to_path_buf()),
        endpoint: Some("http://127.0.0.1:9".into()),
        ..HubEnv::default()
    }
}

#[test]
fn fetch_model_offline_uses_the_huggingface_cache_and_names_misses() {
    let cache = tempfile::tempdir().unwrap();
    cached_repo(
        cache.path(),
        "models--microsoft--deberta-v3-base",
        &[
            ("config.json", b"{}"),
            ("pytorch_model.bin", b"w"),
            ("spm.model", b"s"),
            ("tokenizer_config.json", b"{}"),
        ],
    );
    let stage = FetchModel::with_env(offline_env(cache.path()));
    let p = params(&[
        ("repo", Value::from("microsoft/deberta-v3-base")),
        ("revision", Value::from("main")),
    ]);
    let ran = run(&stage, p, vec![], true).unwrap();
    let out = &ran.outputs["model"];
    assert_eq!(std::fs::read(out.join("spm.model")).unwrap(), b"s");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fetch.json")).unwrap()).unwrap();
    assert_eq!(record["commit"], COMMIT);

    let p = params(&[
        ("repo", Value::from("FacebookAI/roberta-base")),
        ("revision", Value::from("main")),
    ]);
    let err = run(&stage, p, vec![], true).err().unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "FacebookAI/roberta-base@main is not in the HuggingFace cache at {} (offline mode)",
            cache.path().display()
        )
    );
}

#[test]
fn fetch_dataset_offline_makes_one_table_per_split() {
    let data = generate(&SyntheticConfig {
        train_rows: 60,
        test_rows: 20,
        seed: 4,
    });
    let tmp = tempfile::tempdir().unwrap();
    data.train.write(&tmp.path().join("train.parquet")).unwrap();
    data.test.write(&tmp.path().join("test.parquet")).unwrap();
    let train = std::fs::read(tmp.path().join("train.parquet")).unwrap();
    let test = std::fs::read(tmp.path().join("test.parquet")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    cached_repo(
        cache.path(),
        "datasets--ailsntua--QEvasion",
        &[
            ("README.md", b"card"),
            ("data/train-00000-of-00001.parquet", &train),
            ("data/test-00000-of-00001.parquet", &test),
        ],
    );
    let stage = FetchDataset::with_env(offline_env(cache.path()));
    let p = params(&[
        ("repo", Value::from("ailsntua/QEvasion")),
        ("revision", Value::from("main")),
        ("splits", strings(&["train", "test"])),
    ]);
    let ran = run(&stage, p, vec![], true).unwrap();
    let train_table: Table = read_table_artifact(&ran.outputs["train"]).unwrap();
    assert_eq!(train_table.num_rows(), 60);
    assert_eq!(
        train_table.column("interview_answer"),
        data.train.column("interview_answer")
    );
    assert!(
        train_table.source().starts_with(
            "datasets/ailsntua/QEvasion@abcdefabcd: data/train-00000-of-00001.parquet"
        )
    );
    assert_eq!(
        read_table_artifact(&ran.outputs["test"])
            .unwrap()
            .num_rows(),
        20
    );

    let p = params(&[
        ("repo", Value::from("ailsntua/QEvasion")),
        ("revision", Value::from("main")),
        ("splits", strings(&["train", "validation"])),
    ]);
    let err = run(&stage, p, vec![], true).err().unwrap();
    assert_eq!(
        err.to_string(),
        "no file of datasets/ailsntua/QEvasion@abcdefabcd belongs to split \"validation\""
    );
}

#[test]
fn fetch_dataset_reads_local_csv_files() {
    let data = generate(&SyntheticConfig {
        train_rows: 30,
        test_rows: 10,
        seed: 2,
    });
    let src = tempfile::tempdir().unwrap();
    data.write(src.path()).unwrap();
    let p = params(&[
        ("path", Value::from(src.path().display().to_string())),
        ("files", strings(&["*.csv"])),
        ("revision", Value::from("main")),
        ("splits", strings(&["train", "test"])),
    ]);
    let ran = run(&FetchDataset::default(), p, vec![], true).unwrap();
    let test = read_table_artifact(&ran.outputs["test"]).unwrap();
    assert_eq!(test.num_rows(), 10);
    assert_eq!(test.column("question"), data.test.column("question"));
}
