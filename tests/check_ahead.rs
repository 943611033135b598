//! What can be known before running is checked by `clarity check` (exit 1, at the value),
//! not found out by a failing stage after the upstream work.

mod common;

use common::{clarity, stderr};

#[test]
fn an_early_stopping_metric_the_head_cannot_produce_is_a_check_error() {
    let dir = tempfile::tempdir().unwrap();
    // The demo monitors evasion-macro-f1; the direct head predicts clarity labels only.
    let out = clarity(dir.path(), &["check", "--set", "train.head=direct"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("clarity::param::invalid"), "{err}");
    assert!(
        err.contains("the direct head predicts no evasion labels"),
        "{err}"
    );
    assert!(
        err.contains("early-stopping metric=\"evasion-macro-f1\""),
        "{err}"
    );
    assert!(err.contains("help: monitor clarity-macro-f1"), "{err}");
    // Monitoring what the head does produce passes.
    let sets = [
        "--set",
        "train.head=direct",
        "--set",
        "train.early-stopping.metric=clarity-macro-f1",
    ];
    let out = clarity(dir.path(), &[&["check"], &sets[..]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
