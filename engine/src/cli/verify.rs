use std::fmt::Write;

use crate::Registry;
use crate::cache::Verify;
use crate::diag::Style;

use super::{EXIT_OK, EXIT_RUNTIME, EmbeddedPipeline, PlanArgs};

/// `clarity verify`: hashes every file of the selected stages' cache entries and compares
/// them with what each entry recorded when it was written. Exit 0 when all match (entries
/// not in the cache are listed, not failed), 2 when one does not.
pub fn verify(
    args: &PlanArgs,
    registry: &Registry,
    default: &EmbeddedPipeline,
    style: Style,
) -> u8 {
    let (loaded, cache, plan) = match super::load_plan(args, registry, default, style) {
        Ok(planned) => planned,
        Err(code) => return code,
    };
    let pipeline = &loaded.pipeline;
    let (mut ok, mut bad, mut missing) = (0, 0, 0);
    let mut out = String::new();
    let width = plan
        .order
        .iter()
        .map(|&i| pipeline.stages[i].name.len())
        .max()
        .unwrap_or(0);
    for &i in &plan.order {
        let Some(p) = &plan.stages[i] else { continue };
        let stage = &pipeline.stages[i];
        let outputs = stage.outputs.iter().map(|o| o.name.as_str());
        let Some(fingerprint) = &p.fingerprint else {
            missing += 1;
            let _ = writeln!(
                out,
                "  {:width$}  not cached  (an upstream stage is not)",
                stage.name
            );
            continue;
        };
        let short = &fingerprint[..fingerprint.len().min(12)];
        let line = match cache.verify(fingerprint, outputs, Verify::Full) {
            None => {
                missing += 1;
                format!("not cached  {short}")
            }
            Some(Ok(meta)) => {
                ok += 1;
                let files: usize = meta.outputs.values().map(|o| o.files.len()).sum();
                format!("ok          {short}  ({files} files)")
            }
            Some(Err(why)) => {
                bad += 1;
                format!(
                    "MISMATCH    {short}  {why}\n  {:width$}              {}",
                    "",
                    cache.entry_dir(fingerprint).display()
                )
            }
        };
        let _ = writeln!(out, "  {:width$}  {line}", stage.name);
    }
    print!("{out}");
    println!("{ok} verified, {bad} do not match, {missing} not cached");
    if bad > 0 {
        eprintln!(
            "error: {bad} cache entr{} do not match their recorded hashes; `clarity run` recomputes them",
            if bad == 1 { "y" } else { "ies" }
        );
        EXIT_RUNTIME
    } else {
        EXIT_OK
    }
}
