//! The few protobuf messages of an event file, encoded by hand
//! (`tensorflow/core/util/event.proto`, `tensorflow/core/framework/summary.proto`):
//! `Event { wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
//! summary = 5 (Summary) }`, `Summary { value = 1 (repeated Value) }` and
//! `Summary.Value { tag = 1 (string), simple_value = 2 (float) }`.

/// What an event holds: the file's version line or scalars.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Payload {
    /// The first event of a file, e.g. `brain.Event:2`.
    FileVersion(String),
    /// `(tag, value)` scalars.
    Scalars(Vec<(String, f32)>),
}

/// One event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// Seconds since the Unix epoch.
    pub wall_time: f64,
    /// The step the values belong to.
    pub step: i64,
    /// Its content.
    pub payload: Payload,
}

const VARINT: u8 = 0;
const FIXED64: u8 = 1;
const BYTES: u8 = 2;
const FIXED32: u8 = 5;

impl Event {
    /// The event's protobuf encoding.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        key(&mut out, 1, FIXED64);
        out.extend_from_slice(&self.wall_time.to_le_bytes());
        key(&mut out, 2, VARINT);
        varint(&mut out, self.step as u64);
        match &self.payload {
            Payload::FileVersion(version) => bytes(&mut out, 3, version.as_bytes()),
            Payload::Scalars(scalars) => {
                let mut summary = Vec::new();
                for (tag, value) in scalars {
                    let mut v = Vec::new();
                    bytes(&mut v, 1, tag.as_bytes());
                    key(&mut v, 2, FIXED32);
                    v.extend_from_slice(&value.to_le_bytes());
                    bytes(&mut summary, 1, &v);
                }
                bytes(&mut out, 5, &summary);
            }
        }
        out
    }

    /// Decodes an event written by [`Event::encode`] (fields it does not know are skipped).
    pub(crate) fn decode(data: &[u8]) -> Result<Self, String> {
        let mut event = Event {
            wall_time: 0.0,
            step: 0,
            payload: Payload::Scalars(Vec::new()),
        };
        for field in Fields(data) {
            match field? {
                (1, Field::Fixed64(bits)) => event.wall_time = f64::from_bits(bits),
                (2, Field::Varint(step)) => event.step = step as i64,
                (3, Field::Bytes(text)) => {
                    event.payload = Payload::FileVersion(utf8(text)?);
                }
                (5, Field::Bytes(summary)) => {
                    event.payload = Payload::Scalars(decode_summary(summary)?);
                }
                _ => {}
            }
        }
        Ok(event)
    }
}

fn decode_summary(data: &[u8]) -> Result<Vec<(String, f32)>, String> {
    let mut scalars = Vec::new();
    for field in Fields(data) {
        if let (1, Field::Bytes(value)) = field? {
            let (mut tag, mut number) = (String::new(), None);
            for field in Fields(value) {
                match field? {
                    (1, Field::Bytes(text)) => tag = utf8(text)?,
                    (2, Field::Fixed32(bits)) => number = Some(f32::from_bits(bits)),
                    _ => {}
                }
            }
            scalars.push((tag, number.ok_or("a summary value without simple_value")?));
        }
    }
    Ok(scalars)
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| e.to_string())
}

fn key(out: &mut Vec<u8>, field: u32, wire: u8) {
    varint(out, u64::from((field << 3) | u32::from(wire)));
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn bytes(out: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(out, field, BYTES);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

/// A decoded field's value.
enum Field<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

/// The `(field number, value)` pairs of a message.
struct Fields<'a>(&'a [u8]);

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Field<'a>), String>;

    fn next(&mut self) -> Option<Self::Item> {
        (!self.0.is_empty()).then(|| self.field())
    }
}

impl<'a> Fields<'a> {
    fn field(&mut self) -> Result<(u64, Field<'a>), String> {
        let key = self.varint()?;
        let value = match (key & 7) as u8 {
            VARINT => Field::Varint(self.varint()?),
            FIXED64 => Field::Fixed64(u64::from_le_bytes(self.take(8)?.try_into().expect("8"))),
            BYTES => {
                let n = usize::try_from(self.varint()?).map_err(|e| e.to_string())?;
                Field::Bytes(self.take(n)?)
            }
            FIXED32 => Field::Fixed32(u32::from_le_bytes(self.take(4)?.try_into().expect("4"))),
            wire => return Err(format!("unsupported wire type {wire}")),
        };
        Ok((key >> 3, value))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let (head, rest) = self.0.split_at_checked(n).ok_or("message cut short")?;
        self.0 = rest;
        Ok(head)
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err("varint too long".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_scalar_event_as_protobuf_does() {
        let event = Event {
            wall_time: 0.0,
            step: 300,
            payload: Payload::Scalars(vec![("a".into(), 1.0)]),
        };
        let mut expected = vec![0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0xac, 0x02];
        // summary (field 5): value (field 1): tag "a", simple_value 1.0f32.
        expected.extend([0x2a, 10, 0x0a, 8, 0x0a, 1, b'a', 0x15, 0, 0, 0x80, 0x3f]);
        assert_eq!(event.encode(), expected);
        assert_eq!(Event::decode(&expected).unwrap(), event);
    }

    #[test]
    fn file_versions_round_trip_and_garbage_is_an_error() {
        let event = Event {
            wall_time: 1.7e9,
            step: 0,
            payload: Payload::FileVersion("brain.Event:2".into()),
        };
        assert_eq!(Event::decode(&event.encode()).unwrap(), event);
        assert!(Event::decode(&[0x2a, 50, 1]).is_err());
    }
}
