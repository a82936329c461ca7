//! Acknowledgements coming back from the providers. PagerDuty (v3 webhooks) signs
//! with `X-PagerDuty-Signature: v1=<hmac-sha256>`; Opsgenie's outgoing webhook carries
//! a bearer token we configure. An unsigned or malformed call changes nothing.

use crate::error::AppError;
use crate::paging::ack::{AckCtx, ack_alert};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

#[derive(Deserialize)]
struct PagerDutyWebhook {
    event: PagerDutyEvent,
}

#[derive(Deserialize)]
struct PagerDutyEvent {
    event_type: String,
    #[serde(default)]
    agent: Option<Named>,
    data: PagerDutyIncident,
}

#[derive(Deserialize)]
struct PagerDutyIncident {
    incident_key: Option<String>,
}

#[derive(Deserialize)]
struct Named {
    summary: Option<String>,
}

pub async fn pagerduty(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(secret) = &state.settings.paging.pagerduty_webhook_secret else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let signatures = headers
        .get("x-pagerduty-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !pagerduty_signature_matches(secret.expose_secret(), &body, signatures) {
        return Err(AppError::Unauthorized(
            "bad or missing X-PagerDuty-Signature".into(),
        ));
    }
    let hook: PagerDutyWebhook = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("not a PagerDuty webhook: {e}")))?;
    if hook.event.event_type != "incident.acknowledged" {
        return Ok(StatusCode::OK.into_response());
    }
    let key = hook.event.data.incident_key.ok_or_else(|| {
        AppError::BadRequest("incident.acknowledged without data.incident_key".into())
    })?;
    let by = hook
        .event
        .agent
        .and_then(|a| a.summary)
        .unwrap_or_else(|| "someone in PagerDuty".into());
    let outcome = ack_alert(&state.store, AckCtx::of(&state), "pagerduty", &key, &by).await?;
    tracing::info!(?outcome, "PagerDuty acknowledgement");
    state.wake_outbox();
    Ok(StatusCode::OK.into_response())
}

/// PagerDuty may send several `v1=` signatures (during secret rotation); one must match.
pub fn pagerduty_signature_matches(secret: &str, body: &[u8], header: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    let expected = hex::encode(mac.finalize().into_bytes());
    header
        .split(',')
        .filter_map(|s| s.trim().strip_prefix("v1="))
        .any(|sig| sig.as_bytes().ct_eq(expected.as_bytes()).into())
}

#[derive(Deserialize)]
struct OpsgenieWebhook {
    action: String,
    alert: OpsgenieAlert,
}

#[derive(Deserialize)]
struct OpsgenieAlert {
    alias: Option<String>,
    username: Option<String>,
}

pub async fn opsgenie(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let Some(token) = &state.settings.paging.opsgenie_webhook_token else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(token.expose_secret().as_bytes())) {
        return Err(AppError::Unauthorized("bad or missing bearer token".into()));
    }
    let hook: OpsgenieWebhook = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("not an Opsgenie webhook: {e}")))?;
    if hook.action != "Acknowledge" {
        return Ok(StatusCode::OK.into_response());
    }
    let alias = hook
        .alert
        .alias
        .ok_or_else(|| AppError::BadRequest("Acknowledge without alert.alias".into()))?;
    let by = hook
        .alert
        .username
        .unwrap_or_else(|| "someone in Opsgenie".into());
    let outcome = ack_alert(&state.store, AckCtx::of(&state), "opsgenie", &alias, &by).await?;
    tracing::info!(?outcome, "Opsgenie acknowledgement");
    state.wake_outbox();
    Ok(StatusCode::OK.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pagerduty_signature_must_match_one_of_the_v1_values() {
        let body = br#"{"event":{}}"#;
        // HMAC-SHA256 of the body under "s3cret", computed independently (Python's hmac).
        let good = "v1=352991ebcbce339cc66a2794cf09fe782c95f38e7988e48bda8ded984a11311c";
        assert!(pagerduty_signature_matches("s3cret", body, good));
        assert!(pagerduty_signature_matches(
            "s3cret",
            body,
            &format!("v1=00ff,{good}")
        ));
        assert!(!pagerduty_signature_matches("other", body, good));
        assert!(!pagerduty_signature_matches("s3cret", body, ""));
    }
}
