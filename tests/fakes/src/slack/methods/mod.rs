//! One module per Web API family; [`handler`] maps a method name to its handler.

mod auth;
mod chat;
mod conversations;
mod files;
mod history;
mod pins;
mod users;
mod views;

use serde_json::json;

use super::args::Args;
use super::model::{Channel, ChannelKind};
use super::reply::Reply;
use super::state::State;

/// What handlers may need besides state and arguments.
pub(crate) struct Ctx<'a> {
    /// `http://127.0.0.1:PORT`, for URLs the fake hands out.
    pub base_url: &'a str,
    pub strict_users: bool,
}

pub(crate) type Handler = fn(&mut State, &Args, &Ctx) -> Reply;

/// The handler of a method the fake implements, or `None` (`unknown_method`).
pub(crate) fn handler(method: &str) -> Option<Handler> {
    let h: Handler = match method {
        "auth.test" => auth::test,
        "chat.postMessage" => chat::post_message,
        "chat.postEphemeral" => chat::post_ephemeral,
        "chat.update" => chat::update,
        "conversations.create" => conversations::create,
        "conversations.info" => conversations::info,
        "conversations.invite" => conversations::invite,
        "conversations.join" => conversations::join,
        "conversations.list" => conversations::list,
        "conversations.open" => conversations::open,
        "conversations.setTopic" => conversations::set_topic,
        "conversations.history" => history::history,
        "conversations.replies" => history::replies,
        "files.getUploadURLExternal" => files::get_upload_url_external,
        "files.completeUploadExternal" => files::complete_upload_external,
        "files.upload" => files::upload_v1,
        "pins.add" => pins::add,
        "users.info" => users::info,
        "views.open" => views::open,
        _ => return None,
    };
    Some(h)
}

/// The channel named by `args[key]`, or Slack's `channel_not_found`.
pub(crate) fn channel_arg(state: &State, args: &Args, key: &str) -> Result<Channel, Reply> {
    args.str(key)
        .and_then(|c| state.resolve_channel(&c).cloned())
        .ok_or_else(|| Reply::err("channel_not_found"))
}

/// Slack's `missing_scope`: HTTP 200, the scope `needed` and every scope granted.
pub(crate) fn missing_scope(state: &State, needed: &str) -> Reply {
    Reply::json(
        200,
        json!({
            "ok": false,
            "error": "missing_scope",
            "needed": needed,
            "provided": state.scopes.provided(),
        }),
    )
}

/// `Err(missing_scope)` unless one of `accepted` is granted.
pub(crate) fn require_scope(state: &State, accepted: &[&str]) -> Result<(), Reply> {
    state
        .scopes
        .require(accepted)
        .map_err(|needed| missing_scope(state, &needed))
}

/// The channel named by `args[key]` once the token's scopes allow touching it:
/// the scopes `for_kind` gives for its type must be granted. For an unknown
/// channel: `missing_scope` when none of `any` is granted, else
/// `channel_not_found`.
pub(crate) fn scoped_channel(
    state: &State,
    args: &Args,
    key: &str,
    for_kind: fn(ChannelKind) -> &'static [&'static str],
    any: &[&str],
) -> Result<Channel, Reply> {
    match channel_arg(state, args, key) {
        Ok(channel) => {
            require_scope(state, for_kind(channel.kind))?;
            Ok(channel)
        }
        Err(not_found) => {
            require_scope(state, any)?;
            Err(not_found)
        }
    }
}

/// `not_in_channel` unless the bot is a member of `channel`.
pub(crate) fn bot_must_be_member(channel: &Channel) -> Result<(), Reply> {
    if channel.members.iter().any(|m| m == super::BOT_USER_ID) {
        Ok(())
    } else {
        Err(Reply::err("not_in_channel"))
    }
}

/// `is_archived` for an archived channel.
pub(crate) fn not_archived(channel: &Channel) -> Result<(), Reply> {
    if channel.is_archived {
        Err(Reply::err("is_archived"))
    } else {
        Ok(())
    }
}

pub(crate) use conversations::check_name as check_channel_name;
pub(crate) use files::store_upload as files_store_upload;
pub(crate) use history::ts_micros;
