//! Tests proving the fake paging providers' strictness.

mod failures;
mod opsgenie;
mod pagerduty;
mod webhook;

use serde_json::Value;

/// What came back: HTTP status, `Retry-After`, JSON body (`Null` if not JSON).
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
}

pub(crate) fn http() -> reqwest::Client {
    // In the workspace, reqwest is built with `rustls-no-provider`.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub(crate) async fn send(req: reqwest::RequestBuilder) -> Answer {
    let res = req.send().await.expect("request to fake pager");
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = res.text().await.unwrap_or_default();
    Answer {
        status,
        retry_after,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}
