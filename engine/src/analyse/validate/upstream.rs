//! The stage kinds' checks of their params against the stages their inputs are bound to
//! ([`Stage::check_upstream`](crate::Stage::check_upstream)).

use crate::analyse::Binding;
use crate::diag::Diagnostics;
use crate::stage::UpstreamGraph;

use super::stage_checks::stage_problem;
use super::{Checked, Checker};

impl Checker<'_> {
    /// Asks each stage's kind about its params given what its inputs are bound to, and
    /// reports every problem at its value. `bindings` must have no cycle.
    pub fn check_upstream(
        &self,
        checked: &[Checked],
        bindings: &[Binding],
        diags: &mut Diagnostics,
    ) {
        let graph = UpstreamGraph::new(checked, bindings, self.project_dir);
        for (i, stage) in checked.iter().enumerate() {
            for problem in stage.stage.check_upstream(&stage.params, &graph.at(i)) {
                stage_problem(&stage.name, &stage.spans, problem, diags);
            }
        }
    }
}
