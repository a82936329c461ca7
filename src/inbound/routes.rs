//! The HTTP surface: `/slack/events`, `/slack/commands`, `/slack/interactions` (all
//! Slack-signed), `/webhooks/pagerduty` and `/webhooks/opsgenie` (providers' acks,
//! authenticated their own way), `/alerts/alertmanager` and `/alerts/grafana` (alert
//! webhooks, with a token), `/healthz` and `/metrics` (Prometheus, optionally with a
//! token). Handlers store first and answer at once; slow Slack work happens in the
//! outbox worker after the ack.

use super::{events, interactions};
use crate::commands::{self, SlashCommand};
use crate::error::AppError;
use crate::slack::Answer;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

/// Slack's payloads are small; anything bigger is not from Slack.
const MAX_BODY: usize = 1024 * 1024;
/// An alert notification carries every alert of its group (Alertmanager sends them
/// all unless `max_alerts` is set): a storm of a few thousand fits in this.
const MAX_ALERT_BODY: usize = 8 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let alerts = Router::new()
        .route(
            "/alerts/alertmanager",
            post(super::alert_routes::alertmanager),
        )
        .route("/alerts/grafana", post(super::alert_routes::grafana))
        .layer(DefaultBodyLimit::max(MAX_ALERT_BODY));
    Router::new()
        .route("/slack/events", post(events_route))
        .route("/slack/commands", post(commands_route))
        .route("/slack/interactions", post(interactions_route))
        .route("/webhooks/pagerduty", post(super::pager_acks::pagerduty))
        .route("/webhooks/opsgenie", post(super::pager_acks::opsgenie))
        .route("/healthz", get(healthz))
        .route("/metrics", get(super::scrape::metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .merge(alerts)
        .with_state(state)
}

async fn events_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Answer, AppError> {
    let body = state.verifier.verify(&headers, &body)?;
    if let Some(retry) = headers
        .get("x-slack-retry-num")
        .and_then(|v| v.to_str().ok())
    {
        let reason = headers
            .get("x-slack-retry-reason")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        tracing::info!(retry, reason, "Slack is redelivering an event");
    }
    events::handle(&state, body).await
}

async fn commands_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Answer, AppError> {
    let body = state.verifier.verify(&headers, &body)?;
    let cmd = SlashCommand::from_form(body).map_err(AppError::BadRequest)?;
    commands::answer(&state, &cmd).await
}

async fn interactions_route(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Answer, AppError> {
    let body = state.verifier.verify(&headers, &body)?;
    interactions::handle(&state, body).await
}

/// 200 when the database answers and every background task is running; otherwise
/// 503 with what is wrong, one line each, for whoever is looking at the probe.
async fn healthz(State(state): State<AppState>) -> Response {
    let problems = state.tasks.problems();
    if !problems.is_empty() {
        return (StatusCode::SERVICE_UNAVAILABLE, problems.join("\n")).into_response();
    }
    match state.store.read().await {
        Ok(tx) => {
            let _ = tx.commit().await;
            (StatusCode::OK, "ok").into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}
