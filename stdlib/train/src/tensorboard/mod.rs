//! TensorBoard event files, written and read without TensorFlow: TFRecord framing around
//! hand-encoded `Event` protobufs holding scalar summaries — what `tensorboard --logdir`
//! plots.

mod proto;
mod record;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use proto::{Event, Payload};

/// The version line every event file starts with.
const FILE_VERSION: &str = "brain.Event:2";

/// Why an event file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EventFileError {
    /// It could not be read.
    #[error("cannot read `{path}`")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// It is not a well-formed event file.
    #[error("`{path}` is not a TensorBoard event file: {reason}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// One scalar of an event file.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// Its name, e.g. `train/loss`.
    pub tag: String,
    /// The step it belongs to.
    pub step: i64,
    /// Its value (event files hold `float`s).
    pub value: f32,
    /// When it was written, seconds since the Unix epoch.
    pub wall_time: f64,
}

/// Appends scalar events to a new event file; each event goes to the file as one write, so a
/// reader (TensorBoard) sees whole records while the run goes on.
#[derive(Debug)]
pub struct EventWriter {
    path: PathBuf,
    file: std::fs::File,
}

impl EventWriter {
    /// Creates `dir/events.out.tfevents.<unix seconds>.clarity.<pid>` and writes its version
    /// event.
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        let now = now();
        let name = format!(
            "events.out.tfevents.{}.clarity.{}",
            now as u64,
            std::process::id()
        );
        let path = dir.join(name);
        let file = std::fs::File::create(&path)?;
        let mut writer = Self { path, file };
        writer.write(Event {
            wall_time: now,
            step: 0,
            payload: Payload::FileVersion(FILE_VERSION.into()),
        })?;
        Ok(writer)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One event holding `scalars` at `step`, stamped with the current time.
    pub fn scalars(&mut self, step: u64, scalars: &[(&str, f64)]) -> std::io::Result<()> {
        let values = scalars
            .iter()
            .map(|(tag, value)| ((*tag).to_owned(), *value as f32))
            .collect();
        self.write(Event {
            wall_time: now(),
            step: i64::try_from(step).unwrap_or(i64::MAX),
            payload: Payload::Scalars(values),
        })
    }

    fn write(&mut self, event: Event) -> std::io::Result<()> {
        self.file.write_all(&record::frame(&event.encode()))
    }
}

/// Every scalar of an event file, in order; each record's CRCs and the version event are
/// checked.
pub fn read_scalars(path: &Path) -> Result<Vec<Scalar>, EventFileError> {
    let bytes = std::fs::read(path).map_err(|source| EventFileError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let malformed = |reason: String| EventFileError::Malformed {
        path: path.to_path_buf(),
        reason,
    };
    let records = record::unframe(&bytes).map_err(malformed)?;
    let mut events = records.into_iter().map(Event::decode);
    match events.next().transpose().map_err(malformed)? {
        Some(Event {
            payload: Payload::FileVersion(v),
            ..
        }) if v == FILE_VERSION => {}
        other => {
            return Err(malformed(format!(
                "starts with {other:?}, not {FILE_VERSION}"
            )));
        }
    }
    let mut scalars = Vec::new();
    for event in events {
        let event = event.map_err(malformed)?;
        if let Payload::Scalars(values) = event.payload {
            scalars.extend(values.into_iter().map(|(tag, value)| Scalar {
                tag,
                step: event.step,
                value,
                wall_time: event.wall_time,
            }));
        }
    }
    Ok(scalars)
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_scalars_that_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = EventWriter::create(dir.path()).unwrap();
        writer
            .scalars(1, &[("train/loss", 2.5), ("train/lr", 1e-5)])
            .unwrap();
        writer.scalars(2, &[("train/loss", 2.0)]).unwrap();
        let name = writer.path().file_name().unwrap().to_string_lossy();
        assert!(name.starts_with("events.out.tfevents."), "{name}");
        let read = read_scalars(writer.path()).unwrap();
        let seen: Vec<(&str, i64, f32)> = read
            .iter()
            .map(|s| (s.tag.as_str(), s.step, s.value))
            .collect();
        assert_eq!(
            seen,
            [
                ("train/loss", 1, 2.5),
                ("train/lr", 1, 1e-5),
                ("train/loss", 2, 2.0)
            ]
        );
        assert!(read.iter().all(|s| s.wall_time > 1.6e9));
    }

    #[test]
    fn a_file_that_is_not_an_event_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.out.tfevents.bad");
        std::fs::write(&path, record::frame(b"")).unwrap();
        let err = read_scalars(&path).unwrap_err().to_string();
        assert!(err.contains("is not a TensorBoard event file"), "{err}");
    }
}
