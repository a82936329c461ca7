//! The axum app: recording, faults, the rate limit, the checks every request meets
//! (credentials, page), then the endpoint.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Incident, RATE_LIMIT_PER_MINUTE, RecordedRequest, StatuspageFault, incidents};
use crate::pagers::lock;
pub(super) use crate::rest::Reply;
use crate::rest::{Credentials, Faults, credentials, header_text};

#[derive(Debug, Default)]
pub(crate) struct State {
    /// Page id → its components (id, name).
    pub pages: HashMap<String, Vec<(String, String)>>,
    /// Every page's incidents, in creation order.
    pub incidents: Vec<Incident>,
    pub requests: Vec<RecordedRequest>,
    pub faults: Faults<StatuspageFault>,
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

/// Statuspage's error body: `{"error": "…"}`.
pub(super) fn error(status: u16, message: &str) -> Reply {
    Reply::json(status, json!({ "error": message }))
}

/// 422 with the list of what is wrong: `{"error": ["…", …]}`.
pub(super) fn invalid(errors: Vec<String>) -> Reply {
    Reply::json(422, json!({ "error": errors }))
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
        // A fault queued for updates meets a PUT as well as a PATCH.
        let meant_for = |m: &Method| *m == method || (*m == Method::PATCH && method == Method::PUT);
        (admitted, state.faults.take(meant_for))
    };
    let reply = match (admitted, fault) {
        (false, _) => error(429, "Rate limit exceeded").retry_after(1),
        (true, Some(StatuspageFault::TooManyRequests { retry_after_secs })) => {
            error(429, "Rate limit exceeded").retry_after(retry_after_secs)
        }
        (true, Some(StatuspageFault::EnhanceYourCalm { retry_after_secs })) => {
            error(420, "Enhance your calm").retry_after(retry_after_secs)
        }
        (true, Some(StatuspageFault::ServerError)) => error(500, "Internal Server Error"),
        (true, Some(StatuspageFault::AppliedThenServerError)) => {
            serve(&shared, index, &method, &uri, &headers, &body);
            error(500, "Internal Server Error")
        }
        (true, None) => serve(&shared, index, &method, &uri, &headers, &body),
    };
    if let Some(recorded) = lock(&shared.state).requests.get_mut(index) {
        recorded.status = reply.status;
        recorded.response = reply.recorded();
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
        return error(404, "Not found");
    };
    let mut state = lock(&shared.state);
    if !state.pages.contains_key(&page_id) {
        return error(404, "Not found");
    }
    let reply = match (method.clone(), incident_id) {
        (Method::POST, None) => incidents::create(&mut state, &page_id, body),
        (Method::GET, None) => incidents::list(&state, &page_id, uri),
        (Method::GET, Some(id)) => incidents::get(&state, &page_id, &id),
        (Method::PATCH | Method::PUT, Some(id)) => {
            incidents::update(&mut state, &page_id, &id, body)
        }
        _ => error(405, "Method not allowed"),
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
    match credentials(headers, |scheme| scheme == "OAuth", api_key) {
        Credentials::Accepted => Ok(()),
        Credentials::Missing | Credentials::Wrong => Err(error(401, "Could not authenticate")),
    }
}
