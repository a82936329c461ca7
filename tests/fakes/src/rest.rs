//! The plumbing the fake REST APIs ([`crate::github`], [`crate::statuspage`]) share:
//! the answer before it becomes an HTTP response ([`Reply`], with `Retry-After` and
//! other headers), the queue of injected faults ([`Faults`]) and the credentials
//! check ([`credentials`]). What each provider answers (its error bodies, its
//! schemes, its status codes) stays in its own module.

use std::collections::VecDeque;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// What a fake answers, before it becomes an HTTP response.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    /// JSON body; `None` for a plain-text body.
    pub json: Option<Value>,
    pub text: String,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            json: Some(body),
            text: String::new(),
            headers: Vec::new(),
        }
    }

    pub fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            json: None,
            text: text.to_string(),
            headers: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Reply {
        self.headers.push((name, value.to_string()));
        self
    }

    /// With `Retry-After: secs`, as a rate limit answers.
    pub fn retry_after(self, secs: u64) -> Reply {
        self.with("retry-after", secs)
    }

    /// The JSON recorded for this reply (`Null` for text bodies).
    pub fn recorded(&self) -> Value {
        self.json.clone().unwrap_or(Value::Null)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let (mut response, content_type) = match self.json {
            Some(body) => (
                (status, body.to_string()).into_response(),
                "application/json; charset=utf-8",
            ),
            None => (
                (status, self.text).into_response(),
                "text/plain; charset=utf-8",
            ),
        };
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(name, v);
            }
        }
        response
    }
}

/// Faults queued for the next requests, each for any request (`None`) or for one
/// method, taken in the order queued.
#[derive(Debug)]
pub(crate) struct Faults<F>(VecDeque<(Option<Method>, F)>);

impl<F> Default for Faults<F> {
    fn default() -> Self {
        Faults(VecDeque::new())
    }
}

impl<F: Clone> Faults<F> {
    /// Queues `fault` for the next `n` requests with `method` (any, when `None`).
    pub fn queue(&mut self, method: Option<Method>, n: usize, fault: F) {
        self.0.extend(std::iter::repeat_n((method, fault), n));
    }

    /// The first fault queued for any request, or for a method `meant_for` accepts.
    pub fn take(&mut self, meant_for: impl Fn(&Method) -> bool) -> Option<F> {
        let at = (self.0.iter()).position(|(m, _)| m.as_ref().is_none_or(&meant_for))?;
        self.0.remove(at).map(|(_, fault)| fault)
    }
}

/// What a request's `Authorization: <scheme> <secret>` says, against the one secret a
/// fake accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credentials {
    /// No `Authorization` header (or one that is not text).
    Missing,
    /// A scheme `scheme_ok` refuses, or another secret.
    Wrong,
    Accepted,
}

pub(crate) fn credentials(
    headers: &HeaderMap,
    scheme_ok: impl Fn(&str) -> bool,
    secret: &str,
) -> Credentials {
    let Some(value) = header_text(headers, "authorization") else {
        return Credentials::Missing;
    };
    let (scheme, given) = value.trim().split_once(' ').unwrap_or((value, ""));
    if scheme_ok(scheme) && given.trim() == secret {
        Credentials::Accepted
    } else {
        Credentials::Wrong
    }
}

/// The header `name` as text, when it is there and text.
pub(crate) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_need_the_header_an_accepted_scheme_and_the_secret() {
        let oauth = |s: &str| s == "OAuth";
        assert_eq!(
            credentials(&HeaderMap::new(), oauth, "k1"),
            Credentials::Missing
        );
        for (given, answer) in [
            ("OAuth k1", Credentials::Accepted),
            ("oauth k1", Credentials::Wrong),
            ("OAuth k2", Credentials::Wrong),
            ("OAuthk1", Credentials::Wrong),
        ] {
            let mut h = HeaderMap::new();
            h.insert("authorization", HeaderValue::from_static(given));
            assert_eq!(credentials(&h, oauth, "k1"), answer, "{given}");
        }
    }

    #[test]
    fn a_fault_for_one_method_waits_while_others_pass() {
        let mut faults = Faults::default();
        faults.queue(Some(Method::POST), 1, "post");
        faults.queue(None, 2, "any");
        assert_eq!(faults.take(|m| *m == Method::GET), Some("any"));
        assert_eq!(faults.take(|m| *m == Method::POST), Some("post"));
        assert_eq!(faults.take(|m| *m == Method::GET), Some("any"));
        assert_eq!(faults.take(|m| *m == Method::GET), None);
    }
}
