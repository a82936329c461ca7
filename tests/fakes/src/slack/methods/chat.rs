//! `chat.postMessage`, `chat.postEphemeral`, `chat.update`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Ctx, bot_must_be_member, channel_arg, not_archived};
use crate::slack::args::Args;
use crate::slack::blocks::{MAX_MESSAGE_BLOCKS, validate};
use crate::slack::model::Message;
use crate::slack::reply::Reply;
use crate::slack::state::State;
use crate::slack::{BOT_APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID};

const MAX_TEXT: usize = 40_000;
const MAX_METADATA_EVENT_TYPE: usize = 255;

/// The `text` and parsed `blocks` of a message, with Slack's content checks.
fn content(args: &Args) -> Result<(String, Option<Value>), Reply> {
    let text = args
        .map
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let blocks = match args.json("blocks") {
        None => None,
        Some(Err(())) => return Err(Reply::err("invalid_blocks_format")),
        Some(Ok(b)) => {
            validate(&b, MAX_MESSAGE_BLOCKS).map_err(Reply::err)?;
            Some(b)
        }
    };
    let has_blocks = blocks
        .as_ref()
        .and_then(Value::as_array)
        .is_some_and(|b| !b.is_empty());
    let has_attachments = args
        .json("attachments")
        .and_then(Result::ok)
        .and_then(|a| a.as_array().map(|a| !a.is_empty()))
        .unwrap_or(false);
    if text.trim().is_empty() && !has_blocks && !has_attachments {
        return Err(Reply::err("no_text"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(Reply::err("msg_too_long"));
    }
    Ok((text, blocks))
}

/// The optional `metadata` argument (a JSON object, or the same JSON as a string):
/// `event_type` a non-empty string of at most 255 characters, `event_payload` an
/// object. Stored as exactly those two fields.
fn metadata(args: &Args) -> Result<Option<Value>, Reply> {
    let bad = || Reply::err("invalid_metadata_format");
    let metadata = match args.json("metadata") {
        None => return Ok(None),
        Some(Err(())) => return Err(bad()),
        Some(Ok(m)) => m,
    };
    let event_type = metadata
        .get("event_type")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty() && t.chars().count() <= MAX_METADATA_EVENT_TYPE);
    let event_payload = metadata.get("event_payload").filter(|p| p.is_object());
    match (event_type, event_payload) {
        (Some(t), Some(p)) => Ok(Some(json!({ "event_type": t, "event_payload": p }))),
        _ => Err(bad()),
    }
}

/// Applies the optional per-channel post limit: `Some(429 reply)` when exceeded.
fn rate_limit(state: &mut State, channel: &str) -> Option<Reply> {
    let rate = state.post_limit_per_sec.filter(|r| *r > 0.0)?;
    let window = Duration::from_secs_f64((1.0 / rate).max(1.0));
    let allowed = ((rate * window.as_secs_f64()).round() as usize).max(1);
    let now = Instant::now();
    let times = state.post_times.entry(channel.to_string()).or_default();
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        times.pop_front();
    }
    if times.len() >= allowed {
        let wait = times
            .front()
            .map_or(window, |t| window.saturating_sub(now.duration_since(*t)));
        state.post_rate_limited += 1;
        return Some(Reply::rate_limited(
            wait.as_secs_f64().ceil().max(1.0) as u64
        ));
    }
    times.push_back(now);
    None
}

pub(crate) fn post_message(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = not_archived(&channel).and_then(|_| bot_must_be_member(&channel)) {
        return r;
    }
    let (text, blocks) = match content(args) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let metadata = match metadata(args) {
        Ok(m) => m,
        Err(r) => return r,
    };
    if let Some(limited) = rate_limit(state, &channel.id) {
        return limited;
    }
    let thread_ts = args.str("thread_ts");
    let extra = (thread_ts.is_some() && args.flag("reply_broadcast"))
        .then(|| ("subtype", json!("thread_broadcast")));
    let message = state.store_bot_message(&channel.id, text, blocks, thread_ts, extra, metadata);
    let mut echoed = message.raw.clone();
    if let Some(m) = &message.metadata {
        echoed["metadata"] = m.clone();
    }
    Reply::ok(json!({
        "channel": channel.id,
        "ts": message.ts,
        "message": echoed,
    }))
}

pub(crate) fn post_ephemeral(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(user) = args.str("user") else {
        return Reply::err("invalid_arguments");
    };
    let (text, blocks) = match content(args) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = bot_must_be_member(&channel) {
        return r;
    }
    if !channel.members.contains(&user) {
        return Reply::err("user_not_in_channel");
    }
    let ts = state.next_ts();
    let mut raw = json!({
        "type": "message", "user": user, "bot_id": BOT_ID, "text": text, "ts": ts,
    });
    if let Some(b) = &blocks {
        raw["blocks"] = b.clone();
    }
    state.ephemerals.push(Message {
        channel: channel.id.clone(),
        ts: ts.clone(),
        thread_ts: args.str("thread_ts"),
        user: Some(user),
        bot_id: Some(BOT_ID.to_string()),
        text,
        blocks,
        edited_ts: None,
        metadata: None,
        raw,
    });
    Reply::ok(json!({ "message_ts": ts }))
}

pub(crate) fn update(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(ts) = args.str("ts") else {
        return Reply::err("invalid_arguments");
    };
    let Some(existing) = state.message(&channel.id, &ts).cloned() else {
        return Reply::err("message_not_found");
    };
    if existing.bot_id.as_deref() != Some(BOT_ID) {
        return Reply::err("cant_update_message");
    }
    let (text, blocks) = match content(args) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let metadata = match metadata(args) {
        Ok(m) => m,
        Err(r) => return r,
    };
    let edited_ts = state.next_ts();
    let Some(stored) = state
        .messages
        .iter_mut()
        .find(|m| m.channel == channel.id && m.ts == ts)
    else {
        return Reply::err("message_not_found");
    };
    stored.text = text.clone();
    stored.raw["text"] = json!(text);
    match &blocks {
        Some(b) => stored.raw["blocks"] = b.clone(),
        None => {
            if let Some(obj) = stored.raw.as_object_mut() {
                obj.remove("blocks");
            }
        }
    }
    stored.blocks = blocks.clone();
    stored.edited_ts = Some(edited_ts.clone());
    if metadata.is_some() {
        stored.metadata = metadata.clone();
    }
    stored.raw["edited"] = json!({ "user": BOT_USER_ID, "ts": edited_ts });
    let mut message = json!({
        "type": "message",
        "text": text,
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": BOT_APP_ID,
        "team": TEAM_ID,
        "edited": { "user": BOT_USER_ID, "ts": edited_ts },
    });
    if let Some(b) = blocks {
        message["blocks"] = b;
    }
    if let Some(m) = metadata {
        message["metadata"] = m;
    }
    Reply::ok(json!({ "channel": channel.id, "ts": ts, "text": text, "message": message }))
}
