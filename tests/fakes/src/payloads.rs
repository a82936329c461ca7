//! Payloads Slack sends to an app, in Slack's exact shapes: slash commands
//! (form-encoded), Events API callbacks and the message, reaction and pin events
//! inside them ([`reaction_added`], [`pin_added`], …),
//! including the two ways a deletion arrives: `message_deleted` for a plain
//! message or a reply, and a `message_changed` carrying a tombstone for a thread
//! parent that has replies ([`message_changed_tombstone`]).
//!
//! Ids default to the fake workspace's ([`TEAM_ID`], [`BOT_APP_ID`],
//! [`BOT_USER_ID`]) so they line up with [`crate::FakeSlack`].

use serde_json::{Value, json};

use crate::slack::{BOT_APP_ID, BOT_USER_ID, TEAM_ID};

mod marks;
pub use marks::{Pinned, permalink, pin_added, pin_removed, reaction_added, reaction_removed};

/// The (deprecated) verification token Slack still sends in payloads.
pub const VERIFICATION_TOKEN: &str = "verification-token-test";
/// The fake workspace's domain.
pub const TEAM_DOMAIN: &str = "warroom-test";
/// The user a tombstone is attributed to.
pub const SLACKBOT_USER_ID: &str = "USLACKBOT";
/// The text of a deleted thread parent's tombstone.
pub const TOMBSTONE_TEXT: &str = "This message was deleted.";

/// A slash command invocation. [`SlashCommand::form`] gives the body Slack POSTs.
#[derive(Debug, Clone, PartialEq)]
pub struct SlashCommand {
    pub command: String,
    pub text: String,
    pub channel_id: String,
    pub channel_name: String,
    pub user_id: String,
    pub user_name: String,
    pub response_url: String,
    pub trigger_id: String,
    pub team_id: String,
    pub team_domain: String,
    pub api_app_id: String,
}

impl SlashCommand {
    /// `command_text` is what the user typed, e.g. `/incident declare sev1 DB down`:
    /// the first word is the command, the rest its text. Without a leading `/`,
    /// the whole string is the text of `/incident`. The channel name defaults to
    /// `incidents` (see [`SlashCommand::with_channel_name`]).
    pub fn new(
        command_text: &str,
        channel_id: &str,
        user_id: &str,
        user_name: &str,
        response_url: &str,
        trigger_id: &str,
    ) -> SlashCommand {
        let trimmed = command_text.trim();
        let (command, text) = if trimmed.starts_with('/') {
            match trimmed.split_once(char::is_whitespace) {
                Some((c, t)) => (c.to_string(), t.trim().to_string()),
                None => (trimmed.to_string(), String::new()),
            }
        } else {
            ("/incident".to_string(), trimmed.to_string())
        };
        SlashCommand {
            command,
            text,
            channel_id: channel_id.to_string(),
            channel_name: "incidents".to_string(),
            user_id: user_id.to_string(),
            user_name: user_name.to_string(),
            response_url: response_url.to_string(),
            trigger_id: trigger_id.to_string(),
            team_id: TEAM_ID.to_string(),
            team_domain: TEAM_DOMAIN.to_string(),
            api_app_id: BOT_APP_ID.to_string(),
        }
    }

    pub fn with_channel_name(mut self, name: &str) -> SlashCommand {
        self.channel_name = name.to_string();
        self
    }

    /// The fields, in the order Slack sends them.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("token", VERIFICATION_TOKEN.to_string()),
            ("team_id", self.team_id.clone()),
            ("team_domain", self.team_domain.clone()),
            ("channel_id", self.channel_id.clone()),
            ("channel_name", self.channel_name.clone()),
            ("user_id", self.user_id.clone()),
            ("user_name", self.user_name.clone()),
            ("command", self.command.clone()),
            ("text", self.text.clone()),
            ("api_app_id", self.api_app_id.clone()),
            ("is_enterprise_install", "false".to_string()),
            ("response_url", self.response_url.clone()),
            ("trigger_id", self.trigger_id.clone()),
        ]
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> String {
        serde_urlencoded::to_string(self.fields()).unwrap_or_default()
    }
}

/// Form body of a slash command; see [`SlashCommand::new`] for `command_text`.
pub fn slash_command_form(
    command_text: &str,
    channel_id: &str,
    user_id: &str,
    user_name: &str,
    response_url: &str,
    trigger_id: &str,
) -> String {
    SlashCommand::new(
        command_text,
        channel_id,
        user_id,
        user_name,
        response_url,
        trigger_id,
    )
    .form()
}

/// A trigger id shaped like Slack's (`13345224609.738474920.8088930838d88f008e0`).
pub fn trigger_id(n: u64) -> String {
    format!("{}.738474920.{:019x}", 13_345_224_609u64 + n, n)
}

/// The Events API envelope (`type: event_callback`) around `event`. `event_time`
/// is taken from the event's `event_ts`/`ts` when it has one.
pub fn event_callback(event_id: &str, event: Value) -> Value {
    let event_time = ["event_ts", "ts"]
        .iter()
        .find_map(|k| event.get(*k).and_then(Value::as_str))
        .and_then(|ts| ts.split('.').next())
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    json!({
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "context_team_id": TEAM_ID,
        "context_enterprise_id": null,
        "api_app_id": BOT_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [{
            "enterprise_id": null,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "is_bot": true,
            "is_enterprise_install": false,
        }],
        "is_ext_shared_channel": false,
        "event_context": format!("4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJ{event_id}In0"),
    })
}

/// The Events API `url_verification` handshake.
pub fn url_verification(challenge: &str) -> Value {
    json!({ "token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification" })
}

/// A deterministic client message id (UUID-shaped) for a ts.
fn client_msg_id(ts: &str) -> String {
    let digits: String = ts.chars().filter(char::is_ascii_digit).collect();
    let padded = format!("{digits:0>32}");
    let d = &padded[padded.len() - 32..];
    format!(
        "{}-{}-{}-{}-{}",
        &d[0..8],
        &d[8..12],
        &d[12..16],
        &d[16..20],
        &d[20..32]
    )
}

/// The `rich_text` block Slack attaches to a typed message.
fn rich_text(text: &str, ts: &str) -> Value {
    json!([{
        "type": "rich_text",
        "block_id": format!("b{}", ts.replace('.', "")),
        "elements": [{
            "type": "rich_text_section",
            "elements": [{ "type": "text", "text": text }],
        }],
    }])
}

/// A plain message typed by a user in a channel.
pub fn message(channel: &str, user: &str, text: &str, ts: &str) -> Value {
    json!({
        "client_msg_id": client_msg_id(ts),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "blocks": rich_text(text, ts),
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    })
}

/// A reply in a thread (`thread_ts` = the parent's ts). `parent_user_id` is the
/// replying user, as Slack cannot be asked here who wrote the parent.
pub fn thread_reply(channel: &str, user: &str, text: &str, ts: &str, thread_ts: &str) -> Value {
    let mut event = message(channel, user, text, ts);
    event["thread_ts"] = json!(thread_ts);
    event["parent_user_id"] = json!(user);
    event
}

/// An edit: `message.ts` is the original ts, the event's own `ts` is `edit_ts`.
pub fn message_changed(
    channel: &str,
    ts: &str,
    new_text: &str,
    user: &str,
    edit_ts: &str,
    previous_text: &str,
) -> Value {
    json!({
        "type": "message",
        "subtype": "message_changed",
        "message": {
            "client_msg_id": client_msg_id(ts),
            "type": "message",
            "text": new_text,
            "user": user,
            "team": TEAM_ID,
            "edited": { "user": user, "ts": edit_ts },
            "blocks": rich_text(new_text, ts),
            "ts": ts,
            "source_team": TEAM_ID,
            "user_team": TEAM_ID,
        },
        "previous_message": {
            "client_msg_id": client_msg_id(ts),
            "type": "message",
            "text": previous_text,
            "user": user,
            "ts": ts,
            "team": TEAM_ID,
            "blocks": rich_text(previous_text, ts),
        },
        "channel": channel,
        "hidden": true,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "channel_type": "channel",
    })
}

/// A deletion. The event's own `ts` is one second after `deleted_ts`.
pub fn message_deleted(channel: &str, deleted_ts: &str, previous_text: &str, user: &str) -> Value {
    let event_ts = later_ts(deleted_ts);
    json!({
        "type": "message",
        "subtype": "message_deleted",
        "previous_message": {
            "client_msg_id": client_msg_id(deleted_ts),
            "type": "message",
            "text": previous_text,
            "user": user,
            "ts": deleted_ts,
            "team": TEAM_ID,
            "blocks": rich_text(previous_text, deleted_ts),
        },
        "channel": channel,
        "hidden": true,
        "deleted_ts": deleted_ts,
        "event_ts": event_ts,
        "ts": event_ts,
        "channel_type": "channel",
    })
}

/// What Slack sends when a thread parent that has replies is deleted: not
/// `message_deleted` but a `message_changed` whose `message` is the tombstone
/// that now stands in history (`subtype: "tombstone"`, `hidden: true`,
/// `user: "USLACKBOT"`, text [`TOMBSTONE_TEXT`], its `ts`, `thread_ts` and the
/// reply fields `reply_count`, `reply_users_count`, `latest_reply`,
/// `reply_users` kept from the parent), with the parent as it was in
/// `previous_message`. `previous_message` is the parent as history showed it,
/// reply fields included; `event_ts` is when the deletion happened (the event's
/// own `ts`).
pub fn message_changed_tombstone(channel: &str, previous_message: &Value, event_ts: &str) -> Value {
    let ts = previous_message
        .get("ts")
        .cloned()
        .unwrap_or(Value::String(String::new()));
    let mut tombstone = json!({
        "subtype": "tombstone",
        "text": TOMBSTONE_TEXT,
        "user": SLACKBOT_USER_ID,
        "hidden": true,
        "type": "message",
        "thread_ts": previous_message.get("thread_ts").cloned().unwrap_or_else(|| ts.clone()),
    });
    for key in [
        "reply_count",
        "reply_users_count",
        "latest_reply",
        "reply_users",
    ] {
        if let Some(v) = previous_message.get(key) {
            tombstone[key] = v.clone();
        }
    }
    tombstone["is_locked"] = previous_message
        .get("is_locked")
        .cloned()
        .unwrap_or(Value::Bool(false));
    tombstone["ts"] = ts;
    json!({
        "type": "message",
        "subtype": "message_changed",
        "message": tombstone,
        "previous_message": previous_message,
        "channel": channel,
        "hidden": true,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": "channel",
    })
}

/// [`message_changed_tombstone`] for a parent typed by `user` with
/// `previous_text`, whose replies are `(user, ts)` pairs (oldest first; at least
/// one, or Slack would have sent `message_deleted`).
pub fn thread_parent_deleted(
    channel: &str,
    parent_ts: &str,
    previous_text: &str,
    user: &str,
    replies: &[(&str, &str)],
    event_ts: &str,
) -> Value {
    let mut reply_users: Vec<&str> = Vec::new();
    for (u, _) in replies {
        if !reply_users.contains(u) {
            reply_users.push(u);
        }
    }
    let previous = json!({
        "client_msg_id": client_msg_id(parent_ts),
        "type": "message",
        "text": previous_text,
        "user": user,
        "ts": parent_ts,
        "team": TEAM_ID,
        "blocks": rich_text(previous_text, parent_ts),
        "thread_ts": parent_ts,
        "reply_count": replies.len(),
        "reply_users_count": reply_users.len(),
        "latest_reply": replies.last().map(|(_, ts)| *ts).unwrap_or(parent_ts),
        "reply_users": reply_users,
        "is_locked": false,
        "subscribed": false,
    });
    message_changed_tombstone(channel, &previous, event_ts)
}

fn later_ts(ts: &str) -> String {
    match ts.split_once('.') {
        Some((secs, frac)) => match secs.parse::<i64>() {
            Ok(s) => format!("{}.{frac}", s + 1),
            Err(_) => ts.to_string(),
        },
        None => ts.to_string(),
    }
}

/// A message sharing one uploaded file (`subtype: file_share`).
pub fn file_share(
    channel: &str,
    user: &str,
    text: &str,
    ts: &str,
    file_id: &str,
    name: &str,
    mimetype: &str,
) -> Value {
    let created = ts
        .split('.')
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(0);
    let filetype = name.rsplit_once('.').map_or("binary", |(_, e)| e);
    json!({
        "type": "message",
        "subtype": "file_share",
        "text": text,
        "files": [{
            "id": file_id,
            "created": created,
            "timestamp": created,
            "name": name,
            "title": name,
            "mimetype": mimetype,
            "filetype": filetype,
            "pretty_type": filetype.to_uppercase(),
            "user": user,
            "user_team": TEAM_ID,
            "editable": false,
            "size": 1024,
            "mode": "hosted",
            "is_external": false,
            "external_type": "",
            "is_public": true,
            "public_url_shared": false,
            "display_as_bot": false,
            "username": "",
            "url_private": format!("https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}"),
            "url_private_download": format!("https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/download/{name}"),
            "permalink": format!("https://{TEAM_DOMAIN}.slack.com/files/{user}/{file_id}/{name}"),
            "permalink_public": format!("https://slack-files.com/{TEAM_ID}-{file_id}-0123456789"),
            "has_rich_preview": false,
            "file_access": "visible",
        }],
        "upload": false,
        "user": user,
        "display_as_bot": false,
        "ts": ts,
        "blocks": rich_text(text, ts),
        "client_msg_id": client_msg_id(ts),
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    })
}

/// A message posted by an app through its bot token: no subtype, `bot_id`,
/// `app_id` and `bot_profile`, and `user` = the app's bot user (`U` + the bot id
/// without its leading `B`; [`crate::BOT_USER_ID`] for [`crate::BOT_ID`]).
pub fn bot_message(channel: &str, bot_id: &str, app_id: &str, text: &str, ts: &str) -> Value {
    let user = if bot_id == crate::slack::BOT_ID {
        BOT_USER_ID.to_string()
    } else {
        format!("U{}", bot_id.get(1..).unwrap_or(bot_id))
    };
    json!({
        "type": "message",
        "text": text,
        "user": user,
        "bot_id": bot_id,
        "app_id": app_id,
        "bot_profile": {
            "id": bot_id,
            "deleted": false,
            "name": "warroom",
            "updated": 1_700_000_000,
            "app_id": app_id,
            "icons": {
                "image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png",
                "image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png",
                "image_72": "https://a.slack-edge.com/80588/img/plugins/app/service_72.png",
            },
            "team_id": TEAM_ID,
        },
        "blocks": rich_text(text, ts),
        "team": TEAM_ID,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
    })
}
