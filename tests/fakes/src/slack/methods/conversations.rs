//! `conversations.create`, `.info`, `.invite`, `.join`, `.list`, `.open`, `.setTopic`.

use serde_json::{Value, json};

use super::{Ctx, bot_must_be_member, channel_arg, not_archived};
use crate::slack::BOT_USER_ID;
use crate::slack::args::Args;
use crate::slack::model::Channel;
use crate::slack::reply::Reply;
use crate::slack::state::{State, channel_json};

const MAX_NAME: usize = 80;
const MAX_TOPIC: usize = 250;
const MAX_LIST_LIMIT: u64 = 1000;

pub(crate) fn create(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let name = args.str("name").unwrap_or_default();
    if let Err(e) = check_name(&name) {
        return Reply::err(e);
    }
    if state.channels.iter().any(|c| c.name == name) {
        return Reply::err("name_taken");
    }
    let channel = Channel {
        id: state.new_channel_id(),
        name,
        is_private: args.flag("is_private"),
        is_archived: false,
        created: state.now_secs(),
        creator: BOT_USER_ID.to_string(),
        topic: String::new(),
        purpose: String::new(),
        members: vec![BOT_USER_ID.to_string()],
    };
    let body = channel_json(&channel, false);
    state.channels.push(channel);
    Reply::ok(json!({ "channel": body }))
}

/// Opens (or finds) the bot's direct-message channel with one user: `D…` ids, the
/// bot and the user as members. Group DMs are not modelled.
pub(crate) fn open(state: &mut State, args: &Args, ctx: &Ctx) -> Reply {
    let users = args.list("users");
    let user = match users.as_slice() {
        [] => return Reply::err("users_list_not_supplied"),
        [one] => one.clone(),
        _ => return Reply::err("invalid_arguments"),
    };
    if user == BOT_USER_ID {
        return Reply::err("cannot_dm_bot");
    }
    if !user_exists(state, &user, ctx.strict_users) {
        return Reply::err("user_not_found");
    }
    let name = format!("dm-{}", user.to_lowercase());
    if let Some(existing) = state.channels.iter().find(|c| c.name == name) {
        return Reply::ok(
            json!({ "no_op": true, "already_open": true, "channel": { "id": existing.id } }),
        );
    }
    let id = state.new_channel_id().replacen('C', "D", 1);
    state.channels.push(Channel {
        id: id.clone(),
        name,
        is_private: true,
        is_archived: false,
        created: state.now_secs(),
        creator: BOT_USER_ID.to_string(),
        topic: String::new(),
        purpose: String::new(),
        members: vec![BOT_USER_ID.to_string(), user],
    });
    Reply::ok(json!({ "channel": { "id": id } }))
}

/// Slack's channel-name rules, in the order Slack reports them.
pub(crate) fn check_name(name: &str) -> Result<(), &'static str> {
    if name.trim().is_empty() {
        return Err("invalid_name_required");
    }
    if name.chars().count() > MAX_NAME {
        return Err("invalid_name_maxlength");
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
    if !name.chars().all(allowed) {
        return Err("invalid_name_specials");
    }
    if name.chars().all(|c| c == '-' || c == '_') {
        return Err("invalid_name_punctuation");
    }
    Ok(())
}

pub(crate) fn info(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    if channel.is_private && bot_must_be_member(&channel).is_err() {
        return Reply::err("channel_not_found");
    }
    Reply::ok(json!({ "channel": channel_json(&channel, args.flag("include_num_members")) }))
}

pub(crate) fn invite(state: &mut State, args: &Args, ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = not_archived(&channel).and_then(|_| bot_must_be_member(&channel)) {
        return r;
    }
    let users = args.list("users");
    if users.is_empty() {
        return Reply::err("no_user");
    }
    for user in &users {
        if user == BOT_USER_ID {
            return Reply::err("cant_invite_self");
        }
        if !user_exists(state, user, ctx.strict_users) {
            return Reply::err("user_not_found");
        }
    }
    let new: Vec<String> = users
        .iter()
        .filter(|u| !channel.members.contains(u))
        .cloned()
        .collect();
    if new.is_empty() {
        return Reply::err("already_in_channel");
    }
    let Some(stored) = state.channel_mut(&channel.id) else {
        return Reply::err("channel_not_found");
    };
    for user in new {
        if !stored.members.contains(&user) {
            stored.members.push(user);
        }
    }
    let body = channel_json(stored, false);
    Reply::ok(json!({ "channel": body }))
}

/// Added users always exist; other ids exist when they look like Slack user ids,
/// unless the fake is configured with strict users.
pub(crate) fn user_exists(state: &State, id: &str, strict: bool) -> bool {
    if state.user(id).is_some() {
        return true;
    }
    !strict && looks_like_user_id(id)
}

/// `^[UW][A-Z0-9]{2,}$`.
pub(crate) fn looks_like_user_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('U' | 'W'))
        && id.len() >= 3
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

pub(crate) fn join(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = not_archived(&channel) {
        return r;
    }
    let already = bot_must_be_member(&channel).is_ok();
    if channel.is_private && !already {
        return Reply::err("method_not_supported_for_channel_type");
    }
    let Some(stored) = state.channel_mut(&channel.id) else {
        return Reply::err("channel_not_found");
    };
    if !already {
        stored.members.push(BOT_USER_ID.to_string());
    }
    let mut fields = json!({ "channel": channel_json(stored, false) });
    if already {
        fields["warning"] = json!("already_in_channel");
        fields["response_metadata"] = json!({ "warnings": ["already_in_channel"] });
    }
    Reply::ok(fields)
}

pub(crate) fn list(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let types = args.list("types");
    let types: Vec<&str> = if types.is_empty() {
        vec!["public_channel"]
    } else {
        types.iter().map(String::as_str).collect()
    };
    let valid = ["public_channel", "private_channel", "mpim", "im"];
    if types.iter().any(|t| !valid.contains(t)) {
        return Reply::err("invalid_types");
    }
    let limit = match args.uint("limit") {
        Ok(l) => l.unwrap_or(100).clamp(1, MAX_LIST_LIMIT) as usize,
        Err(()) => return Reply::err("invalid_limit"),
    };
    let offset = match decode_cursor(args.str("cursor").as_deref()) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let exclude_archived = args.flag("exclude_archived");
    let visible: Vec<&Channel> = state
        .channels
        .iter()
        .filter(|c| {
            let kind_ok = if c.is_private {
                types.contains(&"private_channel") && c.members.iter().any(|m| m == BOT_USER_ID)
            } else {
                types.contains(&"public_channel")
            };
            kind_ok && !(exclude_archived && c.is_archived)
        })
        .collect();
    let page: Vec<Value> = visible
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| channel_json(c, true))
        .collect();
    let next = if offset + limit < visible.len() {
        encode_cursor(offset + limit)
    } else {
        String::new()
    };
    Reply::ok(json!({ "channels": page, "response_metadata": { "next_cursor": next } }))
}

pub(crate) fn set_topic(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Err(r) = not_archived(&channel).and_then(|_| bot_must_be_member(&channel)) {
        return r;
    }
    let Some(topic) = args.map.get("topic").and_then(Value::as_str) else {
        return Reply::err("invalid_arguments");
    };
    if topic.chars().count() > MAX_TOPIC {
        return Reply::err("too_long");
    }
    let topic = topic.to_string();
    let Some(stored) = state.channel_mut(&channel.id) else {
        return Reply::err("channel_not_found");
    };
    stored.topic = topic;
    let body = channel_json(stored, false);
    Reply::ok(json!({ "channel": body }))
}

/// Cursors are opaque to clients; the fake encodes an offset.
pub(crate) fn encode_cursor(offset: usize) -> String {
    format!("b2Zmc2V0Og=={offset}")
}

pub(crate) fn decode_cursor(cursor: Option<&str>) -> Result<usize, Reply> {
    match cursor {
        None => Ok(0),
        Some(c) => c
            .strip_prefix("b2Zmc2V0Og==")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| Reply::err("invalid_cursor")),
    }
}
