//! `users.info`: added users and the bot; a deactivated user answers ok with
//! `"deleted": true`, an unknown id `user_not_found`.

use serde_json::json;

use super::Ctx;
use crate::slack::TEAM_ID;
use crate::slack::args::Args;
use crate::slack::reply::Reply;
use crate::slack::state::State;

pub(crate) fn info(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let Some(id) = args.str("user") else {
        return Reply::err("invalid_arguments");
    };
    let Some(user) = state.user(&id) else {
        return Reply::err("user_not_found");
    };
    Reply::ok(json!({
        "user": {
            "id": user.id,
            "team_id": TEAM_ID,
            "name": user.name,
            "deleted": user.deleted,
            "real_name": user.real_name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "is_admin": false,
            "is_owner": false,
            "is_bot": user.is_bot,
            "is_app_user": false,
            "updated": 1_700_000_000,
            "profile": {
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "display_name": user.name,
                "display_name_normalized": user.name,
                "title": user.title,
                "team": TEAM_ID,
            },
        }
    }))
}
