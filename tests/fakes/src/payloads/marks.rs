//! Reaction and pin events, in the shapes of Slack's event reference and the Java
//! SDK's samples (`json-logs/samples/events/ReactionAddedPayload.json`,
//! `PinAddedPayload.json`, …):
//! * `reaction_added` / `reaction_removed`: `{type, user, reaction, item_user?,
//!   item: {type: "message", channel, ts}, event_ts}` (`item_user` is left out for a
//!   message no user wrote, such as an incoming webhook's);
//! * `pin_added` / `pin_removed`: `{type, user, channel_id, item: {type: "message",
//!   created, created_by, channel, message: {…, pinned_to?, permalink}}, item_user,
//!   pin_count, pinned_info: {channel, pinned_by, pinned_ts}, event_ts}`, with
//!   `has_pins` on `pin_removed` and `pinned_to` only on the message just pinned.

use serde_json::{Value, json};

use super::TEAM_DOMAIN;

/// `user` added the reaction `name` (no colons) to the message `ts` in `channel`,
/// written by `item_user`.
pub fn reaction_added(
    channel: &str,
    ts: &str,
    user: &str,
    name: &str,
    item_user: Option<&str>,
    event_ts: &str,
) -> Value {
    reaction(
        "reaction_added",
        channel,
        ts,
        user,
        name,
        item_user,
        event_ts,
    )
}

/// `user` took the reaction `name` away; see [`reaction_added`].
pub fn reaction_removed(
    channel: &str,
    ts: &str,
    user: &str,
    name: &str,
    item_user: Option<&str>,
    event_ts: &str,
) -> Value {
    reaction(
        "reaction_removed",
        channel,
        ts,
        user,
        name,
        item_user,
        event_ts,
    )
}

fn reaction(
    kind: &str,
    channel: &str,
    ts: &str,
    user: &str,
    name: &str,
    item_user: Option<&str>,
    event_ts: &str,
) -> Value {
    let mut event = json!({
        "type": kind,
        "user": user,
        "reaction": name,
        "item": { "type": "message", "channel": channel, "ts": ts },
        "event_ts": event_ts,
    });
    if let Some(author) = item_user {
        event["item_user"] = json!(author);
    }
    event
}

/// Who pinned a message and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pinned<'a> {
    pub by: &'a str,
    /// Unix seconds.
    pub at: i64,
}

/// `pinned` pinned `message` (as history shows it) in `channel`; `pin_count` is the
/// channel's pins after this one.
pub fn pin_added(
    channel: &str,
    message: &Value,
    pinned: Pinned<'_>,
    pin_count: usize,
    event_ts: &str,
) -> Value {
    let mut message = message.clone();
    message["pinned_to"] = json!([channel]);
    pin(
        "pin_added",
        channel,
        message,
        pinned.by,
        pinned,
        pin_count,
        event_ts,
    )
}

/// `user` unpinned `message`, which `pinned` had pinned; `pin_count` is the channel's
/// pins left.
pub fn pin_removed(
    channel: &str,
    message: &Value,
    user: &str,
    pinned: Pinned<'_>,
    pin_count: usize,
    event_ts: &str,
) -> Value {
    let mut message = message.clone();
    if let Some(m) = message.as_object_mut() {
        m.remove("pinned_to");
    }
    let mut event = pin(
        "pin_removed",
        channel,
        message,
        user,
        pinned,
        pin_count,
        event_ts,
    );
    event["has_pins"] = json!(pin_count > 0);
    event
}

fn pin(
    kind: &str,
    channel: &str,
    mut message: Value,
    user: &str,
    pinned: Pinned<'_>,
    pin_count: usize,
    event_ts: &str,
) -> Value {
    let ts = message
        .get("ts")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    message["permalink"] = json!(permalink(channel, &ts));
    let item_user = message.get("user").cloned().unwrap_or(Value::Null);
    json!({
        "type": kind,
        "user": user,
        "channel_id": channel,
        "item": {
            "type": "message",
            "created": pinned.at,
            "created_by": pinned.by,
            "channel": channel,
            "message": message,
        },
        "item_user": item_user,
        "pin_count": pin_count,
        "pinned_info": { "channel": channel, "pinned_by": pinned.by, "pinned_ts": pinned.at },
        "event_ts": event_ts,
    })
}

/// `https://<domain>.slack.com/archives/<channel>/p<ts without the dot>`.
pub fn permalink(channel: &str, ts: &str) -> String {
    format!(
        "https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{}",
        ts.replace('.', "")
    )
}
