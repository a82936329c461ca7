//! [`FakeWebhook`]: generic JSON webhooks on `POST /hook/{name}`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::failure::{Injected, Injector, PagerFailure, interfere};
use super::reply::Reply;
use super::{ServerTask, WAIT_TIMEOUT, is_json_content_type, lock, serve, wait_until};

/// One POST to a hook.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedHook {
    /// The `{name}` in `/hook/{name}`.
    pub name: String,
    /// Request headers, names lowercased (a repeated header keeps its last value).
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON (`Value::Null` when it was not JSON).
    pub body: Value,
    /// HTTP status answered; `0` when the client went away before the answer.
    pub status: u16,
}

impl RecordedHook {
    /// Accepted (2xx): its body is in [`FakeWebhook::received`].
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Debug, Default)]
struct State {
    requests: Vec<RecordedHook>,
    bearer: Option<String>,
}

struct Shared {
    state: Mutex<State>,
    injector: Mutex<Injector>,
}

/// A running fake webhook receiver. `POST /hook/{name}` with
/// `Content-Type: application/json` and a JSON body answers 200 `{"ok":true}`;
/// another content type answers 415, a body that is not JSON 400, and (with
/// [`FakeWebhook::require_bearer`]) a missing or wrong bearer token 401.
///
/// Clones share the same server and state; the server stops when the last clone
/// is dropped.
#[derive(Clone)]
pub struct FakeWebhook {
    shared: Arc<Shared>,
    base_url: String,
    _server: Arc<ServerTask>,
}

impl std::fmt::Debug for FakeWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeWebhook")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl FakeWebhook {
    /// Starts the fake on `127.0.0.1:0`. Panics if it cannot bind.
    pub async fn start() -> FakeWebhook {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            injector: Mutex::new(Injector::default()),
        });
        let app = Router::new()
            .route("/hook/{name}", post(hook))
            .fallback(|| async { Reply::text(404, "not found") })
            .with_state(shared.clone());
        let (base_url, task) = serve("fake webhook", app).await;
        FakeWebhook {
            shared,
            base_url,
            _server: Arc::new(task),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// `http://127.0.0.1:PORT/hook/{name}`.
    pub fn url(&self, name: &str) -> String {
        format!("{}/hook/{name}", self.base_url)
    }

    /// `Some(token)`: every hook requires `Authorization: Bearer {token}` (else
    /// 401). `None` (the default): no authentication.
    pub fn require_bearer(&self, token: Option<&str>) {
        lock(&self.shared.state).bearer = token.map(str::to_string);
    }

    /// Bodies accepted on hook `name`, in arrival order.
    pub fn received(&self, name: &str) -> Vec<Value> {
        let state = lock(&self.shared.state);
        state
            .requests
            .iter()
            .filter(|r| r.name == name && r.accepted())
            .map(|r| r.body.clone())
            .collect()
    }

    /// Every POST to any hook, in arrival order (including rejected and failed ones).
    pub fn requests(&self) -> Vec<RecordedHook> {
        lock(&self.shared.state).requests.clone()
    }

    /// The next `n` POSTs (to any hook) fail with `failure` (queued after those
    /// already queued). Bodies: `{"error":"rate_limited"}` (429),
    /// `{"error":"server_error"}` (500), `{"error":"bad_request"}` (400).
    pub fn fail_next(&self, n: usize, failure: PagerFailure) {
        lock(&self.shared.injector).push(n, failure);
    }

    /// While down, every POST answers HTTP 503 (plain text).
    pub fn set_down(&self, down: bool) {
        lock(&self.shared.injector).set_down(down);
    }

    /// Polls `f` every 20 ms until it holds; panics naming `what` after 10 s.
    pub async fn wait_for<F: Fn(&Self) -> bool>(&self, what: &str, f: F) {
        self.wait_for_within(what, WAIT_TIMEOUT, f).await;
    }

    /// Like [`FakeWebhook::wait_for`] with a custom timeout.
    pub async fn wait_for_within<F: Fn(&Self) -> bool>(&self, what: &str, timeout: Duration, f: F) {
        wait_until(what, timeout, || f(self)).await;
    }
}

async fn hook(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let (index, bearer) = {
        let mut state = lock(&shared.state);
        state.requests.push(RecordedHook {
            name,
            headers: headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect(),
            body: parsed.clone().unwrap_or(Value::Null),
            status: 0,
        });
        (state.requests.len() - 1, state.bearer.clone())
    };
    let reply = match interfere(&shared.injector).await {
        Err(injected) => injected_reply(injected),
        Ok(()) => check(&headers, bearer.as_deref(), parsed.is_some()),
    };
    if let Some(recorded) = lock(&shared.state).requests.get_mut(index) {
        recorded.status = reply.status;
    }
    reply.into_response()
}

fn check(headers: &HeaderMap, bearer: Option<&str>, is_json: bool) -> Reply {
    if let Some(token) = bearer {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(token) {
            return Reply::json(401, json!({"error": "unauthorized"}));
        }
    }
    if !is_json_content_type(headers) {
        return Reply::json(415, json!({"error": "unsupported_media_type"}));
    }
    if !is_json {
        return Reply::json(400, json!({"error": "invalid_json"}));
    }
    Reply::json(200, json!({"ok": true}))
}

fn injected_reply(injected: Injected) -> Reply {
    match injected {
        Injected::Down => Reply::text(503, "service unavailable"),
        Injected::RateLimited(secs) => {
            Reply::json(429, json!({"error": "rate_limited"})).with_retry_after(secs)
        }
        Injected::ServerError => Reply::json(500, json!({"error": "server_error"})),
        Injected::BadRequest => Reply::json(400, json!({"error": "bad_request"})),
    }
}
