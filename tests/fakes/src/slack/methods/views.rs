//! `views.open`.

use serde_json::{Value, json};

use super::Ctx;
use crate::slack::args::Args;
use crate::slack::blocks::{MAX_MODAL_BLOCKS, plain_text_len, validate};
use crate::slack::model::OpenedView;
use crate::slack::reply::Reply;
use crate::slack::state::State;
use crate::slack::{BOT_APP_ID, BOT_ID, TEAM_ID};

const MAX_TITLE: usize = 24;
const MAX_PRIVATE_METADATA: usize = 3000;
const MAX_CALLBACK_ID: usize = 255;

pub(crate) fn open(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let Some(trigger_id) = args.str("trigger_id") else {
        return Reply::err("invalid_arguments");
    };
    let view = match args.json("view") {
        None | Some(Err(())) => return Reply::err("invalid_arguments"),
        Some(Ok(v)) => v,
    };
    if let Err(e) = check_view(&view) {
        return Reply::err(e);
    }
    if state.used_triggers.contains(&trigger_id) {
        return Reply::err("exchanged_trigger_id");
    }
    state.used_triggers.push(trigger_id.clone());
    let view_id = state.new_view_id();
    state.views.push(OpenedView {
        view_id: view_id.clone(),
        trigger_id,
        view: view.clone(),
    });
    let mut answered = json!({
        "id": view_id,
        "team_id": TEAM_ID,
        "state": { "values": {} },
        "hash": format!("1700000000.{view_id}"),
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "root_view_id": view_id,
        "previous_view_id": null,
        "app_id": BOT_APP_ID,
        "bot_id": BOT_ID,
        "clear_on_close": false,
        "notify_on_close": false,
    });
    if let (Some(out), Some(sent)) = (answered.as_object_mut(), view.as_object()) {
        for (k, v) in sent {
            out.insert(k.clone(), v.clone());
        }
    }
    Reply::ok(json!({ "view": answered }))
}

/// Slack's checks on a modal: type, title ≤ 24, submit/close ≤ 24, `private_metadata`
/// ≤ 3000 and `callback_id` ≤ 255 characters, blocks (input elements included).
fn check_view(view: &Value) -> Result<(), &'static str> {
    let kind = view.get("type").and_then(Value::as_str);
    if !matches!(kind, Some("modal") | Some("home")) {
        return Err("invalid_arguments");
    }
    for (key, max) in [
        ("private_metadata", MAX_PRIVATE_METADATA),
        ("callback_id", MAX_CALLBACK_ID),
    ] {
        if let Some(v) = view.get(key) {
            let len = v.as_str().ok_or("invalid_arguments")?.chars().count();
            if len > max {
                return Err("invalid_arguments");
            }
        }
    }
    if kind == Some("modal") {
        match plain_text_len(view.get("title")) {
            Some(n) if n > 0 && n <= MAX_TITLE => {}
            _ => return Err("invalid_arguments"),
        }
        for key in ["submit", "close"] {
            if view.get(key).is_some() {
                match plain_text_len(view.get(key)) {
                    Some(n) if n > 0 && n <= MAX_TITLE => {}
                    _ => return Err("invalid_arguments"),
                }
            }
        }
    }
    let blocks = view.get("blocks").ok_or("invalid_arguments")?;
    let has_input = blocks.as_array().is_some_and(|b| {
        b.iter()
            .any(|b| b.get("type").and_then(Value::as_str) == Some("input"))
    });
    if kind == Some("modal") && has_input && view.get("submit").is_none() {
        return Err("invalid_arguments"); // Slack: submit is required with input blocks
    }
    validate(blocks, MAX_MODAL_BLOCKS).map_err(|_| "invalid_arguments")
}
