//! What a handler answers, before it becomes an HTTP response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    /// JSON body; `None` for a plain-text body.
    pub json: Option<Value>,
    pub text: String,
    pub retry_after: Option<u64>,
    /// `Location` of a redirect.
    pub location: Option<String>,
}

impl Reply {
    /// `{"ok":true, ...fields}` with HTTP 200.
    pub fn ok(fields: Value) -> Reply {
        let mut body = json!({"ok": true});
        if let (Some(obj), Value::Object(extra)) = (body.as_object_mut(), fields) {
            obj.extend(extra);
        }
        Reply::json(200, body)
    }

    /// Slack's API error: HTTP 200 with `{"ok":false,"error":...}`.
    pub fn err(error: &str) -> Reply {
        Reply::json(200, json!({"ok": false, "error": error}))
    }

    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            json: Some(body),
            text: String::new(),
            retry_after: None,
            location: None,
        }
    }

    pub fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            json: None,
            text: text.to_string(),
            retry_after: None,
            location: None,
        }
    }

    /// HTTP 302 to `location`, as a browser-facing page answers.
    pub fn redirect(location: &str) -> Reply {
        Reply {
            location: Some(location.to_string()),
            ..Reply::text(302, "")
        }
    }

    pub fn rate_limited(retry_after_secs: u64) -> Reply {
        Reply {
            retry_after: Some(retry_after_secs),
            ..Reply::json(429, json!({"ok": false, "error": "ratelimited"}))
        }
    }

    /// The JSON recorded for this reply (`Null` for text bodies).
    pub fn recorded(&self) -> Value {
        self.json.clone().unwrap_or(Value::Null)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = match self.json {
            Some(body) => {
                let mut r = (status, body.to_string()).into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(JSON_CONTENT_TYPE),
                );
                r
            }
            None => (status, self.text).into_response(),
        };
        if let Some(location) = self.location
            && let Ok(v) = HeaderValue::from_str(&location)
        {
            response.headers_mut().insert(header::LOCATION, v);
        }
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
