//! Interactivity payloads (`payload=<json>` forms): the declare modal's submission.
//! Validation errors go back in the ack so Slack shows them beside the field.

use super::views::DECLARE_CALLBACK_ID;
use crate::app::AppState;
use crate::commands::{DeclareArgs, declare};
use crate::domain::{IncidentTitle, Severity};
use crate::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Deserialize)]
struct Form {
    payload: String,
}

#[derive(Deserialize)]
struct Payload {
    #[serde(rename = "type")]
    kind: String,
    user: User,
    view: Option<View>,
}

#[derive(Deserialize)]
struct User {
    id: String,
}

#[derive(Deserialize)]
struct View {
    callback_id: Option<String>,
    state: Option<ViewState>,
}

#[derive(Deserialize)]
struct ViewState {
    values: HashMap<String, HashMap<String, Value>>,
}

pub async fn handle(state: &AppState, body: &str) -> Result<Response, AppError> {
    let form: Form = serde_urlencoded::from_str(body)
        .map_err(|e| AppError::BadRequest(format!("no payload field: {e}")))?;
    let payload: Payload = serde_json::from_str(&form.payload)
        .map_err(|e| AppError::BadRequest(format!("payload is not an interaction: {e}")))?;
    match (payload.kind.as_str(), payload.view) {
        ("view_submission", Some(view))
            if view.callback_id.as_deref() == Some(DECLARE_CALLBACK_ID) =>
        {
            let values = view.state.map(|s| s.values).unwrap_or_default();
            match parse_declare(&values) {
                Ok(args) => {
                    declare(state, &payload.user.id, args).await?;
                    Ok(StatusCode::OK.into_response())
                }
                Err(errors) => Ok(
                    Json(json!({"response_action": "errors", "errors": errors})).into_response()
                ),
            }
        }
        // Other interactions (buttons we do not own yet, modal closes) are acknowledged.
        _ => Ok(StatusCode::OK.into_response()),
    }
}

/// The modal's fields as declare arguments, or errors keyed by block id.
fn parse_declare(values: &HashMap<String, HashMap<String, Value>>) -> Result<DeclareArgs, Value> {
    let field = |block: &str| -> Option<String> {
        let v = values.get(block)?.get("value")?;
        v.get("value")
            .or_else(|| v.get("selected_option").and_then(|o| o.get("value")))
            .and_then(|s| s.as_str())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut errors = serde_json::Map::new();
    let title = IncidentTitle::parse(&field("title").unwrap_or_default())
        .map_err(|e| errors.insert("title".into(), json!(e.to_string())))
        .ok();
    let severity = Severity::parse(&field("severity").unwrap_or_default())
        .map_err(|e| errors.insert("severity".into(), json!(e.to_string())))
        .ok();
    match (title, severity) {
        (Some(title), Some(severity)) => Ok(DeclareArgs {
            title,
            severity,
            service: field("service"),
            summary: field("summary"),
        }),
        _ => Err(Value::Object(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(title: &str, sev: &str) -> HashMap<String, HashMap<String, Value>> {
        serde_json::from_value(json!({
            "title": {"value": {"type": "plain_text_input", "value": title}},
            "severity": {"value": {"type": "static_select", "selected_option": {"value": sev}}},
            "service": {"value": {"type": "plain_text_input", "value": null}},
        }))
        .unwrap()
    }

    #[test]
    fn a_complete_form_gives_declare_arguments() {
        let args = parse_declare(&values("Checkout down", "sev1")).unwrap();
        assert_eq!(args.title.as_str(), "Checkout down");
        assert_eq!(args.severity, Severity::SEV1);
        assert_eq!(args.service, None);
    }

    #[test]
    fn a_blank_title_is_reported_against_the_title_field() {
        let errors = parse_declare(&values("  ", "sev1")).unwrap_err();
        assert!(
            errors["title"].as_str().unwrap().contains("title"),
            "{errors}"
        );
        assert!(errors.get("severity").is_none());
    }
}
