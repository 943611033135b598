use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;

use super::{ParamError, Value};

/// The resolved params of one stage instance (defaults filled in, types checked).
///
/// `get_*` fail with a [`ParamError`] when the value is missing or has another type;
/// `opt_*` return `None` in both cases (the engine has already checked types against the
/// schema, so for declared params `None` means "not given and no default").
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Params {
    values: BTreeMap<String, Value>,
}

impl Params {
    /// No params.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.values.insert(name.into(), value.into());
    }

    /// The raw value of `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// All params, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// A boolean param.
    pub fn get_bool(&self, name: &str) -> Result<bool, ParamError> {
        self.typed(name, "boolean", Value::as_bool)
    }

    /// An integer param.
    pub fn get_i64(&self, name: &str) -> Result<i64, ParamError> {
        self.typed(name, "integer", Value::as_i64)
    }

    /// A number param (integers convert).
    pub fn get_f64(&self, name: &str) -> Result<f64, ParamError> {
        self.typed(name, "number", Value::as_f64)
    }

    /// A string, choice or input-reference param.
    pub fn get_str(&self, name: &str) -> Result<&str, ParamError> {
        self.typed(name, "string", Value::as_str)
    }

    /// A path param (absolute at run time: the engine resolves it against the project dir).
    pub fn get_path(&self, name: &str) -> Result<PathBuf, ParamError> {
        self.get_str(name).map(PathBuf::from)
    }

    /// A list param.
    pub fn get_list(&self, name: &str) -> Result<&[Value], ParamError> {
        self.typed(name, "list", Value::as_list)
    }

    /// A list of strings.
    pub fn get_str_list(&self, name: &str) -> Result<Vec<&str>, ParamError> {
        let items = self.get_list(name)?;
        items
            .iter()
            .map(|v| v.as_str().ok_or_else(|| wrong(name, "list of strings", v)))
            .collect()
    }

    /// A count: an integer param of 0 or more (bound it with `min` in the schema).
    pub fn get_usize(&self, name: &str) -> Result<usize, ParamError> {
        self.integer_as(name, "a count (0 or more)")
    }

    /// An integer param of 0 to 2³²-1 (e.g. a seed).
    pub fn get_u32(&self, name: &str) -> Result<u32, ParamError> {
        self.integer_as(name, "an integer from 0 to 4294967295")
    }

    /// A count, if set.
    pub fn opt_usize(&self, name: &str) -> Result<Option<usize>, ParamError> {
        match self.get(name) {
            None => Ok(None),
            Some(_) => self.get_usize(name).map(Some),
        }
    }

    /// A string or choice param parsed into `T` (e.g. an enum of the schema's choices).
    pub fn get_parsed<T: std::str::FromStr>(&self, name: &str) -> Result<T, ParamError> {
        let text = self.get_str(name)?;
        text.parse().map_err(|_| ParamError::Unbounded {
            name: name.to_owned(),
            value: format!("\"{text}\""),
            expected: format!("one of the choices of `{name}`"),
        })
    }

    /// A boolean param, if set.
    pub fn opt_bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    /// An integer param, if set.
    pub fn opt_i64(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    /// A number param, if set.
    pub fn opt_f64(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(Value::as_f64)
    }

    /// A string param, if set.
    pub fn opt_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// A path param, if set.
    pub fn opt_path(&self, name: &str) -> Option<PathBuf> {
        self.opt_str(name).map(PathBuf::from)
    }

    /// A list param, if set.
    pub fn opt_list(&self, name: &str) -> Option<&[Value]> {
        self.get(name).and_then(Value::as_list)
    }

    fn integer_as<T: TryFrom<i64>>(
        &self,
        name: &str,
        expected: &'static str,
    ) -> Result<T, ParamError> {
        let value = self.get_i64(name)?;
        T::try_from(value).map_err(|_| ParamError::Unbounded {
            name: name.to_owned(),
            value: value.to_string(),
            expected: expected.to_owned(),
        })
    }

    fn typed<'a, T>(
        &'a self,
        name: &str,
        expected: &'static str,
        cast: impl Fn(&'a Value) -> Option<T>,
    ) -> Result<T, ParamError> {
        let value = self.values.get(name).ok_or_else(|| ParamError::Missing {
            name: name.to_owned(),
        })?;
        cast(value).ok_or_else(|| wrong(name, expected, value))
    }
}

fn wrong(name: &str, expected: &'static str, value: &Value) -> ParamError {
    ParamError::WrongType {
        name: name.to_owned(),
        expected,
        found: value.type_name(),
    }
}

/// Params from `(name, value)` pairs, e.g. `[("seed", 42)]` or string pairs in tests.
impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Params {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            values: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_accessors_convert_or_name_the_param_and_value() {
        let mut params = Params::new();
        params.insert("epochs", 3i64);
        params.insert("patience", -1i64);
        params.insert("seed", 1i64 << 40);
        params.insert("head", "direct");
        assert_eq!(params.get_usize("epochs").unwrap(), 3);
        assert_eq!(params.opt_usize("missing").unwrap(), None);
        assert_eq!(params.opt_usize("epochs").unwrap(), Some(3));
        let negative = params.get_usize("patience").unwrap_err();
        assert!(
            matches!(&negative, ParamError::Unbounded { name, value, .. }
            if name == "patience" && value == "-1")
        );
        assert_eq!(
            negative.to_string(),
            "param `patience` = -1 is not a count (0 or more)"
        );
        assert!(matches!(
            params.get_u32("seed"),
            Err(ParamError::Unbounded { .. })
        ));
        assert_eq!(params.get_parsed::<String>("head").unwrap(), "direct");
        let not_a_number = params.get_parsed::<u8>("head").unwrap_err();
        assert_eq!(
            not_a_number.to_string(),
            "param `head` = \"direct\" is not one of the choices of `head`"
        );
    }
}
