//! The "Add as action item" message shortcut. On a war-room message it opens a modal
//! prefilled with the message (straight from the handler after the ack: the trigger
//! id expires in 3 seconds); elsewhere it says, by the `response_url`, that it works
//! only in war rooms. The modal's submission adds the item through the same
//! [`action::add`] as `/incident action`, with the message's ts as its source.

use crate::commands::action::{self, Confirm, NewItem};
use crate::commands::{Delivery, MAX_TEXT_CHARS, Reply};
use crate::domain::{BadDue, IdKind, SlackTs, is_key, is_slack_id, parse_due};
use crate::error::AppError;
use crate::slack::Answer;
use crate::slack::mrkdwn::{echo, unescape};
use crate::slack::views::{self, MAX_INPUT_CHARS};
use crate::state::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A message shortcut as it arrives, checked.
#[derive(Debug, Clone)]
pub struct MessageShortcut {
    pub user: String,
    pub channel: String,
    pub message_ts: String,
    pub message_text: String,
    pub trigger_id: String,
    pub response_url: String,
}

impl MessageShortcut {
    /// The shortcut, or why it cannot be one Slack sent (answered 400).
    pub fn checked(self) -> Result<Self, AppError> {
        let bad = |why: &str| Err(AppError::BadRequest(format!("message shortcut: {why}")));
        if !is_slack_id(&self.channel, IdKind::Channel) {
            return bad("channel.id is not a Slack channel id");
        }
        if SlackTs::parse(&self.message_ts).is_err() {
            return bad("message.ts is not a message ts");
        }
        if !is_key(&self.trigger_id) {
            return bad("trigger_id is not a trigger id");
        }
        if self.response_url.len() > 2_048 || self.message_text.len() > 400_000 {
            return bad("a field is longer than Slack sends");
        }
        Ok(self)
    }
}

/// What the modal carries back: where the message was.
#[derive(Debug, Serialize, Deserialize)]
struct Metadata {
    channel: String,
    ts: String,
}

const ONLY_IN_WAR_ROOMS: &str = ":warning: *Add as action item* works only in an incident war room: use it on a message in the incident's channel.";

/// Opens the modal (or says why not); answers at once, the Slack calls follow.
pub async fn open(state: &AppState, s: MessageShortcut) -> Result<Answer, AppError> {
    let mut tx = state.store.read().await?;
    let incident = tx.incident_by_channel(&s.channel).await?;
    tx.commit().await?;
    let slack = state.slack.clone();
    let respond = move |text: String| async move {
        if s.response_url.is_empty() {
            return;
        }
        let body = json!({"response_type": "ephemeral", "text": echo(&text)});
        if let Err(e) = slack.respond(&s.response_url, &body).await {
            tracing::warn!(error = %e, "could not answer a message shortcut");
        }
    };
    if incident.is_none() {
        tokio::spawn(respond(ONLY_IN_WAR_ROOMS.to_string()));
        return Ok(Answer::Empty);
    }
    let metadata = serde_json::to_string(&Metadata {
        channel: s.channel.clone(),
        ts: s.message_ts.clone(),
    })
    .map_err(anyhow::Error::from)?;
    let view = views::action_item_modal(&metadata, &unescape(&s.message_text));
    let (slack, trigger) = (state.slack.clone(), s.trigger_id.clone());
    tokio::spawn(async move {
        if let Err(e) = slack.open_view(&trigger, &view).await {
            tracing::warn!(error = %e, "could not open the action item modal");
            respond(format!(
                "Could not open the form ({e}). Add the item with `{}` instead.",
                action::USAGE
            ))
            .await;
        }
    });
    Ok(Answer::Empty)
}

/// The modal's submission: the item added, or errors shown beside the fields.
pub async fn submit(
    state: &AppState,
    user: &str,
    metadata: Option<&str>,
    values: &HashMap<String, HashMap<String, Value>>,
    delivery: &Delivery,
) -> Result<Answer, AppError> {
    let meta: Metadata = serde_json::from_str(metadata.unwrap_or_default())
        .map_err(|e| AppError::BadRequest(format!("action item modal metadata: {e}")))?;
    if !is_slack_id(&meta.channel, IdKind::Channel) || SlackTs::parse(&meta.ts).is_err() {
        return Err(AppError::BadRequest(
            "action item modal metadata: not a channel and a message ts".into(),
        ));
    }
    let today = state.clock.now().date_naive();
    let mut item = match read_form(values, today) {
        Ok(item) => item,
        Err(errors) => return Ok(errors_answer(errors)),
    };
    item.source_ts = Some(meta.ts);
    let reply = action::add(
        state,
        &meta.channel,
        user,
        item,
        Confirm::InWarRoom,
        delivery,
    )
    .await?;
    Ok(match reply {
        // Nothing was stored (the channel is no longer a war room): say so in the form.
        Reply::Ephemeral(why) => {
            let why = why.trim_start_matches(":warning: ").to_string();
            errors_answer(json!({"text": why}))
        }
        _ => Answer::Empty,
    })
}

fn errors_answer(errors: Value) -> Answer {
    Answer::Json(json!({"response_action": "errors", "errors": errors}))
}

/// The form's values as a new item (no source yet), or errors keyed by block id.
fn read_form(
    values: &HashMap<String, HashMap<String, Value>>,
    today: chrono::NaiveDate,
) -> Result<NewItem, Value> {
    let element = |block: &str, key: &str| -> Option<String> {
        values
            .get(block)?
            .get("value")?
            .get(key)?
            .as_str()
            // NUL cannot be stored on PostgreSQL; the rest of the text is kept.
            .map(|s| s.replace('\0', "").trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut errors = serde_json::Map::new();
    let text = element("text", "value").unwrap_or_default();
    if text.is_empty() {
        errors.insert("text".into(), json!("Say what should be done."));
    } else if text.chars().count() > MAX_INPUT_CHARS.min(MAX_TEXT_CHARS) {
        errors.insert(
            "text".into(),
            json!(format!("Keep it within {MAX_INPUT_CHARS} characters.")),
        );
    }
    let owner_id = element("owner", "selected_user");
    if owner_id
        .as_deref()
        .is_some_and(|id| !is_slack_id(id, IdKind::User))
    {
        errors.insert("owner".into(), json!("Pick a person from the list."));
    }
    let due = match element("due", "selected_date").map(|d| parse_due(&d, today)) {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(BadDue::TooFar(_))) => {
            let far = format!(
                "Pick a date within {} years of today.",
                crate::domain::MAX_DUE_YEARS
            );
            errors.insert("due".into(), json!(far));
            None
        }
        Some(Err(_)) => {
            errors.insert("due".into(), json!("Pick a date from the calendar."));
            None
        }
    };
    if !errors.is_empty() {
        return Err(Value::Object(errors));
    }
    Ok(NewItem {
        text,
        owner_id,
        due,
        source_ts: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        "2026-12-02".parse().unwrap()
    }

    fn form(text: Value, owner: Value, due: Value) -> HashMap<String, HashMap<String, Value>> {
        serde_json::from_value(json!({
            "text": {"value": {"type": "plain_text_input", "value": text}},
            "owner": {"value": {"type": "users_select", "selected_user": owner}},
            "due": {"value": {"type": "datepicker", "selected_date": due}},
        }))
        .unwrap()
    }

    #[test]
    fn a_complete_form_gives_the_item_with_owner_and_date() {
        let item = read_form(
            &form(
                json!(" Roll back faster "),
                json!("U02GLEN"),
                json!("2026-12-04"),
            ),
            today(),
        )
        .unwrap();
        assert_eq!(item.text, "Roll back faster");
        assert_eq!(item.owner_id.as_deref(), Some("U02GLEN"));
        assert_eq!(item.due, Some("2026-12-04".parse().unwrap()));
    }

    #[test]
    fn owner_and_date_are_optional_and_a_past_date_is_allowed() {
        let item = read_form(&form(json!("Roll back"), Value::Null, Value::Null), today()).unwrap();
        assert_eq!((item.owner_id, item.due), (None, None));
        let item = read_form(&form(json!("x"), Value::Null, json!("2026-11-01")), today()).unwrap();
        assert_eq!(item.due, Some("2026-11-01".parse().unwrap()));
    }

    #[test]
    fn each_bad_field_is_reported_against_its_own_block() {
        for (values, block, says) in [
            (
                form(json!("  "), Value::Null, Value::Null),
                "text",
                "Say what should be done.",
            ),
            (
                form(Value::Null, Value::Null, Value::Null),
                "text",
                "Say what should be done.",
            ),
            (
                form(json!("x".repeat(3001)), Value::Null, Value::Null),
                "text",
                "within 3000",
            ),
            (
                form(json!("x"), json!("C0NOTAUSER"), Value::Null),
                "owner",
                "Pick a person",
            ),
            (
                form(json!("x"), Value::Null, json!("2026-02-30")),
                "due",
                "from the calendar",
            ),
            (
                form(json!("x"), Value::Null, json!("2040-01-01")),
                "due",
                "within 5 years",
            ),
        ] {
            let errors = read_form(&values, today()).unwrap_err();
            let got = errors[block].as_str().unwrap_or_default();
            assert!(got.contains(says), "{block}: {errors}");
            assert_eq!(errors.as_object().unwrap().len(), 1, "{errors}");
        }
    }
}
