//! The axum app: recording, failure injection, validation, alert state.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::super::failure::{Injected, Injector, interfere};
use super::super::ids;
use super::super::lock;
use super::super::reply::Reply;
use super::validate::{Action, Event, validate};
use super::{Alert, AlertStatus, EventOutcome, RecordedEvent};

/// Prefix of generated dedup keys, so they are recognizable.
const GENERATED_KEY_PREFIX: u32 = 0x9d00_0000;

#[derive(Debug, Default)]
pub(crate) struct State {
    pub events: Vec<RecordedEvent>,
    pub alerts: Vec<Alert>,
    next_key: u64,
}

pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub injector: Mutex<Injector>,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v2/enqueue", post(enqueue))
        .fallback(|| async { Reply::text(404, "not found") })
        .with_state(shared)
}

async fn enqueue(
    AxumState(shared): AxumState<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let index = {
        let mut state = lock(&shared.state);
        state.events.push(RecordedEvent {
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            status: 0,
            response: Value::Null,
            dedup_key: None,
            outcome: EventOutcome::NotApplied,
            at: Instant::now(),
        });
        state.events.len() - 1
    };
    let (reply, dedup_key, outcome) = match interfere(&shared.injector).await {
        Err(injected) => (injected_reply(injected), None, EventOutcome::NotApplied),
        Ok(()) => match validate(&headers, &body) {
            Err(errors) => (invalid(errors), None, EventOutcome::NotApplied),
            Ok(event) => {
                let (key, outcome) = apply(&mut lock(&shared.state), event);
                let reply = Reply::json(
                    202,
                    json!({"status": "success", "message": "Event processed", "dedup_key": key}),
                );
                (reply, Some(key), outcome)
            }
        },
    };
    tracing::debug!(status = reply.status, ?outcome, "fake pagerduty answered");
    if let Some(recorded) = lock(&shared.state).events.get_mut(index) {
        recorded.status = reply.status;
        recorded.response = reply.recorded();
        recorded.dedup_key = dedup_key;
        recorded.outcome = outcome;
    }
    reply.into_response()
}

/// Applies a valid event; returns its dedup key and what it did.
fn apply(state: &mut State, event: Event) -> (String, EventOutcome) {
    let key = match event.dedup_key {
        Some(key) => key,
        None => {
            state.next_key += 1;
            ids::hex32(GENERATED_KEY_PREFIX, state.next_key)
        }
    };
    let open = state
        .alerts
        .iter_mut()
        .find(|a| a.status.is_open() && a.routing_key == event.routing_key && a.dedup_key == key);
    let outcome = match (event.action, open, event.payload) {
        (Action::Trigger, Some(alert), _) => {
            alert.trigger_count += 1;
            EventOutcome::Duplicate
        }
        (Action::Trigger, None, Some(p)) => {
            state.alerts.push(Alert {
                routing_key: event.routing_key,
                dedup_key: key.clone(),
                status: AlertStatus::Triggered,
                summary: p.summary,
                source: p.source,
                severity: p.severity,
                payload: p.raw,
                trigger_count: 1,
            });
            EventOutcome::Opened
        }
        // Validation guarantees a trigger has a payload.
        (Action::Trigger, None, None) => EventOutcome::NotApplied,
        (Action::Acknowledge, Some(alert), _) => {
            alert.status = AlertStatus::Acknowledged;
            EventOutcome::Acknowledged
        }
        (Action::Resolve, Some(alert), _) => {
            alert.status = AlertStatus::Resolved;
            EventOutcome::Resolved
        }
        (Action::Acknowledge | Action::Resolve, None, _) => EventOutcome::NoOpenAlert,
    };
    (key, outcome)
}

fn invalid(errors: Vec<String>) -> Reply {
    Reply::json(
        400,
        json!({"status": "invalid event", "message": "Event object is invalid", "errors": errors}),
    )
}

fn injected_reply(injected: Injected) -> Reply {
    match injected {
        Injected::Down => Reply::text(503, "service unavailable"),
        Injected::RateLimited(secs) => Reply::json(
            429,
            json!({
                "status": "throttle event",
                "message": "Requests for this service are arriving too quickly. Please retry later."
            }),
        )
        .with_retry_after(secs),
        Injected::ServerError => Reply::json(
            500,
            json!({"status": "error", "message": "Internal Server Error"}),
        ),
        Injected::BadRequest => invalid(vec!["injected failure".to_string()]),
    }
}
