//! The Events API body: answers `url_verification`, hands message events in war rooms
//! to the timeline, and reactions and pins to its key-event marks, and acknowledges
//! everything else.

use crate::domain::{IdKind, is_key, is_slack_id};
use crate::error::AppError;
use crate::slack::Answer;
use crate::state::AppState;
use crate::timeline::{self, MARK_EVENT_TYPES, MarkEvent, MessageEvent, Ours};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Envelope {
    UrlVerification {
        challenge: String,
    },
    EventCallback {
        event_id: Option<String>,
        api_app_id: Option<String>,
        event: serde_json::Value,
    },
    #[serde(other)]
    Other,
}

/// An Events API request body as HTTP delivers it.
pub async fn handle(state: &AppState, body: &str) -> Result<Answer, AppError> {
    let envelope: Envelope = serde_json::from_str(body)
        .map_err(|e| AppError::BadRequest(format!("not an Events API body: {e}")))?;
    handle_envelope(state, envelope).await
}

/// An Events API payload as Socket Mode delivers it (already JSON).
pub async fn handle_value(
    state: &AppState,
    payload: serde_json::Value,
) -> Result<Answer, AppError> {
    let envelope: Envelope = serde_json::from_value(payload)
        .map_err(|e| AppError::BadRequest(format!("not an Events API payload: {e}")))?;
    handle_envelope(state, envelope).await
}

async fn handle_envelope(state: &AppState, envelope: Envelope) -> Result<Answer, AppError> {
    match envelope {
        Envelope::UrlVerification { challenge } => {
            Ok(Answer::Json(json!({ "challenge": challenge })))
        }
        Envelope::EventCallback {
            event_id,
            api_app_id,
            event,
        } => {
            if event_id.as_deref().is_some_and(|id| !is_key(id)) {
                return Err(AppError::BadRequest("event_id is not an event id".into()));
            }
            if api_app_id
                .as_deref()
                .is_some_and(|id| !is_slack_id(id, IdKind::App))
            {
                return Err(AppError::BadRequest("api_app_id is not an app id".into()));
            }
            let ours = Ours {
                app_id: api_app_id.as_deref(),
                bot_id: None,
            };
            let event_id = event_id.as_deref();
            match event.get("type").and_then(|t| t.as_str()) {
                Some("message") => message(state, event_id, &ours, event).await?,
                Some(kind) if MARK_EVENT_TYPES.contains(&kind) => {
                    mark(state, event_id, &ours, event).await?
                }
                _ => {}
            }
            Ok(Answer::Empty)
        }
        Envelope::Other => Ok(Answer::Empty),
    }
}

async fn message(
    state: &AppState,
    event_id: Option<&str>,
    ours: &Ours<'_>,
    event: serde_json::Value,
) -> Result<(), AppError> {
    let message: MessageEvent = serde_json::from_value(event)
        .map_err(|e| AppError::BadRequest(format!("malformed message event: {e}")))?;
    message
        .check()
        .map_err(|why| AppError::BadRequest(format!("message event: {why}")))?;
    let outcome = timeline::ingest(&state.timeline, event_id, ours, &message).await?;
    if let timeline::Outcome::Refused(why) = outcome {
        return Err(AppError::BadRequest(format!("message event: {why}")));
    }
    tracing::debug!(
        ?outcome,
        event_id = event_id.unwrap_or("-"),
        "message event"
    );
    Ok(())
}

/// A reaction or a pin: a 📌 or a pin on a war-room message marks it a key event.
async fn mark(
    state: &AppState,
    event_id: Option<&str>,
    ours: &Ours<'_>,
    event: serde_json::Value,
) -> Result<(), AppError> {
    let mark: MarkEvent = serde_json::from_value(event)
        .map_err(|e| AppError::BadRequest(format!("malformed reaction or pin event: {e}")))?;
    mark.check()
        .map_err(|why| AppError::BadRequest(format!("reaction or pin event: {why}")))?;
    let outcome = timeline::ingest_mark(&state.timeline, event_id, ours, &mark).await?;
    if let timeline::Outcome::Refused(why) = outcome {
        return Err(AppError::BadRequest(format!(
            "reaction or pin event: {why}"
        )));
    }
    tracing::debug!(
        ?outcome,
        event_id = event_id.unwrap_or("-"),
        "reaction or pin event"
    );
    Ok(())
}
