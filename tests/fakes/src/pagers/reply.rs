//! What a fake provider answers, before it becomes an HTTP response.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    /// JSON body; `None` for a plain-text body.
    pub json: Option<Value>,
    pub text: String,
    pub retry_after: Option<u64>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            json: Some(body),
            text: String::new(),
            retry_after: None,
        }
    }

    pub fn text(status: u16, text: &str) -> Reply {
        Reply {
            status,
            json: None,
            text: text.to_string(),
            retry_after: None,
        }
    }

    pub fn with_retry_after(self, secs: u64) -> Reply {
        Reply {
            retry_after: Some(secs),
            ..self
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
                    HeaderValue::from_static("application/json"),
                );
                r
            }
            None => (status, self.text).into_response(),
        };
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
