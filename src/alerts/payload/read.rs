//! Typed reads from one JSON object of a webhook body. Every error names the path of
//! the value it is about (`alerts[2].labels.severity`) and what was expected, since
//! it goes back to the sender as the 400's text.
//!
//! Leniency shared by every field: `null` reads as missing (Go encodes a nil map as
//! `null`, and some senders write `"commonAnnotations": null`). A string that holds
//! a NUL character is refused: PostgreSQL cannot store one, and a 400 now is better
//! than a 503 the sender would retry for ever.

use super::PayloadError;
use crate::domain::alert::{AlertStatus, Pairs};
use crate::domain::clip;
use chrono::{DateTime, Datelike, SubsecRound, Utc};
use serde_json::{Map, Value};

/// How much of a sender's bad value or name an error quotes.
const QUOTE_CHARS: usize = 60;

/// One JSON object and where it sits in the body.
pub(super) struct Fields<'a> {
    obj: &'a Map<String, Value>,
    /// `""` for the body itself, else e.g. `alerts[2]`.
    at: String,
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>, at: String) -> Self {
        Fields { obj, at }
    }

    /// `key`'s path, e.g. `alerts[2].labels`.
    pub fn path(&self, key: &str) -> String {
        join(&self.at, key)
    }

    /// The value under `key`; `null` counts as missing.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.obj.contains_key(key)
    }

    /// A string, as sent (empty included).
    pub fn string(&self, key: &str) -> Result<Option<&'a str>, PayloadError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => storable(s, || self.path(key)).map(Some),
            Some(other) => Err(wrong(&self.path(key), "a string", other)),
        }
    }

    /// A string where empty (or blank) means "not sent": URLs, titles, keys.
    pub fn non_empty(&self, key: &str) -> Result<Option<String>, PayloadError> {
        Ok(self
            .string(key)?
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string))
    }

    /// `firing` or `resolved`.
    pub fn status(&self, key: &str) -> Result<Option<AlertStatus>, PayloadError> {
        let Some(s) = self.string(key)? else {
            return Ok(None);
        };
        AlertStatus::from_name(s).map(Some).ok_or_else(|| {
            PayloadError(format!(
                "`{}` must be \"firing\" or \"resolved\", not {}",
                self.path(key),
                quote(s)
            ))
        })
    }

    /// An object of strings (labels, annotations); missing reads as empty.
    pub fn pairs(&self, key: &str) -> Result<Pairs, PayloadError> {
        let path = self.path(key);
        let obj = match self.get(key) {
            None => return Ok(Pairs::new()),
            Some(Value::Object(obj)) => obj,
            Some(other) => return Err(wrong(&path, "an object of strings", other)),
        };
        let mut pairs = Pairs::new();
        for (name, value) in obj {
            let value_path = || join(&path, name);
            let Value::String(value) = value else {
                return Err(wrong(&value_path(), "a string", value));
            };
            storable(name, value_path)?;
            pairs.insert(name.clone(), storable(value, value_path)?.to_string());
        }
        Ok(pairs)
    }

    /// An RFC 3339 time (any offset, any fraction of a second) in UTC. Go's zero
    /// time (year 1), which Grafana sends as the `endsAt` of a firing alert, reads as
    /// missing, and so does an empty string.
    pub fn time(&self, key: &str) -> Result<Option<DateTime<Utc>>, PayloadError> {
        let Some(s) = self.string(key)? else {
            return Ok(None);
        };
        if s.is_empty() {
            return Ok(None);
        }
        let time = DateTime::parse_from_rfc3339(s).map_err(|_| {
            PayloadError(format!(
                "`{}` must be an RFC 3339 time such as \"2026-11-30T09:14:27Z\", not {}",
                self.path(key),
                quote(s)
            ))
        })?;
        let utc = time.with_timezone(&Utc).trunc_subsecs(6);
        Ok((utc.year() > 1).then_some(utc))
    }

    /// A whole number ≥ 0; missing reads as 0.
    pub fn count(&self, key: &str) -> Result<u64, PayloadError> {
        match self.get(key) {
            None => Ok(0),
            Some(v) => v
                .as_u64()
                .ok_or_else(|| wrong(&self.path(key), "a whole number of 0 or more", v)),
        }
    }

    /// An object, kept as sent.
    pub fn object(&self, key: &str) -> Result<Option<Value>, PayloadError> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
            Some(other) => Err(wrong(&self.path(key), "an object", other)),
        }
    }
}

/// `what` at `path` is of the wrong JSON type.
pub(super) fn wrong(path: &str, expected: &str, got: &Value) -> PayloadError {
    PayloadError(format!("`{path}` must be {expected}, not {}", kind(got)))
}

/// A JSON value's type, as an error names it.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A sender's string in an error: JSON-quoted (so control characters show as
/// escapes) and clipped.
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(&clip(s, QUOTE_CHARS)).unwrap_or_else(|_| "(unprintable)".into())
}

fn storable(s: &str, path: impl FnOnce() -> String) -> Result<&str, PayloadError> {
    if s.contains('\0') {
        return Err(PayloadError(format!(
            "`{}` contains a NUL character (\\u0000), which cannot be stored",
            path()
        )));
    }
    Ok(s)
}

/// `at.key`, or `at["odd key"]` when the key is not a plain name.
fn join(at: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= QUOTE_CHARS
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (at.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{at}.{key}"),
        (_, false) => format!("{at}[{}]", quote(key)),
    }
}
