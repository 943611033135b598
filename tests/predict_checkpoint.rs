//! `clarity predict --checkpoint` predicts what the predict stage predicts, on a CSV and on an
//! export; bad inputs and old-layout checkpoints are diagnostics; a pipeline takes an exported
//! directory through `fetch-model path=`.

mod common;

use common::clarity;
use common::trained::{assert_exit, assert_ok, cached, export, json, trained};

#[test]
fn predict_checkpoint_on_a_csv_writes_the_predict_stage_s_csv() {
    let dir = trained("direct");
    let stage_csv =
        std::fs::read_to_string(cached(dir.path(), "predictions", "predictions.csv")).unwrap();
    // The test split as a CSV file, as a user would have it.
    let table =
        clarity_data::table::Table::read(&cached(dir.path(), "test", "data.parquet")).unwrap();
    table.write(&dir.path().join("test.csv")).unwrap();
    table.write(&dir.path().join("test.jsonl")).unwrap();
    let best = cached(dir.path(), "best", "head.json");
    let best = best.parent().unwrap().to_str().unwrap();
    let exported = export(dir.path());
    let runs = [
        (best, "test.csv"),
        (exported.to_str().unwrap(), "test.csv"),
        ("exported", "test.jsonl"),
    ];
    for (checkpoint, data) in runs {
        let out = clarity(
            dir.path(),
            &[
                "predict",
                "--checkpoint",
                checkpoint,
                "--data",
                data,
                "--out",
                "out/preds.csv",
                "--device",
                "cpu",
            ],
        );
        assert_ok(&out);
        let ours = std::fs::read_to_string(dir.path().join("out/preds.csv")).unwrap();
        assert!(ours.starts_with("id,clarity_pred,evasion_pred\n"), "{ours}");
        assert_eq!(ours, stage_csv, "from {checkpoint} on {data}");
    }

    let predict = |checkpoint: &str, data: &str| {
        clarity(
            dir.path(),
            &[
                "predict",
                "--checkpoint",
                checkpoint,
                "--data",
                data,
                "--out",
                "x.csv",
            ],
        )
    };
    std::fs::write(dir.path().join("bad.csv"), "index,answer\n1,yes\n").unwrap();
    assert_exit(
        &predict("exported", "bad.csv"),
        1,
        &["clarity::data::missing_column", "`question`"],
    );
    assert_exit(&predict("exported", "nowhere.csv"), 1, &["nowhere.csv"]);
    assert_exit(
        &predict(".clarity", "test.csv"),
        1,
        &["clarity::checkpoint::not_a_checkpoint", "head.json"],
    );
}

#[test]
fn an_old_layout_checkpoint_is_a_diagnostic_not_a_shape_error() {
    let dir = trained("hierarchical");
    let exported = export(dir.path());
    let old = dir.path().join("old");
    std::fs::create_dir(&old).unwrap();
    for entry in std::fs::read_dir(&exported).unwrap().flatten() {
        std::fs::copy(entry.path(), old.join(entry.file_name())).unwrap();
    }
    // Layout 1: no `layout` in head.json, the heads in heads.safetensors.
    let mut head = json(&old.join("head.json"));
    head.as_object_mut().unwrap().remove("layout");
    std::fs::write(old.join("head.json"), head.to_string()).unwrap();
    std::fs::write(old.join("heads.safetensors"), b"").unwrap();
    let table =
        clarity_data::table::Table::read(&cached(dir.path(), "test", "data.parquet")).unwrap();
    table.write(&dir.path().join("test.jsonl")).unwrap();
    let wanted = [
        "clarity::checkpoint::old_layout",
        "head.json",
        "layout 1",
        "re-train",
    ];
    let predict = clarity(
        dir.path(),
        &[
            "predict",
            "--checkpoint",
            "old",
            "--data",
            "test.jsonl",
            "--out",
            "x.csv",
        ],
    );
    assert_exit(&predict, 1, &wanted);
    assert_exit(
        &clarity(dir.path(), &["export", "old", "--out", "again"]),
        1,
        &wanted,
    );

    // Exporting again replaces what an earlier export left; never onto the checkpoint itself.
    std::fs::write(exported.join("spm.model"), b"another model's").unwrap();
    assert_eq!(export(dir.path()), exported);
    assert!(!exported.join("spm.model").exists());
    assert_exit(
        &clarity(dir.path(), &["export", "exported", "--out", "exported"]),
        1,
        &["clarity::export::onto_itself"],
    );
}

#[test]
fn a_pipeline_predicts_with_an_exported_directory_through_fetch_model() {
    let dir = trained("hierarchical");
    export(dir.path());
    let stage_csv =
        std::fs::read_to_string(cached(dir.path(), "predictions", "predictions.csv")).unwrap();
    // The Experiments chapter's example, run as written.
    let chapter = std::fs::read_to_string(common::root().join("book/src/experiments.md")).unwrap();
    let reuse = chapter
        .split("```kdl,after-export\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("book/src/experiments.md has a ```kdl,after-export block");
    std::fs::write(dir.path().join("reuse.kdl"), reuse).unwrap();
    let out = clarity(dir.path(), &["run", "reuse.kdl"]);
    assert_ok(&out);
    let again = std::fs::read_to_string(dir.path().join("again.csv")).unwrap();
    assert_eq!(again, stage_csv);
}
