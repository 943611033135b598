//! `scripts/gpu-check --dry-run` with this build's binary: one markdown table, a row per
//! check, the CPU's forward parity rows passing (vulkan rows depend on the build and host).

mod common;

use std::process::Command;

use common::root;

#[test]
fn the_dry_run_prints_one_table_with_a_row_per_check() {
    let logs = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(root().join("scripts/gpu-check"))
        .args(["--dry-run", "--only", "devices,forward", "--out"])
        .arg(logs.path())
        .env("CLARITY_BIN", env!("CARGO_BIN_EXE_clarity"))
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs the script");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    assert!(rows.len() >= 2, "{stdout}\n{stderr}");
    assert_eq!(rows[0][..5], ["#", "check", "device", "prec", "status"]);
    let body = &rows[2..];
    // devices, both fixtures on cpu, tiny_roberta on vulkan.
    assert_eq!(body.len(), 4, "{stdout}");
    assert!(body.iter().all(|r| r.len() == 10), "{stdout}");
    assert_eq!(body[0][1], "clarity devices");
    assert_eq!(body[0][4], "pass", "{stdout}");
    let cpu: Vec<_> = body.iter().filter(|r| r[2] == "cpu").collect();
    assert_eq!(cpu.len(), 2, "{stdout}");
    for row in cpu {
        assert_eq!(row[4], "pass", "{stdout}\n{stderr}");
        assert!(row[5].starts_with("logits Δ "), "{stdout}");
    }
    assert!(logs.path().join("table.md").is_file());
    let vulkan_ok = body
        .iter()
        .filter(|r| r[2] == "vulkan")
        .all(|r| r[4] == "pass" || r[4] == "not built");
    assert_eq!(
        out.status.code(),
        Some(if vulkan_ok { 0 } else { 1 }),
        "{stdout}"
    );
}
