//! The axum app: recording, faults, the rate limit, the checks every request meets
//! (credentials, page), then the endpoint.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Incident, RATE_LIMIT_PER_MINUTE, RecordedRequest, StatuspageFault, incidents};
use crate::pagers::lock;

#[derive(Debug, Default)]
pub(crate) struct State {
    /// Page id → its components (id, name).
    pub pages: HashMap<String, Vec<(String, String)>>,
    /// Every page's incidents, in creation order.
    pub incidents: Vec<Incident>,
    pub requests: Vec<RecordedRequest>,
    pub faults: VecDeque<(Option<Method>, StatuspageFault)>,
    /// When recent requests arrived, for the rolling-minute limit.
    recent: VecDeque<Instant>,
    last_id: u64,
}

impl State {
    /// Statuspage's ids: twelve lowercase letters and digits.
    pub fn next_id(&mut self) -> String {
        self.last_id += 1;
        format!("inc{:09x}", self.last_id)
    }

    fn take_fault(&mut self, method: &Method) -> Option<StatuspageFault> {
        let same = |m: &Method| m == method || (*m == Method::PATCH && method == Method::PUT);
        let at = self
            .faults
            .iter()
            .position(|(m, _)| m.as_ref().is_none_or(same))?;
        self.faults.remove(at).map(|(_, f)| f)
    }

    /// Whether one more request fits in the rolling minute; counts it if so.
    fn admit(&mut self, now: Instant) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t).as_secs() >= 60)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= RATE_LIMIT_PER_MINUTE {
            return false;
        }
        self.recent.push_back(now);
        true
    }
}

pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub api_key: String,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// What the fake answers, before it becomes an HTTP response.
#[derive(Debug, Clone)]
pub(super) struct Reply {
    pub status: u16,
    pub json: Value,
    pub retry_after: Option<u64>,
}

impl Reply {
    pub fn json(status: u16, json: Value) -> Reply {
        Reply {
            status,
            json,
            retry_after: None,
        }
    }

    /// Statuspage's error body: `{"error": "…"}`.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(status, json!({ "error": message }))
    }

    /// 422 with the list of what is wrong: `{"error": ["…", …]}`.
    pub fn invalid(errors: Vec<String>) -> Reply {
        Reply::json(422, json!({ "error": errors }))
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, self.json.to_string()).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

async fn handle(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let index = record(&shared, &method, &uri, &headers, &body);
    let (admitted, fault) = {
        let mut state = lock(&shared.state);
        let admitted = state.admit(Instant::now());
        (admitted, state.take_fault(&method))
    };
    let reply = match (admitted, fault) {
        (false, _) => Reply {
            retry_after: Some(1),
            ..Reply::error(429, "Rate limit exceeded")
        },
        (true, Some(StatuspageFault::TooManyRequests { retry_after_secs })) => Reply {
            retry_after: Some(retry_after_secs),
            ..Reply::error(429, "Rate limit exceeded")
        },
        (true, Some(StatuspageFault::EnhanceYourCalm { retry_after_secs })) => Reply {
            retry_after: Some(retry_after_secs),
            ..Reply::error(420, "Enhance your calm")
        },
        (true, Some(StatuspageFault::ServerError)) => Reply::error(500, "Internal Server Error"),
        (true, Some(StatuspageFault::AppliedThenServerError)) => {
            serve(&shared, index, &method, &uri, &headers, &body);
            Reply::error(500, "Internal Server Error")
        }
        (true, None) => serve(&shared, index, &method, &uri, &headers, &body),
    };
    if let Some(recorded) = lock(&shared.state).requests.get_mut(index) {
        recorded.status = reply.status;
        recorded.response = reply.json.clone();
    }
    reply.into_response()
}

fn record(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> usize {
    let mut state = lock(&shared.state);
    state.requests.push(RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        authorization: header_text(headers, "authorization").map(str::to_string),
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
        status: 0,
        response: Value::Null,
        applied: false,
    });
    state.requests.len() - 1
}

fn serve(
    shared: &Shared,
    index: usize,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Reply {
    if let Err(refused) = authenticate(headers, &shared.api_key) {
        return refused;
    }
    let Some((page_id, incident_id)) = route(uri.path()) else {
        return Reply::error(404, "Not found");
    };
    let mut state = lock(&shared.state);
    if !state.pages.contains_key(&page_id) {
        return Reply::error(404, "Not found");
    }
    let reply = match (method.clone(), incident_id) {
        (Method::POST, None) => incidents::create(&mut state, &page_id, body),
        (Method::GET, None) => incidents::list(&state, &page_id, uri),
        (Method::GET, Some(id)) => incidents::get(&state, &page_id, &id),
        (Method::PATCH | Method::PUT, Some(id)) => {
            incidents::update(&mut state, &page_id, &id, body)
        }
        _ => Reply::error(405, "Method not allowed"),
    };
    let changes = matches!(*method, Method::POST | Method::PATCH | Method::PUT);
    if changes
        && (200..=299).contains(&reply.status)
        && let Some(recorded) = state.requests.get_mut(index)
    {
        recorded.applied = true;
    }
    reply
}

/// `(page_id, incident_id)` from `/v1/pages/{page_id}/incidents[/{incident_id}]`.
fn route(path: &str) -> Option<(String, Option<String>)> {
    match path.split('/').collect::<Vec<_>>().as_slice() {
        ["", "v1", "pages", page, "incidents"] if !page.is_empty() => {
            Some((page.to_string(), None))
        }
        ["", "v1", "pages", page, "incidents", id] if !page.is_empty() && !id.is_empty() => {
            Some((page.to_string(), Some(id.to_string())))
        }
        _ => None,
    }
}

/// `Authorization: OAuth <key>`, exactly that scheme.
fn authenticate(headers: &HeaderMap, api_key: &str) -> Result<(), Reply> {
    let given = header_text(headers, "authorization").and_then(|v| v.strip_prefix("OAuth "));
    match given {
        Some(key) if key.trim() == api_key => Ok(()),
        _ => Err(Reply::error(401, "Could not authenticate")),
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}
