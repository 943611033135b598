//! The stratified split against scikit-learn's `train_test_split(stratify=..., random_state=...)`
//! (fixture made by tests/fixtures/split/make_sklearn_split.py).

use std::collections::BTreeMap;

use clarity_data::split::{split_sizes, stratified_split};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    labels: Vec<String>,
    test_size: f64,
    seed: u32,
    train: Vec<usize>,
    test: Vec<usize>,
}

fn cases() -> Vec<Case> {
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    )
    .join("tests/fixtures/split/sklearn_split.json");
    let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    fixture.cases
}

#[test]
fn rows_and_order_equal_sklearn() {
    let cases = cases();
    assert_eq!(cases.len(), 4);
    for case in cases {
        let split = stratified_split(&case.labels, case.test_size, case.seed).unwrap();
        assert_eq!(split.train, case.train, "{}: train", case.name);
        assert_eq!(split.test, case.test, "{}: test", case.name);
    }
}

#[test]
fn qevasion_sized_split_is_2930_518_and_stratified() {
    let case = cases()
        .into_iter()
        .find(|c| c.name == "qevasion_like_0.15_seed42")
        .unwrap();
    assert_eq!(case.labels.len(), 3448);
    assert_eq!(split_sizes(3448, 0.15).unwrap(), (2930, 518));
    let split = stratified_split(&case.labels, 0.15, 42).unwrap();
    assert_eq!((split.train.len(), split.test.len()), (2930, 518));
    let mut all: Vec<usize> = split.train.iter().chain(&split.test).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..3448).collect::<Vec<_>>());
    let mut per_class: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for &r in &split.train {
        per_class.entry(&case.labels[r]).or_default().0 += 1;
    }
    for &r in &split.test {
        per_class.entry(&case.labels[r]).or_default().1 += 1;
    }
    for (class, (train, test)) in per_class {
        let expected = (train + test) as f64 * 0.15;
        assert!(
            (test as f64 - expected).abs() <= 1.0,
            "{class}: {test} validation rows of {}",
            train + test
        );
    }
}

#[test]
fn refuses_impossible_splits() {
    let one_of_a_kind = ["a", "a", "a", "b"];
    let err = stratified_split(&one_of_a_kind, 0.5, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "class \"b\" has only 1 row; stratification needs at least 2 per class"
    );
    let labels = ["a", "a", "b", "b", "c", "c"];
    let err = stratified_split(&labels, 0.2, 0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the validation side would have 2 rows but there are 3 classes"
    );
}
