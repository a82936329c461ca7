//! Interactivity payloads (`payload=<json>` forms): the declare modal's submission,
//! the Acknowledge button, the alert posts' Declare and Resolve buttons (in
//! [`super::alert_buttons`]), the nudges' Snooze and Dismiss buttons (in
//! [`super::nudge_buttons`]), and the "Add as action item" shortcut and its modal (in
//! [`super::shortcuts`]). Validation errors go back in the ack so Slack shows them
//! beside the field.

use super::alert_buttons;
use super::nudge_buttons;
use super::shortcuts::{self, MessageShortcut};
use crate::commands::{DeclareArgs, DeclaredVia, Delivery, Reply, declare};
use crate::domain::{IncidentTitle, Severity};
use crate::error::AppError;
use crate::paging::ack::{AckCtx, AckOutcome, AckSource, ack_pages_in};
use crate::slack::Answer;
use crate::slack::alert_views::{DECLARE_ALERT_ACTION_ID, RESOLVE_ALERT_ACTION_ID};
use crate::slack::nudge_views::NUDGE_ACTION_IDS;
use crate::slack::views::{
    ACK_ACTION_ID, ACTION_ITEM_CALLBACK_ID, ACTION_ITEM_SHORTCUT_ID, DECLARE_CALLBACK_ID,
    DRILL_OPTION,
};
use crate::state::AppState;
use crate::store::PageRecord;
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
    #[serde(default)]
    actions: Vec<Action>,
    response_url: Option<String>,
    /// A shortcut's own id (a modal's is in its view).
    callback_id: Option<String>,
    trigger_id: Option<String>,
    channel: Option<Channel>,
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Channel {
    id: String,
}

/// The message a message shortcut was used on.
#[derive(Deserialize)]
struct Message {
    ts: String,
    /// Absent on messages made only of blocks or files.
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Action {
    action_id: String,
    value: Option<String>,
}

#[derive(Deserialize)]
struct User {
    id: String,
}

#[derive(Deserialize)]
struct View {
    callback_id: Option<String>,
    private_metadata: Option<String>,
    state: Option<ViewState>,
}

#[derive(Deserialize)]
struct ViewState {
    values: HashMap<String, HashMap<String, Value>>,
}

/// An interaction as HTTP delivers it: a form with a `payload` field of JSON.
pub async fn handle(state: &AppState, body: &str) -> Result<Answer, AppError> {
    let form: Form = serde_urlencoded::from_str(body)
        .map_err(|e| AppError::BadRequest(format!("no payload field: {e}")))?;
    let payload: Payload = serde_json::from_str(&form.payload)
        .map_err(|e| AppError::BadRequest(format!("payload is not an interaction: {e}")))?;
    handle_payload(state, payload, &Delivery::none()).await
}

/// An interaction as Socket Mode delivers it (already JSON), in envelope `delivery`.
pub async fn handle_value(
    state: &AppState,
    payload: Value,
    delivery: &Delivery,
) -> Result<Answer, AppError> {
    let payload: Payload = serde_json::from_value(payload)
        .map_err(|e| AppError::BadRequest(format!("payload is not an interaction: {e}")))?;
    let answer = handle_payload(state, payload, delivery).await?;
    delivery.record_if_not_yet(&state.store, &answer).await?;
    Ok(answer)
}

async fn handle_payload(
    state: &AppState,
    payload: Payload,
    delivery: &Delivery,
) -> Result<Answer, AppError> {
    use crate::domain::{IdKind, is_slack_id};
    if !is_slack_id(&payload.user.id, IdKind::User) {
        return Err(AppError::BadRequest(
            "user.id is not a Slack user id".into(),
        ));
    }
    if payload
        .actions
        .iter()
        .any(|a| a.action_id.len() > 255 || a.value.as_ref().is_some_and(|v| v.len() > 2_000))
    {
        return Err(AppError::BadRequest(
            "an action is longer than Slack sends".into(),
        ));
    }
    match (payload.kind.as_str(), payload.view) {
        ("message_action", _)
            if payload.callback_id.as_deref() == Some(ACTION_ITEM_SHORTCUT_ID) =>
        {
            let (Some(channel), Some(message)) = (payload.channel, payload.message) else {
                return Err(AppError::BadRequest(
                    "a message shortcut without its channel and message".into(),
                ));
            };
            let shortcut = MessageShortcut {
                user: payload.user.id,
                channel: channel.id,
                message_ts: message.ts,
                message_text: message.text,
                trigger_id: payload.trigger_id.unwrap_or_default(),
                response_url: payload.response_url.unwrap_or_default(),
            }
            .checked()?;
            shortcuts::open(state, shortcut).await
        }
        ("view_submission", Some(view))
            if view.callback_id.as_deref() == Some(ACTION_ITEM_CALLBACK_ID) =>
        {
            let values = view.state.map(|s| s.values).unwrap_or_default();
            let metadata = view.private_metadata.as_deref();
            shortcuts::submit(state, &payload.user.id, metadata, &values, delivery).await
        }
        ("view_submission", Some(view))
            if view.callback_id.as_deref() == Some(DECLARE_CALLBACK_ID) =>
        {
            let values = view.state.map(|s| s.values).unwrap_or_default();
            match parse_declare(&values) {
                Ok(args) => {
                    let reply = declare(
                        state,
                        &payload.user.id,
                        args,
                        DeclaredVia::Modal,
                        delivery,
                        |_| Reply::Empty,
                    )
                    .await?;
                    Ok(reply.to_answer())
                }
                Err(errors) => Ok(Answer::Json(
                    json!({"response_action": "errors", "errors": errors}),
                )),
            }
        }
        ("block_actions", _) => {
            if let Some((action_id, id)) = payload.actions.iter().find_map(|a| {
                [DECLARE_ALERT_ACTION_ID, RESOLVE_ALERT_ACTION_ID]
                    .contains(&a.action_id.as_str())
                    .then_some((a.action_id.as_str(), a.value.as_deref()))
            }) {
                let id = id.and_then(|v| v.parse::<i64>().ok()).ok_or_else(|| {
                    AppError::BadRequest(format!("{action_id} button without an id"))
                })?;
                let user = &payload.user.id;
                let url = payload.response_url.as_deref();
                let answer = if action_id == DECLARE_ALERT_ACTION_ID {
                    Some(alert_buttons::declare(state, id, user).await?)
                } else {
                    alert_buttons::resolve(state, id, user, url, delivery).await?
                };
                if let Some(answer) = answer {
                    alert_buttons::respond_later(state, payload.response_url.clone(), answer);
                }
                return Ok(Answer::Empty);
            }
            if let Some(action) = payload
                .actions
                .iter()
                .find(|a| NUDGE_ACTION_IDS.contains(&a.action_id.as_str()))
            {
                let (id, value) = (&action.action_id, action.value.as_deref());
                if let Some(answer) =
                    nudge_buttons::handle(state, id, value, &payload.user.id, delivery).await?
                {
                    alert_buttons::respond_later(state, payload.response_url.clone(), answer);
                }
                return Ok(Answer::Empty);
            }
            if let Some(action) = payload
                .actions
                .iter()
                .find(|a| a.action_id == ACK_ACTION_ID)
            {
                let page_id = action
                    .value
                    .as_deref()
                    .and_then(|v| v.parse::<i64>().ok())
                    .ok_or_else(|| {
                        AppError::BadRequest("acknowledge button without a page id".into())
                    })?;
                let Some(answer) = ack_button(state, page_id, &payload.user.id, delivery).await?
                else {
                    return Ok(Answer::Empty); // a twin delivery did it, and said so
                };
                let answer = escaped_texts(answer);
                if let Some(url) = payload.response_url {
                    let slack = state.slack.clone();
                    tokio::spawn(async move {
                        if let Err(e) = slack.respond(&url, &answer).await {
                            tracing::warn!(error = %e, "could not update the page message after an ack");
                        }
                    });
                }
            }
            Ok(Answer::Empty)
        }
        // Other interactions (modal closes, buttons we do not own) are acknowledged.
        _ => Ok(Answer::Empty),
    }
}

/// Acks the page behind a DM's button; returns what the page message should say now
/// (`None` when a twin delivery of the same click got there first).
async fn ack_button(
    state: &AppState,
    page_id: i64,
    user: &str,
    delivery: &Delivery,
) -> Result<Option<Value>, AppError> {
    let mut tx = state.store.read().await?;
    let page = tx.page(page_id).await?;
    tx.commit().await?;
    let Some(page) = page else {
        return Ok(Some(
            json!({"response_type": "ephemeral", "replace_original": false, "text": ":warning: That page no longer exists."}),
        ));
    };
    if page.user_id != user {
        let text = format!(
            ":warning: This page was sent to <@{}>, so only they can acknowledge it here.",
            page.user_id
        );
        return Ok(Some(
            json!({"response_type": "ephemeral", "replace_original": false, "text": text}),
        ));
    }
    let mut tx = state.store.begin().await?;
    let outcome = ack_pages_in(
        &mut tx,
        AckCtx::of(state),
        page.incident_id,
        user,
        Some(page_id),
        AckSource::SlackButton,
    )
    .await?;
    if delivery.commit_answer(tx, Answer::Empty).await?.is_some() {
        return Ok(None);
    }
    state.wake_outbox();
    let text = match outcome {
        AckOutcome::Acked { incident_id, .. } => {
            format!(
                ":white_check_mark: You acknowledged incident #{incident_id}. Escalation has stopped; see you in the war room."
            )
        }
        AckOutcome::AlreadyAcked { incident_id } => {
            format!(":white_check_mark: Incident #{incident_id}: already acknowledged.")
        }
        AckOutcome::NotPaged => ":warning: There is no page of yours to acknowledge.".to_string(),
    };
    match dm_now(state, page_id).await? {
        // The DM may page for other incidents too: it is shown whole, their buttons
        // kept, this page's button replaced by the ack.
        Some(blocks) => Ok(Some(
            json!({"replace_original": true, "text": text, "blocks": blocks}),
        )),
        // The page was clicked on a DM it had just joined by an update, not yet
        // recorded there: what that DM should read is not known here, so it is left
        // to the re-render the ack queued, and the answer goes to the clicker alone.
        None => Ok(Some(
            json!({"response_type": "ephemeral", "replace_original": false, "text": text}),
        )),
    }
}

/// The blocks of the DM that carries page `page_id`, as its pages stand now (read
/// after the ack); `None` while no DM is recorded as carrying it.
async fn dm_now(state: &AppState, page_id: i64) -> Result<Option<Value>, AppError> {
    let mut tx = state.store.read().await?;
    let page: Option<PageRecord> = tx.page(page_id).await?;
    let rendered = match page
        .as_ref()
        .and_then(|p| p.dm_channel.as_ref().zip(p.dm_ts.as_ref()))
    {
        Some((channel, ts)) => {
            let server = state
                .settings
                .fallback
                .irc
                .as_ref()
                .map(|irc| format!("{}:{}", irc.host, irc.port));
            crate::paging::dm::render(&mut tx, channel, ts, server.as_deref()).await?
        }
        None => None,
    };
    tx.commit().await?;
    Ok(rendered.map(|(_, blocks)| blocks))
}

/// A response_url body with its `text` escaped for Slack.
fn escaped_texts(mut body: Value) -> Value {
    if let Some(text) = body.get("text").and_then(Value::as_str) {
        body["text"] = Value::String(crate::slack::mrkdwn::echo(text));
    }
    body
}

/// The modal's fields as declare arguments, or errors keyed by block id.
fn parse_declare(values: &HashMap<String, HashMap<String, Value>>) -> Result<DeclareArgs, Value> {
    let field = |block: &str| -> Option<String> {
        let v = values.get(block)?.get("value")?;
        v.get("value")
            .or_else(|| v.get("selected_option").and_then(|o| o.get("value")))
            .and_then(|s| s.as_str())
            // NUL cannot be stored on PostgreSQL; the rest of the text is kept.
            .map(|s| s.replace('\0', "").trim().to_string())
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
            drill: drill_checked(values),
        }),
        _ => Err(Value::Object(errors)),
    }
}

/// Whether the modal's "Drill" box is ticked (a `checkboxes` element reports its
/// ticked options as `selected_options`).
fn drill_checked(values: &HashMap<String, HashMap<String, Value>>) -> bool {
    values
        .get("drill")
        .and_then(|b| b.get("value"))
        .and_then(|v| v.get("selected_options"))
        .and_then(Value::as_array)
        .is_some_and(|ticked| {
            ticked
                .iter()
                .any(|o| o.get("value").and_then(Value::as_str) == Some(DRILL_OPTION))
        })
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
    fn the_drill_box_ticked_declares_a_drill_and_unticked_a_real_incident() {
        let mut form = values("Failover practice", "sev2");
        assert!(!parse_declare(&form).unwrap().drill, "no box at all");
        let ticked: HashMap<String, Value> = serde_json::from_value(json!({"value":
            {"type": "checkboxes", "selected_options": [{"value": DRILL_OPTION}]}}))
        .unwrap();
        form.insert("drill".into(), ticked);
        assert!(parse_declare(&form).unwrap().drill);
        let unticked: HashMap<String, Value> = serde_json::from_value(
            json!({"value": {"type": "checkboxes", "selected_options": []}}),
        )
        .unwrap();
        form.insert("drill".into(), unticked);
        assert!(!parse_declare(&form).unwrap().drill);
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
