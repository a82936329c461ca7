//! The axum app: recording, failure injection, authentication, validation and
//! alert state.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::super::failure::{Injected, Injector, interfere};
use super::super::reply::Reply;
use super::super::{ids, is_json_content_type, lock};
use super::validate::{self, Create, Errors};
use super::{Action, Alert, AlertStatus, Outcome, RecordedRequest};

/// `took` in every answer (seconds, as Opsgenie reports its processing time).
const TOOK: f64 = 0.005;
const REQUEST_ID_PREFIX: u32 = 0x4e90_0000;
const ALERT_ID_PREFIX: u32 = 0x0a1e_0000;
const IDENTIFIER_TYPES: &[&str] = &["id", "alias", "tiny"];

#[derive(Debug, Default)]
pub(crate) struct State {
    pub requests: Vec<RecordedRequest>,
    pub alerts: Vec<Alert>,
    next_request: u64,
    next_alert: u64,
}

pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub injector: Mutex<Injector>,
    pub api_key: String,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v2/alerts", post(create))
        .route("/v2/alerts/{identifier}/close", post(close))
        .route("/v2/alerts/{identifier}/acknowledge", post(acknowledge))
        .fallback(|| async { Reply::text(404, "not found") })
        .with_state(shared)
}

/// One request on its way through the fake.
struct Request {
    action: Action,
    identifier: Option<String>,
    identifier_type: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    request_id: String,
}

/// What handling produced: the alert touched and what happened to it.
type Handled = Result<(Outcome, Option<String>), Reply>;

async fn create(
    AxumState(shared): AxumState<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    handle(&shared, Action::Create, None, None, headers, body).await
}

async fn close(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(identifier): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let identifier_type = query_param(&uri, "identifierType");
    handle(
        &shared,
        Action::Close,
        Some(identifier),
        identifier_type,
        headers,
        body,
    )
    .await
}

async fn acknowledge(
    AxumState(shared): AxumState<Arc<Shared>>,
    Path(identifier): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let identifier_type = query_param(&uri, "identifierType");
    let action = Action::Acknowledge;
    handle(
        &shared,
        action,
        Some(identifier),
        identifier_type,
        headers,
        body,
    )
    .await
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(uri.query().unwrap_or("")).unwrap_or_default();
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

async fn handle(
    shared: &Shared,
    action: Action,
    identifier: Option<String>,
    identifier_type: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (index, request_id) = {
        let mut state = lock(&shared.state);
        state.next_request += 1;
        let request_id = ids::uuid_like(REQUEST_ID_PREFIX, state.next_request);
        state.requests.push(RecordedRequest {
            action,
            identifier: identifier.clone(),
            identifier_type: identifier_type.clone(),
            authorization: authorization.clone(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            status: 0,
            response: Value::Null,
            outcome: Outcome::NotApplied,
            alert_id: None,
        });
        (state.requests.len() - 1, request_id)
    };
    let request = Request {
        action,
        identifier,
        identifier_type,
        headers,
        body,
        request_id,
    };
    let handled = match interfere(&shared.injector).await {
        Err(injected) => Err(injected_reply(injected, &request.request_id)),
        Ok(()) => process(shared, authorization.as_deref(), &request),
    };
    let (reply, outcome, alert_id) = match handled {
        Ok((outcome, alert_id)) => {
            let body = json!({
                "result": "Request will be processed",
                "took": TOOK,
                "requestId": request.request_id,
            });
            (Reply::json(202, body), outcome, alert_id)
        }
        Err(reply) => (reply, Outcome::NotApplied, None),
    };
    tracing::debug!(status = reply.status, ?outcome, "fake opsgenie answered");
    if let Some(recorded) = lock(&shared.state).requests.get_mut(index) {
        recorded.status = reply.status;
        recorded.response = reply.recorded();
        recorded.outcome = outcome;
        recorded.alert_id = alert_id;
    }
    reply.into_response()
}

fn process(shared: &Shared, authorization: Option<&str>, request: &Request) -> Handled {
    let rid = &request.request_id;
    let authenticated = authorization
        .and_then(|v| v.strip_prefix("GenieKey "))
        .is_some_and(|key| key.trim() == shared.api_key);
    if !authenticated {
        return Err(error(401, "Could not authenticate", rid));
    }
    match request.action {
        Action::Create => {
            let body = parse_body(request)?.unwrap_or(Value::Null);
            let create = validate::create(&body).map_err(|e| unprocessable(e, rid))?;
            Ok(apply_create(&mut lock(&shared.state), create, body))
        }
        Action::Close | Action::Acknowledge => {
            let identifier_type = match request.identifier_type.as_deref() {
                Some(t) if IDENTIFIER_TYPES.contains(&t) => t,
                _ => {
                    let mut errors = Errors::new();
                    errors.insert(
                        "identifierType".into(),
                        "identifierType should be one of [id, alias, tiny].".into(),
                    );
                    return Err(unprocessable(errors, rid));
                }
            };
            let body = parse_body(request)?;
            validate::action(body.as_ref()).map_err(|e| unprocessable(e, rid))?;
            let identifier = request.identifier.as_deref().unwrap_or("");
            let mut state = lock(&shared.state);
            Ok(apply_action(
                &mut state,
                request.action,
                identifier,
                identifier_type,
            ))
        }
    }
}

/// `None` for an empty body (allowed for close / acknowledge only: create then
/// fails validation). A non-empty body must be JSON with a JSON content type.
fn parse_body(request: &Request) -> Result<Option<Value>, Reply> {
    let rid = &request.request_id;
    if request.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !is_json_content_type(&request.headers) {
        return Err(error(415, "Content-Type must be application/json", rid));
    }
    serde_json::from_slice(&request.body)
        .map(Some)
        .map_err(|_| {
            let mut errors = Errors::new();
            errors.insert(
                "body".into(),
                "Could not parse request body as JSON.".into(),
            );
            unprocessable(errors, rid)
        })
}

fn apply_create(state: &mut State, create: Create, body: Value) -> (Outcome, Option<String>) {
    if let Some(alias) = &create.alias
        && let Some(open) = state
            .alerts
            .iter_mut()
            .find(|a| a.status.is_open() && a.alias.as_ref() == Some(alias))
    {
        open.count += 1;
        return (Outcome::Deduplicated, Some(open.id.clone()));
    }
    state.next_alert += 1;
    let id = ids::uuid_like(ALERT_ID_PREFIX, state.next_alert);
    state.alerts.push(Alert {
        id: id.clone(),
        tiny_id: state.next_alert.to_string(),
        alias: create.alias,
        message: create.message,
        description: create.description,
        status: AlertStatus::Open,
        responders: create.responders,
        priority: create.priority,
        tags: create.tags,
        details: create.details,
        count: 1,
        body,
    });
    (Outcome::Created, Some(id))
}

fn apply_action(
    state: &mut State,
    action: Action,
    identifier: &str,
    identifier_type: &str,
) -> (Outcome, Option<String>) {
    let found = state.alerts.iter_mut().find(|a| {
        a.status.is_open()
            && match identifier_type {
                "alias" => a.alias.as_deref() == Some(identifier),
                "tiny" => a.tiny_id == identifier,
                _ => a.id == identifier,
            }
    });
    let Some(alert) = found else {
        return match action {
            Action::Close => (Outcome::CloseOfUnknown, None),
            _ => (Outcome::AcknowledgeOfUnknown, None),
        };
    };
    if action == Action::Close {
        alert.status = AlertStatus::Closed;
        (Outcome::Closed, Some(alert.id.clone()))
    } else {
        alert.status = AlertStatus::Acked;
        (Outcome::Acknowledged, Some(alert.id.clone()))
    }
}

/// Opsgenie's error shape.
fn error(status: u16, message: &str, request_id: &str) -> Reply {
    Reply::json(
        status,
        json!({"message": message, "took": TOOK, "requestId": request_id}),
    )
}

fn unprocessable(errors: Errors, request_id: &str) -> Reply {
    Reply::json(
        422,
        json!({
            "message": "Request body is not processable. Please check the errors.",
            "errors": errors,
            "took": TOOK,
            "requestId": request_id,
        }),
    )
}

fn injected_reply(injected: Injected, request_id: &str) -> Reply {
    match injected {
        Injected::Down => Reply::text(503, "service unavailable"),
        Injected::RateLimited(secs) => error(
            429,
            "You are making too many requests! To avoid errors, we recommend you limit requests.",
            request_id,
        )
        .with_retry_after(secs),
        Injected::ServerError => error(500, "Internal Server Error", request_id),
        Injected::BadRequest => error(400, "Injected failure", request_id),
    }
}
