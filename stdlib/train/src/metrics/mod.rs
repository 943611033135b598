//! Classification metrics over class indices: per-class precision/recall/F1, macro-F1,
//! accuracy, confusion matrices, the CLARITY multi-annotator scoring and majority votes.

mod class_counts;
mod confusion;
mod error;
mod majority;
mod multi_annotator;
mod report;

pub use class_counts::{ClassCounts, ClassScores, macro_f1};
pub use confusion::ConfusionMatrix;
pub use error::MetricsError;
pub(crate) use error::check_lengths;
pub use majority::majority_vote;
pub use multi_annotator::MultiAnnotatorCounts;
pub use report::{ClassificationReport, MultiAnnotatorReport, NamedClassScores};
