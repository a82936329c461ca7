//! `POST /alerts/alertmanager` and `POST /alerts/grafana`: alert webhooks in. Neither
//! tool signs its requests, so each source has a shared token (named in the rules
//! file, read from the environment), sent as `Authorization: Bearer <token>` or, for
//! senders that cannot set headers, as `?token=`. It is compared in constant time.
//! A source that is not configured answers 404, a bad or missing token 401, a body
//! that is not the source's format 400, one over the limit 413; none of them stores
//! anything. A notification is stored and handled before the 200, so a retry after a
//! timeout or a 5xx changes nothing.

use crate::alerts::{self, payload};
use crate::domain::alert::Source;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

pub async fn alertmanager(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    receive(
        &state,
        Source::Alertmanager,
        &headers,
        query.as_deref(),
        &body,
    )
    .await
}

pub async fn grafana(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    receive(&state, Source::Grafana, &headers, query.as_deref(), &body).await
}

async fn receive(
    state: &AppState,
    source: Source,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &[u8],
) -> Response {
    let Some(auth) = state.settings.alerts.auth(source) else {
        let why = format!(
            "{} alerts are not enabled here: set [sources.{}] in the alert rules file",
            source.title(),
            source.as_str()
        );
        return (StatusCode::NOT_FOUND, why).into_response();
    };
    let given = bearer(headers).or_else(|| query_token(query));
    let expected = auth.token.expose_secret().as_bytes();
    let ok = given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(expected)));
    if !ok {
        tracing::warn!(source = %source, "rejected an alert webhook with a bad or missing token");
        return (StatusCode::UNAUTHORIZED, "bad or missing token").into_response();
    }
    let notification = match payload::parse(source, body) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(source = %source, error = %e, "rejected a malformed alert webhook");
            return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
        }
    };
    let alerts = notification.alerts.len();
    match alerts::intake(state, notification).await {
        Ok(outcome) => {
            tracing::info!(source = %source, alerts, ?outcome, "alert notification handled");
            (StatusCode::OK, Json(outcome)).into_response()
        }
        Err(e) => {
            // 5xx: the sender retries, and a retry finds nothing half-done.
            tracing::error!(source = %source, error = %e, "could not handle an alert notification");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "could not store the notification; retry",
            )
                .into_response()
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header (any case of the scheme).
pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn query_token(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_read_from_a_bearer_header_in_any_case_of_scheme() {
        let mut h = HeaderMap::new();
        h.insert("authorization", "bearer s3cret".parse().unwrap());
        assert_eq!(bearer(&h).as_deref(), Some("s3cret"));
        h.insert("authorization", "Basic czNjcmV0".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn the_token_is_read_from_the_query_decoded() {
        assert_eq!(
            query_token(Some("a=1&token=s%2B3cret")).as_deref(),
            Some("s+3cret")
        );
        assert_eq!(query_token(Some("tokens=x")), None);
        assert_eq!(query_token(None), None);
    }
}
