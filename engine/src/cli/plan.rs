use std::fmt::Write;

use crate::Pipeline;
use crate::run::Plan;

/// `clarity plan`: the selected stages in order, each with kind, cache status, short
/// fingerprint (`-` while pending) and inputs; why it runs (or may); then its placement and
/// the policies that fired, when there is something to say (a device-bound stage, or a
/// fired policy).
pub fn render_plan(pipeline: &Pipeline, plan: &Plan) -> String {
    render_assigned(pipeline, plan, &[])
}

/// [`render_plan`] with the device each device-bound stage gets from `--devices`
/// (`assigned[i]`, as [`crate::run::DevicePool::assign`] simulates it).
pub fn render_assigned(pipeline: &Pipeline, plan: &Plan, assigned: &[Option<String>]) -> String {
    let mut out = format!(
        "pipeline \"{}\": {} of {} stages\n",
        pipeline.name,
        plan.order.len(),
        pipeline.stages.len()
    );
    let name_w = plan
        .order
        .iter()
        .map(|&i| pipeline.stages[i].name.len())
        .max()
        .unwrap_or(0);
    let kind_w = plan
        .order
        .iter()
        .map(|&i| pipeline.stages[i].kind.len())
        .max()
        .unwrap_or(0);
    for &i in &plan.order {
        let stage = &pipeline.stages[i];
        let Some(p) = &plan.stages[i] else { continue };
        let inputs: Vec<&str> = pipeline
            .inputs_of(i)
            .map(|b| b.reference.as_str())
            .collect();
        let from = if inputs.is_empty() {
            String::new()
        } else {
            format!("  <- {}", inputs.join(", "))
        };
        let short = p
            .fingerprint
            .as_deref()
            .map_or("-", |f| &f[..f.len().min(12)]);
        let line = format!(
            "  {:name_w$}  {:kind_w$}  {:7}  {short:12}{from}",
            stage.name,
            stage.kind,
            p.status.name()
        );
        let _ = writeln!(out, "{}", line.trim_end());
        if !p.reasons.is_empty() {
            let _ = writeln!(out, "      why: {}", p.reasons.join("; "));
        }
        let placement = &stage.placement;
        if stage.stage.schema().uses_device || !placement.fired.is_empty() {
            let device = assigned
                .get(i)
                .and_then(Option::as_deref)
                .unwrap_or(&placement.device);
            let _ = writeln!(
                out,
                "      device {device} | precision {} | attention {}",
                placement.precision, placement.attention
            );
        }
        for fired in &placement.fired {
            let _ = writeln!(
                out,
                "      policy {}: {} (because {})",
                fired.policy, fired.action, fired.reason
            );
            if let Some(warning) = &fired.warning {
                let _ = writeln!(out, "        warning: {warning}");
            }
        }
    }
    out
}
