//! The axum app: routes, recording, failure injection, auth, dispatch.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::{Value, json};

use super::args::{Args, ArgsError};
use super::config::FakeSlackConfig;
use super::methods::{self, Ctx};
use super::model::{Failure, RecordedCall, ResponseUrlPost};
use super::oidc;
use super::reply::Reply;
use super::scopes;
use super::socket::hub::Hub;
use super::socket::{self, SOCKET_PATH};
use super::state::State;
use super::{MAX_RESPONSE_URL_POSTS, UPLOAD_METHOD};

/// Everything the handlers share with [`super::FakeSlack`].
pub(crate) struct Shared {
    pub state: Mutex<State>,
    /// Socket Mode bookkeeping, apart from the workspace state.
    pub socket: Mutex<Hub>,
    pub config: FakeSlackConfig,
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn hub(&self) -> MutexGuard<'_, Hub> {
        self.socket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn record(&self, method: &str, http_method: &Method, args: Value) -> usize {
        let mut state = self.lock();
        state.calls.push(RecordedCall {
            method: method.to_string(),
            http_method: http_method.to_string(),
            args,
            status: 0,
            response: Value::Null,
            applied: false,
            at: std::time::Instant::now(),
        });
        state.calls.len() - 1
    }

    /// Marks the call at `index` as carried out.
    fn mark_applied(&self, index: usize) {
        if let Some(call) = self.lock().calls.get_mut(index) {
            call.applied = true;
        }
    }

    pub(super) fn finish(&self, index: usize, reply: &Reply) {
        let mut state = self.lock();
        if let Some(call) = state.calls.get_mut(index) {
            call.status = reply.status;
            call.response = reply.recorded();
        }
    }

    /// Outage and injected failures: what to do with the call at `index`.
    /// `handle` carries the call out and gives its answer.
    pub(super) async fn serve(
        &self,
        method: &str,
        index: usize,
        handle: impl FnOnce() -> Reply,
    ) -> Reply {
        let failure = {
            let mut state = self.lock();
            if state.down {
                return Reply::text(503, "service unavailable");
            }
            state.take_failure(method)
        };
        let apply = move || {
            let reply = handle();
            self.mark_applied(index);
            reply
        };
        match failure {
            None => {
                let limited = super::tiers::check(&mut self.lock(), method);
                limited.unwrap_or_else(apply)
            }
            Some(Failure::RateLimited { retry_after_secs }) => {
                Reply::rate_limited(retry_after_secs)
            }
            Some(Failure::ServerError) => Reply::text(500, "internal server error"),
            Some(Failure::SlackError(error)) => Reply::err(&error),
            Some(Failure::Hang(duration)) => {
                tokio::time::sleep(duration).await;
                apply()
            }
            Some(Failure::AppliedThenServerError) => {
                apply();
                Reply::text(500, "internal server error")
            }
            Some(Failure::AppliedThenHang(duration)) => {
                let reply = apply();
                tokio::time::sleep(duration).await;
                reply
            }
        }
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            base_url: &self.base_url,
            strict_users: self.config.strict_users,
        }
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/{method}", any(api))
        .route("/upload/{file_id}", post(upload))
        .route("/response/{id}", post(response_url))
        .route(oidc::AUTHORIZE_PATH, get(oidc::authorize))
        .route(oidc::KEYS_PATH, get(oidc::keys))
        .route(SOCKET_PATH, any(socket::server::upgrade))
        .fallback(|| async { Reply::text(404, "not found") })
        .with_state(shared)
}

async fn api(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(method): Path<String>,
    http_method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed = Args::parse(uri.query(), &headers, &body);
    let recorded_args = match &parsed {
        Ok(args) => Value::Object(args.map.clone()),
        Err(_) => Value::Null,
    };
    let index = shared.record(&method, &http_method, recorded_args);
    let reply = shared
        .serve(&method, index, || {
            dispatch(&shared, &method, parsed, &headers)
        })
        .await;
    tracing::debug!(method, status = reply.status, "fake slack answered");
    shared.finish(index, &reply);
    reply.into_response()
}

fn dispatch(
    shared: &Shared,
    method: &str,
    parsed: Result<Args, ArgsError>,
    headers: &HeaderMap,
) -> Reply {
    let args = match parsed {
        Ok(args) => args,
        Err(ArgsError::BadRequest(why)) => return Reply::text(400, &why),
        Err(ArgsError::InvalidJson) => return Reply::err("invalid_json"),
    };
    if method == "apps.connections.open" {
        return socket::server::connections_open(shared, &args);
    }
    // Sign in with Slack authenticates by client id and secret, or a user's token.
    if let Some(reply) = oidc::dispatch(shared, method, &args, headers) {
        return reply;
    }
    let Some(handler) = methods::handler(method) else {
        return Reply::err("unknown_method");
    };
    match args.token.as_deref() {
        None => return Reply::err("not_authed"),
        Some(t) if t == shared.config.app_token => return Reply::err("not_allowed_token_type"),
        Some(t) if t != shared.config.bot_token => return Reply::err("invalid_auth"),
        Some(_) => {}
    }
    let ctx = shared.ctx();
    let mut state = shared.lock();
    if let Some(needed) = scopes::fixed(method)
        && let Err(needed) = state.scopes.require(needed)
    {
        return methods::missing_scope(&state, &needed);
    }
    handler(&mut state, &args, &ctx)
}

async fn upload(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(file_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = if content_type.starts_with("multipart/form-data") {
        first_multipart_part(&content_type, &body).unwrap_or_default()
    } else {
        body.to_vec()
    };
    let args = json!({ "file_id": file_id, "length": bytes.len(), "content_type": content_type });
    let index = shared.record(UPLOAD_METHOD, &Method::POST, args);
    let reply = shared
        .serve(UPLOAD_METHOD, index, || {
            methods::files_store_upload(&mut shared.lock(), &file_id, bytes)
        })
        .await;
    shared.finish(index, &reply);
    reply.into_response()
}

/// The body of the first part of a `multipart/form-data` request.
fn first_multipart_part(content_type: &str, body: &[u8]) -> Option<Vec<u8>> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let text = body;
    let start = find(text, delimiter.as_bytes())? + delimiter.len();
    let rest = &text[start..];
    let headers_end = find(rest, b"\r\n\r\n")? + 4;
    let content = &rest[headers_end..];
    let end = find(content, format!("\r\n{delimiter}").as_bytes())?;
    Some(content[..end].to_vec())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn response_url(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if shared.lock().down {
        return Reply::text(503, "service unavailable").into_response();
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/json"));
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let (true, Some(body)) = (is_json, parsed) else {
        return Reply::text(400, "invalid_payload").into_response();
    };
    let mut state = shared.lock();
    let used = state.response_posts.iter().filter(|p| p.id == id).count();
    if used >= MAX_RESPONSE_URL_POSTS {
        return Reply::text(404, "used_url").into_response();
    }
    state.response_posts.push(ResponseUrlPost { id, body });
    Reply::json(200, json!({ "ok": true })).into_response()
}
