//! What a failed GitHub call means for the caller: retry later (rate limits, 5xx,
//! transport), or give up (refusals, configuration), and how long to wait.
//!
//! GitHub signals rate limits three ways (REST docs, "Exceeding the rate limit"):
//! a `retry-after` header; `x-ratelimit-remaining: 0` with `x-ratelimit-reset` in
//! UTC epoch seconds; or only a message saying a secondary limit was exceeded, in
//! which case the docs ask for at least a minute. Each comes as 403 or 429, and a
//! 403 with none of them is a plain refusal ("Resource not accessible by
//! integration").

use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::Value;
use std::time::{Duration, SystemTime};

/// How long to wait on a secondary rate limit that names no time: "wait for at least
/// one minute before retrying".
pub const SECONDARY_LIMIT_WAIT: Duration = Duration::from_secs(60);

/// The most of GitHub's message kept: enough to say why, short enough for a
/// war-room line.
const MAX_MESSAGE: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GithubError {
    /// A refusal that repeating will not change: 400, 401, 403 (not a rate
    /// limit), 404, 410, 422, ….
    #[error("GitHub refused it (HTTP {status}): {message}")]
    Rejected {
        status: u16,
        /// GitHub's `message`, then for a 422 its `errors` as `field: code`.
        message: String,
        /// A 422's `errors`, to tell which field was refused.
        errors: Vec<FieldError>,
    },
    #[error("GitHub is rate limiting (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    #[error("GitHub is unavailable (HTTP {status})")]
    Unavailable { status: u16 },
    #[error("GitHub could not be reached: {0}")]
    Transport(String),
    /// The client cannot make the call as set up: a bad API URL or repository, an
    /// empty marker, or a next page on another host (the token is not sent there).
    #[error("GitHub export is misconfigured: {0}")]
    NotConfigured(String),
    /// The marker was not on the pages read, and there were more. Creating now
    /// could open a duplicate, so the caller should not.
    #[error("read {pages} pages of issues without reaching the end; the issue may exist")]
    SearchIncomplete { pages: usize },
}

/// One entry of a 422's `errors`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldError {
    pub resource: Option<String>,
    pub field: Option<String>,
    /// `missing_field`, `invalid`, `already_exists`, `custom`, ….
    pub code: String,
    /// The refused value, as text.
    pub value: Option<String>,
    /// Set with code `custom`, such as "body is too long (maximum is 65536
    /// characters)".
    pub message: Option<String>,
}

impl GithubError {
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            GithubError::Rejected { .. }
                | GithubError::NotConfigured(_)
                | GithubError::SearchIncomplete { .. }
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            GithubError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// A 422 refusing an assignee (not a collaborator, or no such user): the caller
    /// may create the issue once more without assignees.
    pub fn is_invalid_assignee(&self) -> bool {
        match self {
            GithubError::Rejected {
                status: 422,
                errors,
                ..
            } => errors.iter().any(|e| {
                matches!(e.field.as_deref(), Some("assignees" | "assignee")) && e.code == "invalid"
            }),
            _ => false,
        }
    }
}

/// What a non-2xx answer means. `now` is when it arrived, to turn
/// `x-ratelimit-reset` into a wait.
pub fn classify(status: u16, headers: &HeaderMap, body: &str, now: SystemTime) -> GithubError {
    let parsed = Parsed::from(body);
    if let Some(retry_after) = rate_limit(status, headers, &parsed.message, now) {
        return GithubError::RateLimited { retry_after };
    }
    match status {
        408 | 500..=599 => GithubError::Unavailable { status },
        _ => GithubError::Rejected {
            status,
            message: parsed.shown(),
            errors: parsed.errors,
        },
    }
}

/// `Some(wait)` when the answer is a rate limit.
fn rate_limit(
    status: u16,
    headers: &HeaderMap,
    message: &str,
    now: SystemTime,
) -> Option<Option<Duration>> {
    if status != 403 && status != 429 {
        return None;
    }
    if let Some(wait) = crate::net::retry_after(headers) {
        return Some(Some(wait));
    }
    if header(headers, "x-ratelimit-remaining") == Some("0") {
        return Some(until_reset(headers, now));
    }
    let lower = message.to_ascii_lowercase();
    // "abuse detection" is what secondary limits were called before.
    let secondary = lower.contains("secondary rate limit") || lower.contains("abuse");
    (secondary || status == 429).then_some(Some(SECONDARY_LIMIT_WAIT))
}

/// The wait until `x-ratelimit-reset`: at least a second, as the reset is whole
/// seconds and GitHub's clock is not ours. `None` if the header is unreadable.
fn until_reset(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let reset: u64 = header(headers, "x-ratelimit-reset")?.trim().parse().ok()?;
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Some(Duration::from_secs(reset.saturating_sub(now).max(1)))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

/// An error body: GitHub's JSON `{message, errors?}`, or text (the User-Agent
/// refusal, a proxy's 502 page).
struct Parsed {
    message: String,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<Value>,
}

impl Parsed {
    fn from(body: &str) -> Parsed {
        match serde_json::from_str::<Body>(body) {
            Ok(b) => Parsed {
                message: b.message,
                errors: b.errors.iter().map(field_error).collect(),
            },
            Err(_) => Parsed {
                message: body.to_string(),
                errors: Vec::new(),
            },
        }
    }

    /// The message with the errors summed up, on one line, cut short.
    fn shown(&self) -> String {
        let mut text = self.message.clone();
        if !self.errors.is_empty() {
            let summary: Vec<String> = self.errors.iter().map(FieldError::summary).collect();
            text = format!("{text} ({})", summary.join("; "));
        }
        let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut shown: String = one_line.chars().take(MAX_MESSAGE).collect();
        if one_line.chars().count() > MAX_MESSAGE {
            shown.push('…');
        }
        shown
    }
}

/// An entry of `errors`: an object, or (in some answers) a bare string.
fn field_error(v: &Value) -> FieldError {
    let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    match v {
        Value::String(s) => FieldError {
            code: "custom".to_string(),
            message: Some(s.clone()),
            ..FieldError::default()
        },
        _ => FieldError {
            resource: text("resource"),
            field: text("field"),
            code: text("code").unwrap_or_default(),
            value: v.get("value").map(|value| match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            message: text("message"),
        },
    }
}

impl FieldError {
    /// `assignees: invalid "nobody"`, or the custom message.
    fn summary(&self) -> String {
        if let Some(message) = &self.message {
            return message.clone();
        }
        let mut s = format!(
            "{}: {}",
            self.field.as_deref().unwrap_or("request"),
            self.code
        );
        if let Some(value) = &self.value {
            s.push_str(&format!(" {value:?}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// 2024-01-01T00:00:00Z, when every answer below arrives.
    const NOW_SECS: u64 = 1_704_067_200;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(NOW_SECS)
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(*name, value.parse().unwrap());
        }
        h
    }

    fn message(text: &str) -> String {
        json!({ "message": text, "documentation_url": "https://docs.github.com/rest" }).to_string()
    }

    #[test]
    fn a_secondary_limit_with_retry_after_waits_that_long_on_403_and_on_429() {
        let body = message("You have exceeded a secondary rate limit. Please wait a few minutes.");
        for status in [403, 429] {
            let e = classify(status, &headers(&[("retry-after", "42")]), &body, now());
            assert_eq!(e.retry_after(), Some(Duration::from_secs(42)), "{status}");
            assert!(!e.is_permanent(), "{status}");
        }
    }

    #[test]
    fn a_primary_limit_waits_until_the_reset_time() {
        let h = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &(NOW_SECS + 90).to_string()),
        ]);
        let body = message("API rate limit exceeded for user ID 1.");
        for status in [403, 429] {
            let e = classify(status, &h, &body, now());
            assert_eq!(
                e,
                GithubError::RateLimited {
                    retry_after: Some(Duration::from_secs(90))
                },
                "{status}"
            );
        }
    }

    #[test]
    fn a_reset_already_past_by_our_clock_still_waits_a_second() {
        let h = headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &(NOW_SECS - 5).to_string()),
        ]);
        let e = classify(403, &h, &message("API rate limit exceeded"), now());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    }

    #[test]
    fn retry_after_wins_over_the_reset_time() {
        let h = headers(&[
            ("retry-after", "3"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &(NOW_SECS + 600).to_string()),
        ]);
        let e = classify(403, &h, &message("rate limited"), now());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
    }

    #[test]
    fn a_secondary_limit_naming_no_time_waits_a_minute() {
        let body =
            message("You have exceeded a secondary rate limit and have been temporarily blocked.");
        let e = classify(403, &HeaderMap::new(), &body, now());
        assert_eq!(e.retry_after(), Some(SECONDARY_LIMIT_WAIT));
        let e = classify(429, &HeaderMap::new(), "", now());
        assert_eq!(e.retry_after(), Some(SECONDARY_LIMIT_WAIT));
    }

    #[test]
    fn a_403_that_is_not_a_rate_limit_is_permanent_and_says_why() {
        let h = headers(&[("x-ratelimit-remaining", "4999")]);
        let e = classify(
            403,
            &h,
            &message("Resource not accessible by integration"),
            now(),
        );
        assert!(e.is_permanent());
        assert_eq!(e.retry_after(), None);
        assert!(
            e.to_string().contains("HTTP 403")
                && e.to_string()
                    .contains("Resource not accessible by integration"),
            "{e}"
        );
    }

    #[test]
    fn refusals_are_permanent_and_carry_githubs_message() {
        for (status, text) in [
            (400, "Problems parsing JSON"),
            (401, "Bad credentials"),
            (404, "Not Found"),
            (410, "Issues are disabled for this repo"),
        ] {
            let e = classify(status, &HeaderMap::new(), &message(text), now());
            assert!(e.is_permanent(), "{status}");
            assert!(!e.is_invalid_assignee(), "{status}");
            match e {
                GithubError::Rejected {
                    status: s, message, ..
                } => {
                    assert_eq!((s, message.as_str()), (status, text));
                }
                other => panic!("{status}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_user_agent_refusal_in_plain_text_is_permanent() {
        let body = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.\n";
        let e = classify(403, &HeaderMap::new(), body, now());
        assert!(e.is_permanent());
        assert!(e.to_string().contains("User-Agent header."), "{e}");
    }

    #[test]
    fn a_422_names_each_refused_field_and_code() {
        let body = json!({
            "message": "Validation Failed",
            "errors": [
                {"resource": "Issue", "field": "title", "code": "missing_field"},
                {"resource": "Issue", "field": "body", "code": "custom",
                 "message": "body is too long (maximum is 65536 characters)"}
            ]
        });
        let e = classify(422, &HeaderMap::new(), &body.to_string(), now());
        assert!(e.is_permanent());
        assert!(!e.is_invalid_assignee());
        let text = e.to_string();
        assert!(
            text.contains(
                "Validation Failed (title: missing_field; body is too long (maximum is 65536 characters))"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_422_on_assignees_is_told_apart_from_other_refusals() {
        let body = json!({
            "message": "Validation Failed",
            "errors": [{"value": "nobody", "resource": "Issue", "field": "assignees", "code": "invalid"}]
        });
        let e = classify(422, &HeaderMap::new(), &body.to_string(), now());
        assert!(e.is_invalid_assignee());
        assert!(
            e.to_string().contains(r#"assignees: invalid "nobody""#),
            "{e}"
        );
        let other = classify(400, &HeaderMap::new(), &body.to_string(), now());
        assert!(
            !other.is_invalid_assignee(),
            "only a 422 is a validation failure"
        );
    }

    #[test]
    fn server_errors_and_timeouts_are_worth_retrying() {
        for status in [408, 500, 502, 503, 504] {
            let e = classify(status, &HeaderMap::new(), "<html>Unicorn!</html>", now());
            assert_eq!(e, GithubError::Unavailable { status });
            assert!(!e.is_permanent());
        }
        assert!(!GithubError::Transport("reset".into()).is_permanent());
    }

    #[test]
    fn a_long_message_is_kept_on_one_line_and_cut_short() {
        let long = format!("line one\nline two {}", "x".repeat(1000));
        match classify(400, &HeaderMap::new(), &message(&long), now()) {
            GithubError::Rejected { message, .. } => {
                assert!(message.starts_with("line one line two"), "{message}");
                assert_eq!(message.chars().count(), MAX_MESSAGE + 1);
                assert!(message.ends_with('…'));
            }
            other => panic!("{other:?}"),
        }
    }
}
