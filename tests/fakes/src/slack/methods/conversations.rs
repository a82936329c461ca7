//! `conversations.create`, `.info`, `.invite`, `.join`, `.list`, `.open`, `.setTopic`.

use serde_json::{Value, json};

use super::{
    Ctx, bot_must_be_member, channel_arg, missing_scope, not_archived, require_scope,
    scoped_channel,
};
use crate::slack::BOT_USER_ID;
use crate::slack::args::Args;
use crate::slack::model::{Channel, ChannelKind};
use crate::slack::reply::Reply;
use crate::slack::scopes;
use crate::slack::state::{State, channel_json};

const MAX_NAME: usize = 80;
const MAX_TOPIC: usize = 250;
const MAX_LIST_LIMIT: u64 = 1000;
/// `conversations.invite` takes 1 to 1000 users.
const MAX_INVITE_USERS: usize = 1000;

pub(crate) fn create(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let is_private = args.flag("is_private");
    if let Err(r) = require_scope(state, scopes::create(is_private)) {
        return r;
    }
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
        kind: if is_private {
            ChannelKind::Private
        } else {
            ChannelKind::Public
        },
        is_private,
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
/// bot and the user as members. `channel` (an existing DM's id) may be given
/// instead of `users`. `return_im` answers the full IM object. Group DMs are not
/// modelled (more than one user: `invalid_arguments`).
pub(crate) fn open(state: &mut State, args: &Args, ctx: &Ctx) -> Reply {
    let users = args.list("users");
    if users.is_empty()
        && let Some(id) = args.str("channel")
    {
        return match state.channel(&id) {
            Some(c) if c.kind == ChannelKind::Im => {
                let mut fields = json!({ "channel": { "id": c.id } });
                if args.flag("return_im") {
                    fields["channel"] = state.conversation_json(c, false);
                }
                fields["no_op"] = json!(true);
                fields["already_open"] = json!(true);
                Reply::ok(fields)
            }
            Some(_) => Reply::err("method_not_supported_for_channel_type"),
            None => Reply::err("channel_not_found"),
        };
    }
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
    if state.user(&user).is_some_and(|u| u.deleted) {
        return Reply::err("user_disabled");
    }
    let (id, existed) = state.open_dm(&user);
    let mut fields = json!({ "channel": { "id": id } });
    if args.flag("return_im")
        && let Some(c) = state.channel(&id)
    {
        fields["channel"] = state.conversation_json(c, false);
    }
    if existed {
        fields["no_op"] = json!(true);
        fields["already_open"] = json!(true);
    }
    Reply::ok(fields)
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
    let channel = match scoped_channel(state, args, "channel", scopes::read, scopes::ANY_READ) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if channel.kind == ChannelKind::Private && bot_must_be_member(&channel).is_err() {
        return Reply::err("channel_not_found");
    }
    let body = state.conversation_json(&channel, args.flag("include_num_members"));
    Reply::ok(json!({ "channel": body }))
}

/// Why one listed user cannot be invited.
fn invite_error(
    state: &State,
    channel: &Channel,
    user: &str,
    strict: bool,
) -> Option<&'static str> {
    if user == BOT_USER_ID {
        return Some("cant_invite_self");
    }
    if !user_exists(state, user, strict) {
        return Some("user_not_found");
    }
    if state.user(user).is_some_and(|u| u.deleted) {
        return Some("cant_invite");
    }
    if channel.members.iter().any(|m| m == user) {
        return Some("already_in_channel");
    }
    None
}

/// All or nothing, as Slack documents it: when any listed user cannot be invited
/// (`already_in_channel`, `user_not_found`, `cant_invite_self`), nobody is invited
/// and the answer is `{"ok":false,"error":<the first failure's code>,"errors":[{"user",
/// "ok":false,"error"},…]}`. Deactivated users (`cant_invite`) fail on their own
/// without holding the others back ("removed" users, in Slack's words). With
/// `force=true` the valid users are invited anyway; the answer is still the
/// error with the `errors` list (it is `ok:true` only when nobody failed).
pub(crate) fn invite(state: &mut State, args: &Args, ctx: &Ctx) -> Reply {
    let channel = match scoped_channel(state, args, "channel", scopes::invite, scopes::ANY_INVITE) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if channel.kind == ChannelKind::Im {
        return Reply::err("method_not_supported_for_channel_type");
    }
    if let Err(r) = not_archived(&channel).and_then(|_| bot_must_be_member(&channel)) {
        return r;
    }
    let mut users: Vec<String> = Vec::new();
    for u in args.list("users") {
        if !users.contains(&u) {
            users.push(u);
        }
    }
    if users.is_empty() {
        return Reply::err("no_user");
    }
    if users.len() > MAX_INVITE_USERS {
        return Reply::err("too_many_users");
    }
    let force = args.flag("force");
    let mut errors: Vec<(String, &'static str)> = Vec::new();
    let mut valid: Vec<String> = Vec::new();
    for user in &users {
        match invite_error(state, &channel, user, ctx.strict_users) {
            Some(code) => errors.push((user.clone(), code)),
            None => valid.push(user.clone()),
        }
    }
    let blocking = errors.iter().any(|(_, code)| *code != "cant_invite");
    if !blocking || force {
        let Some(stored) = state.channel_mut(&channel.id) else {
            return Reply::err("channel_not_found");
        };
        for user in valid {
            if !stored.members.contains(&user) {
                stored.members.push(user);
            }
        }
    }
    if let Some((_, first)) = errors.first() {
        let listed: Vec<Value> = errors
            .iter()
            .map(|(user, code)| json!({ "user": user, "ok": false, "error": code }))
            .collect();
        return Reply::json(
            200,
            json!({ "ok": false, "error": first, "errors": listed }),
        );
    }
    let body = state
        .channel(&channel.id)
        .map(|c| channel_json(c, false))
        .unwrap_or(Value::Null);
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
    if channel.kind == ChannelKind::Im {
        return Reply::err("method_not_supported_for_channel_type");
    }
    if let Err(r) = not_archived(&channel) {
        return r;
    }
    let already = bot_must_be_member(&channel).is_ok();
    if channel.kind == ChannelKind::Private && !already {
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
    for t in &types {
        let needed = scopes::list_type(t);
        if !state.scopes.contains(needed) {
            return missing_scope(state, needed);
        }
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
            let kind_ok = match c.kind {
                ChannelKind::Public => types.contains(&"public_channel"),
                ChannelKind::Private => {
                    types.contains(&"private_channel") && c.members.iter().any(|m| m == BOT_USER_ID)
                }
                ChannelKind::Im => types.contains(&"im"),
            };
            kind_ok && !(exclude_archived && c.is_archived)
        })
        .collect();
    let page: Vec<Value> = visible
        .iter()
        .skip(offset)
        .take(limit)
        .map(|c| state.conversation_json(c, c.kind != ChannelKind::Im))
        .collect();
    let next = if offset + limit < visible.len() {
        encode_cursor(offset + limit)
    } else {
        String::new()
    };
    Reply::ok(json!({ "channels": page, "response_metadata": { "next_cursor": next } }))
}

pub(crate) fn set_topic(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match scoped_channel(
        state,
        args,
        "channel",
        scopes::set_topic,
        scopes::ANY_SET_TOPIC,
    ) {
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
