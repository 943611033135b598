//! Scoring a predictions CSV against a reference table with annotator columns.

mod common;

use clarity_data::table::Table;
use clarity_train::evaluate::{
    EvaluateError, evaluate_predictions, read_predictions, write_evaluation,
};
use common::column;

fn table() -> Table {
    Table::new(
        "test.parquet",
        vec![
            column("index", &["a", "b", "c"]),
            column(
                "clarity_label",
                &["Clear Reply", "Ambivalent", "Clear Non-Reply"],
            ),
            column("evasion_label", &["", "", ""]),
            column("annotator1", &["Explicit", "Dodging", "Claims ignorance"]),
            column(
                "annotator2",
                &["Explicit", "Implicit", "Declining to answer"],
            ),
            column("annotator3", &["Implicit", "General", ""]),
        ],
    )
}

fn predictions(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("predictions.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn scores_by_id_with_annotator_votes() {
    let dir = tempfile::tempdir().unwrap();
    // Rows out of order on purpose.
    let path = predictions(
        dir.path(),
        "id,clarity_pred,evasion_pred\n\
         c,Clear Non-Reply,Clarification\n\
         a,Clear Reply,Explicit\n\
         b,Ambivalent Reply,General\n",
    );
    let rows = read_predictions(&path).unwrap();
    let eval = evaluate_predictions(&rows, &table()).unwrap();
    let s = eval.summary();
    // Task 1: all three right -> macro-F1 1.
    assert_eq!(s["clarity-macro-f1"], 1.0);
    // No single evasion labels (blank column): no strict report.
    assert!(eval.evasion.is_none());
    // Multi-annotator: a {Explicit, Implicit} <- Explicit: TP; b {Dodging, Implicit, General}
    // <- General: TP; c {Claims ignorance, Declining} <- Clarification: FP[Clarification],
    // FN[Claims ignorance], FN[Declining].
    // F1: Explicit 1, General 1, the other 7 classes 0 -> 2/9.
    assert!((s["evasion-multi-macro-f1"] - 2.0 / 9.0).abs() < 1e-12);
    // Majority: a -> Explicit (2 votes); b -> Dodging (three-way tie, first annotator);
    // c -> Claims ignorance (tie, first). Predictions Explicit, General, Clarification:
    // one right; F1 Explicit 1, the rest 0 -> 1/9.
    assert!((s["evasion-majority-macro-f1"] - 1.0 / 9.0).abs() < 1e-12);
    write_evaluation(&eval, dir.path()).unwrap();
    for file in [
        "metrics.json",
        "report.txt",
        "confusion_clarity.svg",
        "confusion_evasion_majority.svg",
    ] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
    assert!(!dir.path().join("confusion_evasion.svg").exists());
}

#[test]
fn mismatched_ids_and_bad_labels_are_diagnosed() {
    let dir = tempfile::tempdir().unwrap();
    let path = predictions(
        dir.path(),
        "id,clarity_pred,evasion_pred\na,Clear Reply,\nb,Clear Reply,\n",
    );
    let rows = read_predictions(&path).unwrap();
    assert!(rows.evasion.is_none());
    let err = evaluate_predictions(&rows, &table()).unwrap_err();
    assert!(
        matches!(err, EvaluateError::IdsDiffer { count: 1, ref example, .. } if example == "c"),
        "{err:?}"
    );
    let path = predictions(
        dir.path(),
        "id,clarity_pred,evasion_pred\na,Clear Reply,Evasive\n",
    );
    let err = read_predictions(&path).unwrap_err();
    assert!(
        matches!(
            err,
            EvaluateError::UnknownLabel {
                row: 1,
                kind: "evasion",
                ..
            }
        ),
        "{err:?}"
    );
    let path = predictions(dir.path(), "id,label\na,Clear Reply\n");
    assert!(matches!(
        read_predictions(&path),
        Err(EvaluateError::BadPredictions { .. })
    ));
}

#[test]
fn duplicate_ids_are_refused_not_scored_last_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let path = predictions(
        dir.path(),
        "id,clarity_pred,evasion_pred\n\
         a,Clear Reply,Explicit\n\
         b,Ambivalent Reply,General\n\
         c,Clear Non-Reply,Clarification\n\
         b,Clear Reply,Explicit\n",
    );
    let rows = read_predictions(&path).unwrap();
    let err = evaluate_predictions(&rows, &table()).unwrap_err();
    assert!(
        matches!(&err, EvaluateError::DuplicateId { what: "predictions", id, count: 2, rows } if id == "b" && rows == "2, 4"),
        "{err:?}"
    );

    let unique = predictions(
        dir.path(),
        "id,clarity_pred,evasion_pred\na,Clear Reply,\nb,Clear Reply,\nc,Clear Reply,\n",
    );
    let references = Table::new(
        "test.parquet",
        vec![
            column("index", &["a", "b", "a"]),
            column(
                "clarity_label",
                &["Clear Reply", "Ambivalent", "Clear Reply"],
            ),
        ],
    );
    let err = evaluate_predictions(&read_predictions(&unique).unwrap(), &references).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the references hold id `a` 2 times (rows 1, 3)"
    );
}
