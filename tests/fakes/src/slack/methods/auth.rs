//! `auth.test`.

use serde_json::json;

use super::Ctx;
use crate::slack::args::Args;
use crate::slack::reply::Reply;
use crate::slack::state::State;
use crate::slack::{BOT_ID, BOT_USER_ID, TEAM_ID};

pub(crate) fn test(_state: &mut State, _args: &Args, _ctx: &Ctx) -> Reply {
    Reply::ok(json!({
        "url": "https://warroom-test.slack.com/",
        "team": "Warroom Test",
        "user": "warroom",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": false,
    }))
}
