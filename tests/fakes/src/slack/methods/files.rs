//! Files v2 (`files.getUploadURLExternal`, the upload URL, `files.completeUploadExternal`)
//! and the retired `files.upload`.

use serde_json::{Value, json};

use super::{Ctx, bot_must_be_member, not_archived};
use crate::slack::args::Args;
use crate::slack::model::UploadedFile;
use crate::slack::reply::Reply;
use crate::slack::state::{FileSlot, State};
use crate::slack::{BOT_USER_ID, TEAM_ID};

pub(crate) fn upload_v1(_state: &mut State, _args: &Args, _ctx: &Ctx) -> Reply {
    Reply::err("method_deprecated")
}

pub(crate) fn get_upload_url_external(state: &mut State, args: &Args, ctx: &Ctx) -> Reply {
    let Some(filename) = args.str("filename") else {
        return Reply::err("invalid_arguments");
    };
    let length = match args.uint("length") {
        Ok(Some(n)) if n > 0 => n as usize,
        _ => return Reply::err("invalid_arguments"),
    };
    let file_id = state.new_file_id();
    state.files.insert(
        file_id.clone(),
        FileSlot {
            filename,
            declared_length: length,
            bytes: None,
            completed: false,
        },
    );
    Reply::ok(json!({
        "upload_url": format!("{}/upload/{file_id}", ctx.base_url),
        "file_id": file_id,
    }))
}

/// Stores the bytes POSTed to an upload URL. Slack answers `OK - <length>`.
pub(crate) fn store_upload(state: &mut State, file_id: &str, bytes: Vec<u8>) -> Reply {
    let Some(slot) = state.files.get_mut(file_id) else {
        return Reply::text(404, "file not found");
    };
    if slot.completed {
        return Reply::text(400, "upload already completed");
    }
    let len = bytes.len();
    slot.bytes = Some(bytes);
    Reply::text(200, &format!("OK - {len}"))
}

fn mimetype(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("md" | "txt" | "log") => "text/plain",
        Some("json") => "application/json",
        Some("csv") => "text/csv",
        Some("png") => "image/png",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn file_json(ctx: &Ctx, id: &str, filename: &str, title: &str, size: usize, created: i64) -> Value {
    json!({
        "id": id,
        "created": created,
        "timestamp": created,
        "name": filename,
        "title": title,
        "mimetype": mimetype(filename),
        "filetype": filename.rsplit_once('.').map_or("binary", |(_, e)| e),
        "user": BOT_USER_ID,
        "user_team": TEAM_ID,
        "size": size,
        "is_external": false,
        "is_public": true,
        "url_private": format!("{}/files-pri/{TEAM_ID}-{id}/{filename}", ctx.base_url),
        "url_private_download": format!("{}/files-pri/{TEAM_ID}-{id}/download/{filename}", ctx.base_url),
        "permalink": format!("{}/files/{BOT_USER_ID}/{id}/{filename}", ctx.base_url),
    })
}

pub(crate) fn complete_upload_external(state: &mut State, args: &Args, ctx: &Ctx) -> Reply {
    let requested = match args.json("files") {
        Some(Ok(Value::Array(items))) if !items.is_empty() => items,
        _ => return Reply::err("invalid_arguments"),
    };
    let mut wanted: Vec<(String, Option<String>)> = Vec::new();
    for item in &requested {
        let Some(id) = item.get("id").and_then(Value::as_str) else {
            return Reply::err("invalid_arguments");
        };
        let title = item
            .get("title")
            .and_then(Value::as_str)
            .map(str::to_string);
        match state.files.get(id) {
            Some(slot) if slot.bytes.is_some() && !slot.completed => {}
            _ => return Reply::err("file_not_found"),
        }
        wanted.push((id.to_string(), title));
    }
    let mut channel_ids = args.list("channels");
    if let Some(c) = args.str("channel_id") {
        channel_ids.insert(0, c);
    }
    let mut channels = Vec::new();
    for id in &channel_ids {
        let Some(c) = state.resolve_channel(id).cloned() else {
            return Reply::err("channel_not_found");
        };
        if let Err(r) = not_archived(&c).and_then(|_| bot_must_be_member(&c)) {
            return r;
        }
        channels.push(c.id);
    }
    let initial_comment = args.str("initial_comment");
    let thread_ts = args.str("thread_ts");
    let created = state.now_secs();
    let mut answered = Vec::new();
    let mut uploaded = Vec::new();
    for (id, title) in wanted {
        let Some(slot) = state.files.get_mut(&id) else {
            return Reply::err("file_not_found");
        };
        slot.completed = true;
        let bytes = slot.bytes.clone().unwrap_or_default();
        let shown_title = title.clone().unwrap_or_else(|| slot.filename.clone());
        answered.push(file_json(
            ctx,
            &id,
            &slot.filename,
            &shown_title,
            bytes.len(),
            created,
        ));
        let base = UploadedFile {
            id: id.clone(),
            filename: slot.filename.clone(),
            title,
            channel: None,
            initial_comment: initial_comment.clone(),
            content: String::from_utf8_lossy(&bytes).into_owned(),
            length_mismatch: bytes.len() != slot.declared_length,
            declared_length: slot.declared_length,
            bytes,
        };
        if channels.is_empty() {
            uploaded.push(base);
        } else {
            for c in &channels {
                uploaded.push(UploadedFile {
                    channel: Some(c.clone()),
                    ..base.clone()
                });
            }
        }
    }
    state.uploaded.extend(uploaded);
    for c in &channels {
        state.store_bot_message(
            c,
            initial_comment.clone().unwrap_or_default(),
            None,
            thread_ts.clone(),
            Some(("files", Value::Array(answered.clone()))),
            None,
        );
        if let Some(last) = state.messages.last_mut() {
            last.raw["upload"] = json!(true);
        }
    }
    let short: Vec<Value> = answered
        .iter()
        .map(|f| json!({ "id": f["id"], "title": f["title"] }))
        .collect();
    Reply::ok(json!({ "files": short }))
}
