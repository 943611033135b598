//! Evaluation: the policies in order over one stage's facts -> its device, precision,
//! attention path, environment and the policies that fired, or why it cannot be placed.

mod decision;
mod error;
mod evaluate;
mod state;

pub use decision::Decision;
pub use error::{CannotApply, DeviceLoop, PlaceError, PolicyErrors, Refused};
pub use evaluate::{Start, evaluate};
