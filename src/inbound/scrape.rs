//! `GET /metrics`: the Prometheus scrape. Open by default, as scrapes usually are on
//! an internal port; with `[metrics] token_env` set, a scrape must send
//! `Authorization: Bearer <token>` (compared in constant time) or get 401. The
//! database's gauges (open incidents, the outbox backlog) are read here, at scrape
//! time, with index-backed counts; [`crate::metrics`] renders them with the
//! process's counters.

use super::alert_routes::bearer;
use crate::metrics::{Format, StoreGauges};
use crate::state::AppState;
use crate::store::{Store, StoreResult};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.settings.metrics.token
        && !authorized(&headers, token)
    {
        tracing::warn!("refused a metrics scrape with a bad or missing token");
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"warroom metrics\"")],
            "bad or missing bearer token",
        )
            .into_response();
    }
    let gauges = match read_gauges(&state.store).await {
        Ok(gauges) => Some(gauges),
        Err(e) => {
            tracing::error!(error = %e, "metrics scrape: could not read the database");
            None
        }
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = Format::from_accept(accept);
    let body = state.metrics.render(gauges.as_ref(), format);
    ([(header::CONTENT_TYPE, format.content_type())], body).into_response()
}

/// Whether the request carries the token. Both sides are hashed first, so the
/// comparison takes as long whatever the length of what was sent.
fn authorized(headers: &HeaderMap, token: &SecretString) -> bool {
    let Some(given) = bearer(headers) else {
        return false;
    };
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(token.expose_secret().as_bytes());
    given.ct_eq(&expected).into()
}

async fn read_gauges(store: &Store) -> StoreResult<StoreGauges> {
    let mut tx = store.read().await?;
    let open = tx.open_incident_counts().await?;
    tx.commit().await?;
    let backlog = store.outbox_backlog().await?;
    let age = backlog
        .oldest_unsent
        .and_then(|at| (chrono::Utc::now() - at).to_std().ok());
    Ok(StoreGauges {
        open_incidents: open
            .into_iter()
            .map(|(severity, status, n)| (severity.level(), status.as_str(), n))
            .collect(),
        outbox_pending: backlog.pending,
        outbox_in_flight: backlog.in_flight,
        oldest_pending_age: age,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_statuses_are_those_the_metrics_start_at_zero() {
        use crate::domain::Status;
        let open: Vec<&str> = [
            Status::Investigating,
            Status::Identified,
            Status::Monitoring,
            Status::Resolved,
            Status::Closed,
        ]
        .into_iter()
        .filter(|s| s.is_open())
        .map(Status::as_str)
        .collect();
        assert_eq!(open, crate::metrics::scrape::OPEN_STATUSES);
    }

    #[test]
    fn only_the_exact_token_is_authorized() {
        let token = SecretString::from("s3cret".to_string());
        let mut h = HeaderMap::new();
        assert!(!authorized(&h, &token), "no header");
        for (value, ok) in [
            ("Bearer s3cret", true),
            ("bearer s3cret", true),
            ("Bearer s3cret2", false),
            ("Bearer s3cre", false),
            ("Bearer ", false),
            ("Basic czNjcmV0", false),
        ] {
            h.insert(header::AUTHORIZATION, value.parse().unwrap());
            assert_eq!(authorized(&h, &token), ok, "{value}");
        }
    }
}
