//! What a failed Statuspage call means for the caller: retry later (rate limits, 5xx,
//! transport) or give up (refusals, configuration), and how long to wait.
//!
//! Statuspage allows about one request a second per API key and answers more with
//! 420 or 429; `Retry-After`, when sent, says how long to wait. Refusals carry
//! `{"error": "…"}`, or for a validation failure `{"error": ["…", …]}`.

use reqwest::header::HeaderMap;
use serde_json::Value;
use std::time::Duration;

/// The most of Statuspage's message kept: enough to say why, short enough for a
/// war-room line.
const MAX_MESSAGE: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatuspageError {
    /// A refusal repeating will not change: 400, 401, 403, 404, 422, ….
    #[error("Statuspage refused it (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("Statuspage is rate limiting (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    #[error("Statuspage is unavailable (HTTP {status})")]
    Unavailable { status: u16 },
    #[error("Statuspage could not be reached: {0}")]
    Transport(String),
    #[error("Statuspage is misconfigured: {0}")]
    NotConfigured(String),
    /// The incident was not on the pages read, and there were more: creating now
    /// could open a duplicate, so the caller should not.
    #[error(
        "read {pages} pages of incidents without reaching the first attempt; the incident may exist"
    )]
    SearchIncomplete { pages: usize },
}

impl StatuspageError {
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            StatuspageError::Rejected { .. }
                | StatuspageError::NotConfigured(_)
                | StatuspageError::SearchIncomplete { .. }
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            StatuspageError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

/// What a non-2xx answer means.
pub fn classify(status: u16, headers: &HeaderMap, body: &str) -> StatuspageError {
    match status {
        420 | 429 => StatuspageError::RateLimited {
            retry_after: crate::net::retry_after(headers),
        },
        408 | 500..=599 => StatuspageError::Unavailable { status },
        _ => StatuspageError::Rejected {
            status,
            message: message(body),
        },
    }
}

/// `error` as a line: a string, or a list joined with `; `; else the start of the body.
fn message(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let text = match parsed.as_ref().and_then(|v| v.get("error")) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join("; "),
        _ => body.trim().to_string(),
    };
    crate::domain::clip(
        &text.split_whitespace().collect::<Vec<_>>().join(" "),
        MAX_MESSAGE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::RETRY_AFTER;

    #[test]
    fn rate_limits_wait_as_asked_and_server_errors_are_retried() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "12".parse().unwrap());
        for status in [420, 429] {
            let e = classify(status, &h, "");
            assert_eq!(e.retry_after(), Some(Duration::from_secs(12)));
            assert!(!e.is_permanent());
        }
        assert!(!classify(503, &HeaderMap::new(), "").is_permanent());
    }

    #[test]
    fn refusals_are_permanent_and_say_why() {
        let e = classify(
            422,
            &HeaderMap::new(),
            r#"{"error":["Status is invalid","Name can't be blank"]}"#,
        );
        assert!(e.is_permanent());
        assert!(
            e.to_string()
                .contains("Status is invalid; Name can't be blank"),
            "{e}"
        );
        let e = classify(
            401,
            &HeaderMap::new(),
            r#"{"error":"Could not authenticate"}"#,
        );
        assert!(
            e.to_string().contains("HTTP 401") && e.to_string().contains("authenticate"),
            "{e}"
        );
    }
}
