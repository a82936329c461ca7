//! Interaction payloads Slack sends an app, in Slack's shapes: a message shortcut
//! (`type: message_action`, as bolt's `MessageShortcut` types it) and a modal's
//! `view_submission`, built from the view the app opened so the state values can only
//! name blocks that view has, each in its element's value shape.

use serde_json::{Map, Value, json};

use crate::payloads::{TEAM_DOMAIN, VERIFICATION_TOKEN};
use crate::slack::{BOT_APP_ID, BOT_ID, TEAM_ID};

/// Someone uses the message shortcut `callback_id` on a message. `message` is the
/// message as Slack stores it (`ts`, `text`, `user`, …).
pub fn message_shortcut(
    callback_id: &str,
    user: &str,
    channel: &str,
    message: Value,
    trigger_id: &str,
    response_url: &str,
) -> Value {
    let ts = message["ts"].clone();
    json!({
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": format!("{}.000001", chrono::Utc::now().timestamp()),
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user, "name": user.to_lowercase(), "username": user.to_lowercase(), "team_id": TEAM_ID},
        "channel": {"id": channel, "name": "incident-channel"},
        "is_enterprise_install": false,
        "enterprise": null,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "response_url": response_url,
        "message_ts": ts,
        "message": message,
    })
}

/// What a person entered in one input block of a modal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input<'a> {
    /// Typed into a `plain_text_input` (as typed: Slack escapes nothing here).
    Text(&'a str),
    /// Picked in a `users_select` (`None`: left empty).
    User(Option<&'a str>),
    /// Picked in a `datepicker`, `YYYY-MM-DD` (`None`: left empty).
    Date(Option<&'a str>),
    /// The value of the option picked in a `static_select`: one of its `options`.
    Choice(&'a str),
}

/// `user` submits `view` (as the app sent it to `views.open`) with `inputs` keyed by
/// block id. Every input block of the view is in the state, empty unless given.
///
/// # Panics
/// When an input names a block the view lacks, or does not fit its element: a test
/// bug, since Slack could never send it.
pub fn view_submission(view_id: &str, view: &Value, user: &str, inputs: &[(&str, Input)]) -> Value {
    let blocks = view["blocks"].as_array().cloned().unwrap_or_default();
    for (block_id, _) in inputs {
        assert!(
            blocks
                .iter()
                .any(|b| b["block_id"] == *block_id && b["type"] == "input"),
            "the view has no input block `{block_id}`"
        );
    }
    let mut values = Map::new();
    for block in blocks.iter().filter(|b| b["type"] == "input") {
        let block_id = block["block_id"]
            .as_str()
            .expect("input blocks have ids here");
        let element = &block["element"];
        let kind = element["type"].as_str().unwrap_or_default();
        let given = inputs.iter().find(|(b, _)| *b == block_id).map(|(_, i)| *i);
        let value = match (kind, given) {
            ("plain_text_input", Some(Input::Text(t))) => json!({"type": kind, "value": t}),
            ("plain_text_input", None) => {
                json!({"type": kind, "value": element.get("initial_value")})
            }
            ("users_select", Some(Input::User(u))) => json!({"type": kind, "selected_user": u}),
            ("users_select", None) => {
                json!({"type": kind, "selected_user": element.get("initial_user")})
            }
            ("datepicker", Some(Input::Date(d))) => json!({"type": kind, "selected_date": d}),
            ("datepicker", None) => {
                json!({"type": kind, "selected_date": element.get("initial_date")})
            }
            ("static_select", Some(Input::Choice(v))) => {
                let option = element["options"]
                    .as_array()
                    .and_then(|o| o.iter().find(|o| o["value"] == v))
                    .unwrap_or_else(|| panic!("block `{block_id}` offers no option `{v}`"));
                json!({"type": kind, "selected_option": option})
            }
            ("static_select", None) => {
                json!({"type": kind, "selected_option": element.get("initial_option")})
            }
            // Slack sends the ticked options, an empty list when none is ticked.
            ("checkboxes", Some(Input::Choice(v))) => {
                let option = element["options"]
                    .as_array()
                    .and_then(|o| o.iter().find(|o| o["value"] == v))
                    .unwrap_or_else(|| panic!("block `{block_id}` offers no option `{v}`"));
                json!({"type": kind, "selected_options": [option]})
            }
            ("checkboxes", None) => {
                let initial = element.get("initial_options").cloned().unwrap_or(json!([]));
                json!({"type": kind, "selected_options": initial})
            }
            (kind, given) => panic!("block `{block_id}` is a {kind}: it cannot take {given:?}"),
        };
        let action_id = element["action_id"].as_str().unwrap_or("action");
        values.insert(block_id.to_string(), json!({ action_id: value }));
    }
    let mut sent = view.clone();
    if let Some(v) = sent.as_object_mut() {
        v.insert("id".into(), json!(view_id));
        v.insert("team_id".into(), json!(TEAM_ID));
        v.insert("state".into(), json!({"values": values}));
        v.insert("hash".into(), json!(format!("1700000000.{view_id}")));
        v.insert("app_id".into(), json!(BOT_APP_ID));
        v.insert("bot_id".into(), json!(BOT_ID));
        v.insert("root_view_id".into(), json!(view_id));
        v.entry("private_metadata").or_insert(json!(""));
    }
    json!({
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": TEAM_DOMAIN},
        "user": {"id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": TEAM_ID},
        "api_app_id": BOT_APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": format!("{}.738474920.submit", chrono::Utc::now().timestamp()),
        "view": sent,
        "response_urls": [],
        "is_enterprise_install": false,
        "enterprise": null,
    })
}
