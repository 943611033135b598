use std::path::Path;

use super::PredictError;
use super::infer::ExampleLogits;
use super::logits::LogitMatrix;
use crate::heads::HeadConfig;

/// Per-example predictions with their probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// Example ids.
    pub example_ids: Vec<String>,
    /// Predicted clarity class per example.
    pub clarity: Vec<usize>,
    /// Predicted evasion class per example (models with an evasion head).
    pub evasion: Option<Vec<usize>>,
    /// Clarity probabilities `[examples, clarity classes]`.
    pub clarity_probs: LogitMatrix,
    /// Evasion probabilities `[examples, evasion classes]`.
    pub evasion_probs: Option<LogitMatrix>,
}

impl Predictions {
    /// Decides from per-example logits:
    /// - evasion: the most probable evasion class;
    /// - clarity: the clarity head's most probable class when there is one (direct,
    ///   multitask), else the clarity class of the predicted evasion class (hierarchical), so
    ///   the two columns never contradict each other. The hierarchical clarity probabilities
    ///   are the evasion probabilities summed through the mapping.
    pub fn from_logits(logits: &ExampleLogits, head: &HeadConfig) -> Self {
        let evasion_probs = logits.evasion.as_ref().map(LogitMatrix::softmax);
        let evasion = logits.evasion.as_ref().map(LogitMatrix::argmax);
        let (clarity, clarity_probs) = match (&logits.clarity, &evasion, &evasion_probs) {
            (Some(c), _, _) => (c.argmax(), c.softmax()),
            (None, Some(ev), Some(p)) => (
                ev.iter().map(|&e| head.evasion_to_clarity[e]).collect(),
                sum_through(p, &head.evasion_to_clarity, head.clarity_classes.len()),
            ),
            _ => (Vec::new(), LogitMatrix::new(head.clarity_classes.len())),
        };
        Self {
            example_ids: logits.example_ids.clone(),
            clarity,
            evasion,
            clarity_probs,
            evasion_probs,
        }
    }

    /// Writes `id,clarity_pred,evasion_pred` (class names; `evasion_pred` empty without an
    /// evasion head).
    pub fn write_csv(&self, head: &HeadConfig, path: &Path) -> Result<(), PredictError> {
        let mut rows = vec![vec![
            "id".to_string(),
            "clarity_pred".to_string(),
            "evasion_pred".to_string(),
        ]];
        for (i, id) in self.example_ids.iter().enumerate() {
            let evasion = self
                .evasion
                .as_ref()
                .map_or(String::new(), |e| head.evasion_classes[e[i]].clone());
            rows.push(vec![
                id.clone(),
                head.clarity_classes[self.clarity[i]].clone(),
                evasion,
            ]);
        }
        write_rows(path, &rows)
    }

    /// Writes `id` and one column per class probability: `clarity:<name>`, then
    /// `evasion:<name>` when there is an evasion head.
    pub fn write_probabilities(&self, head: &HeadConfig, path: &Path) -> Result<(), PredictError> {
        let mut header = vec!["id".to_string()];
        header.extend(head.clarity_classes.iter().map(|c| format!("clarity:{c}")));
        if self.evasion_probs.is_some() {
            header.extend(head.evasion_classes.iter().map(|e| format!("evasion:{e}")));
        }
        let mut rows = vec![header];
        for (i, id) in self.example_ids.iter().enumerate() {
            let mut row = vec![id.clone()];
            row.extend(self.clarity_probs.row(i).iter().map(|p| format!("{p:.6}")));
            if let Some(ev) = &self.evasion_probs {
                row.extend(ev.row(i).iter().map(|p| format!("{p:.6}")));
            }
            rows.push(row);
        }
        write_rows(path, &rows)
    }
}

/// The mean logits of several models over the same examples.
pub fn ensemble(members: &[ExampleLogits]) -> Result<ExampleLogits, PredictError> {
    let mismatch = |reason: String| PredictError::EnsembleMismatch { reason };
    let first = members
        .first()
        .ok_or_else(|| mismatch("no models given".into()))?;
    if let Some(other) = members.iter().find(|m| m.example_ids != first.example_ids) {
        return Err(mismatch(format!(
            "the models were run on different examples ({} vs {})",
            first.example_ids.len(),
            other.example_ids.len()
        )));
    }
    let heads = |m: &ExampleLogits| (m.evasion.is_some(), m.clarity.is_some());
    if members.iter().any(|m| heads(m) != heads(first)) {
        return Err(mismatch("the models have different heads".into()));
    }
    let mean = |pick: fn(&ExampleLogits) -> Option<&LogitMatrix>| {
        let matrices: Option<Vec<&LogitMatrix>> = members.iter().map(pick).collect();
        matrices
            .map(|ms| LogitMatrix::mean(&ms).ok_or_else(|| mismatch("logit shapes differ".into())))
    };
    Ok(ExampleLogits {
        example_ids: first.example_ids.clone(),
        evasion: mean(|m| m.evasion.as_ref()).transpose()?,
        clarity: mean(|m| m.clarity.as_ref()).transpose()?,
    })
}

fn sum_through(probs: &LogitMatrix, mapping: &[usize], classes: usize) -> LogitMatrix {
    let mut out = LogitMatrix::new(classes);
    for r in 0..probs.rows() {
        let mut row = vec![0f32; classes];
        for (e, &p) in probs.row(r).iter().enumerate() {
            row[mapping[e]] += p;
        }
        out.push(&row);
    }
    out
}

fn write_rows(path: &Path, rows: &[Vec<String>]) -> Result<(), PredictError> {
    let error = |source: std::io::Error| PredictError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(error)?;
    }
    let mut writer = csv::Writer::from_path(path).map_err(|e| error(e.into()))?;
    for row in rows {
        writer.write_record(row).map_err(|e| error(e.into()))?;
    }
    writer.flush().map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heads::HeadKind;

    fn head(kind: HeadKind) -> HeadConfig {
        HeadConfig {
            layout: crate::heads::CHECKPOINT_LAYOUT,
            head: kind,
            dropout: 0.1,
            evasion_classes: vec!["E0".into(), "E1".into(), "E2".into()],
            clarity_classes: vec!["C0".into(), "C1".into()],
            evasion_to_clarity: vec![0, 1, 1],
        }
    }

    fn logits(evasion: Option<Vec<f32>>, clarity: Option<Vec<f32>>) -> ExampleLogits {
        ExampleLogits {
            example_ids: vec!["a".into(), "b".into()],
            evasion: evasion.map(|values| LogitMatrix { cols: 3, values }),
            clarity: clarity.map(|values| LogitMatrix { cols: 2, values }),
        }
    }

    #[test]
    fn hierarchical_clarity_follows_the_predicted_evasion_class() {
        // a: evasion logits [ln 4, ln 3, ln 3] -> probs [0.4, 0.3, 0.3]: E0 -> C0, although
        //    the summed clarity probabilities are [0.4, 0.6].
        // b: [0, ln 2, ln 1] -> probs [0.25, 0.5, 0.25]: E1 -> C1; clarity probs [0.25, 0.75].
        let ln = |x: f32| x.ln();
        let l = logits(
            Some(vec![ln(4.0), ln(3.0), ln(3.0), 0.0, ln(2.0), 0.0]),
            None,
        );
        let p = Predictions::from_logits(&l, &head(HeadKind::Hierarchical));
        assert_eq!(p.evasion, Some(vec![0, 1]));
        assert_eq!(p.clarity, vec![0, 1]);
        let c = &p.clarity_probs;
        assert!((c.row(0)[1] - 0.6).abs() < 1e-6 && (c.row(1)[1] - 0.75).abs() < 1e-6);
    }

    #[test]
    fn multitask_clarity_comes_from_its_own_head() {
        let l = logits(
            Some(vec![5.0, 0.0, 0.0, 5.0, 0.0, 0.0]),
            Some(vec![0.0, 1.0, 1.0, 0.0]),
        );
        let p = Predictions::from_logits(&l, &head(HeadKind::Multitask));
        assert_eq!(p.evasion, Some(vec![0, 0]));
        assert_eq!(p.clarity, vec![1, 0]);
    }

    #[test]
    fn writes_the_submission_and_probability_files() {
        let dir = tempfile::tempdir().unwrap();
        let h = head(HeadKind::Direct);
        let p = Predictions::from_logits(&logits(None, Some(vec![0.0, 0.0, 2.0, 0.0])), &h);
        let csv_path = dir.path().join("sub/predictions.csv");
        p.write_csv(&h, &csv_path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&csv_path).unwrap(),
            "id,clarity_pred,evasion_pred\na,C0,\nb,C0,\n"
        );
        let probs_path = dir.path().join("probabilities.csv");
        p.write_probabilities(&h, &probs_path).unwrap();
        assert_eq!(
            std::fs::read_to_string(&probs_path)
                .unwrap()
                .lines()
                .collect::<Vec<_>>(),
            [
                "id,clarity:C0,clarity:C1",
                "a,0.500000,0.500000",
                "b,0.880797,0.119203"
            ]
        );
    }

    #[test]
    fn ensembles_average_logits_and_reject_mismatches() {
        let a = logits(Some(vec![1.0, 0.0, 0.0, 0.0, 0.0, 3.0]), None);
        let b = logits(Some(vec![-3.0, 0.0, 0.0, 0.0, 1.0, 1.0]), None);
        let m = ensemble(&[a.clone(), b]).unwrap();
        assert_eq!(
            m.evasion.unwrap().values,
            vec![-1.0, 0.0, 0.0, 0.0, 0.5, 2.0]
        );
        let direct = logits(None, Some(vec![0.0; 4]));
        assert!(ensemble(&[a.clone(), direct]).is_err());
        let mut other = a.clone();
        other.example_ids[1] = "z".into();
        assert!(ensemble(&[a, other]).is_err());
        assert!(ensemble(&[]).is_err());
    }
}
