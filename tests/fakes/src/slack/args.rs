//! Parsing a Web API request's arguments the way Slack accepts them: query string,
//! `application/x-www-form-urlencoded` or `application/json` body.

use axum::http::HeaderMap;
use serde_json::{Map, Value};

/// Why a request could not be read at all.
#[derive(Debug, PartialEq)]
pub(crate) enum ArgsError {
    /// Not even parseable form data: answer HTTP 400.
    BadRequest(String),
    /// A JSON body that is not a JSON object: Slack answers `invalid_json`.
    InvalidJson,
}

/// Arguments of one call, merged from every source (later sources win).
#[derive(Debug, Clone, Default)]
pub(crate) struct Args {
    pub map: Map<String, Value>,
    /// The bearer token (from `Authorization`) or `token` argument.
    pub token: Option<String>,
}

impl Args {
    pub fn parse(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Result<Args, ArgsError> {
        let mut map = Map::new();
        if let Some(q) = query {
            merge_form(&mut map, q.as_bytes())?;
        }
        let content_type = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !body.is_empty() {
            if content_type.starts_with("application/json") {
                match serde_json::from_slice::<Value>(body) {
                    Ok(Value::Object(obj)) => map.extend(obj),
                    _ => return Err(ArgsError::InvalidJson),
                }
            } else if content_type.starts_with("application/x-www-form-urlencoded")
                || content_type.is_empty()
            {
                merge_form(&mut map, body)?;
            } else {
                return Err(ArgsError::BadRequest(format!(
                    "unsupported content-type {content_type:?}"
                )));
            }
        }
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let arg_token = match map.remove("token") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let token = bearer.or(arg_token).filter(|t| !t.is_empty());
        Ok(Args { map, token })
    }

    /// A non-empty string argument. Numbers and booleans are rendered as text.
    pub fn str(&self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean argument: JSON `true`, or the strings `true` / `1`.
    pub fn flag(&self, key: &str) -> bool {
        match self.map.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            Some(Value::Number(n)) => n.as_i64() == Some(1),
            _ => false,
        }
    }

    /// An unsigned integer argument; `Err(())` when present but not a number.
    pub fn uint(&self, key: &str) -> Result<Option<u64>, ()> {
        match self.map.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_u64().map(Some).ok_or(()),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ()),
            Some(_) => Err(()),
        }
    }

    /// A JSON-valued argument: a JSON value in a JSON body, or a JSON-encoded
    /// string in a form body / query. `Some(Err(()))` when it does not parse.
    pub fn json(&self, key: &str) -> Option<Result<Value, ()>> {
        match self.map.get(key)? {
            Value::String(s) if s.is_empty() => None,
            Value::String(s) => Some(serde_json::from_str(s).map_err(|_| ())),
            Value::Null => None,
            other => Some(Ok(other.clone())),
        }
    }

    /// A list argument: a JSON array of strings, or a comma-separated string.
    pub fn list(&self, key: &str) -> Vec<String> {
        match self.map.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(|s| s.trim().to_string()))
                .filter(|s| !s.is_empty())
                .collect(),
            Some(Value::String(s)) => s
                .split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn merge_form(map: &mut Map<String, Value>, bytes: &[u8]) -> Result<(), ArgsError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
        .map_err(|e| ArgsError::BadRequest(format!("bad form data: {e}")))?;
    for (k, v) in pairs {
        map.insert(k, Value::String(v));
    }
    Ok(())
}
