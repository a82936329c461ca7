//! The Events API body: answers `url_verification`, hands message events in war rooms
//! to the timeline, and acknowledges everything else.

use crate::app::AppState;
use crate::error::AppError;
use crate::timeline::{self, MessageEvent};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
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

pub async fn handle(state: &AppState, body: &str) -> Result<Response, AppError> {
    let envelope: Envelope = serde_json::from_str(body)
        .map_err(|e| AppError::BadRequest(format!("not an Events API body: {e}")))?;
    match envelope {
        Envelope::UrlVerification { challenge } => {
            Ok(Json(json!({ "challenge": challenge })).into_response())
        }
        Envelope::EventCallback {
            event_id,
            api_app_id,
            event,
        } => {
            if event.get("type").and_then(|t| t.as_str()) == Some("message") {
                let message: MessageEvent = serde_json::from_value(event)
                    .map_err(|e| AppError::BadRequest(format!("malformed message event: {e}")))?;
                let outcome = timeline::ingest(
                    &state.store,
                    event_id.as_deref(),
                    api_app_id.as_deref(),
                    &message,
                )
                .await?;
                tracing::debug!(
                    ?outcome,
                    event_id = event_id.as_deref().unwrap_or("-"),
                    "message event"
                );
            }
            Ok(StatusCode::OK.into_response())
        }
        Envelope::Other => Ok(StatusCode::OK.into_response()),
    }
}
