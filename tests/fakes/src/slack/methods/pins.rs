//! `pins.add`.

use super::{Ctx, bot_must_be_member, channel_arg};
use crate::slack::BOT_USER_ID;
use crate::slack::args::Args;
use crate::slack::reply::Reply;
use crate::slack::state::State;

pub(crate) fn add(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match channel_arg(state, args, "channel") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(ts) = args.str("timestamp") else {
        return Reply::err("no_item_specified");
    };
    if let Err(r) = bot_must_be_member(&channel) {
        return r;
    }
    if state.message(&channel.id, &ts).is_none() {
        return Reply::err("message_not_found");
    }
    if state.is_pinned(&channel.id, &ts) {
        return Reply::err("already_pinned");
    }
    let pinned_at = state.now_secs();
    state.pinned_by.insert(
        (channel.id.clone(), ts.clone()),
        (BOT_USER_ID.to_string(), pinned_at),
    );
    state.pins.entry(channel.id).or_default().push(ts);
    Reply::ok(serde_json::json!({}))
}
