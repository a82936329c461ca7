//! `conversations.history` and `conversations.replies`.
//!
//! Paging follows Slack's reference pages:
//! * `conversations.history`: newest first; `limit` defaults to 100, at most 999
//!   (larger values are clamped); `has_more` and `response_metadata.next_cursor`
//!   (`""` on the last page).
//! * `conversations.replies`: the thread oldest first; `limit` defaults to 1000,
//!   at most 1000. The parent comes first on **every** page, not only the first
//!   (clients must skip it on later pages), and takes one of the `limit` slots:
//!   a page holds the parent and up to `limit - 1` replies (at least one reply on
//!   later pages, so `limit=1` still moves on).
//! * `oldest` / `latest` bound the messages (exclusive unless `inclusive=true`);
//!   the thread parent of `conversations.replies` is shown whatever the bounds.
//! * Cursors point at the next message by its ts (Slack's are base64 of
//!   `next_ts:<ts>`), so messages posted between two pages neither repeat nor
//!   shift the following page.

use serde_json::{Value, json};

use super::{Ctx, bot_must_be_member, scoped_channel};
use crate::slack::args::Args;
use crate::slack::model::{Channel, ChannelKind, Message};
use crate::slack::reply::Reply;
use crate::slack::scopes;
use crate::slack::state::State;

const HISTORY_DEFAULT_LIMIT: u64 = 100;
const HISTORY_MAX_LIMIT: u64 = 999;
const REPLIES_DEFAULT_LIMIT: u64 = 1000;
const REPLIES_MAX_LIMIT: u64 = 1000;

/// Bounds and paging shared by both methods.
struct Window {
    oldest: Option<i128>,
    latest: Option<i128>,
    inclusive: bool,
    limit: usize,
    /// The ts (µs) of the first message of this page, from the cursor.
    from: Option<i128>,
}

impl Window {
    fn parse(args: &Args, default_limit: u64, max_limit: u64) -> Result<Window, Reply> {
        let bound = |key: &str, error: &str| -> Result<Option<i128>, Reply> {
            match args.str(key) {
                None => Ok(None),
                Some(s) => ts_micros(&s).map(Some).ok_or_else(|| Reply::err(error)),
            }
        };
        let limit = match args
            .uint("limit")
            .map_err(|_| Reply::err("invalid_limit"))?
        {
            None | Some(0) => default_limit,
            Some(n) => n.min(max_limit),
        } as usize;
        Ok(Window {
            oldest: bound("oldest", "invalid_ts_oldest")?,
            latest: bound("latest", "invalid_ts_latest")?,
            inclusive: args.flag("inclusive"),
            limit,
            from: decode_ts_cursor(args.str("cursor").as_deref())?,
        })
    }

    fn contains(&self, ts: &str) -> bool {
        let Some(t) = ts_micros(ts) else {
            return false;
        };
        let above = self
            .oldest
            .is_none_or(|o| if self.inclusive { t >= o } else { t > o });
        let below = self
            .latest
            .is_none_or(|l| if self.inclusive { t <= l } else { t < l });
        above && below
    }
}

/// `"1700000000.000100"` as microseconds.
pub(crate) fn ts_micros(ts: &str) -> Option<i128> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, "0"));
    if frac.len() > 6 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let secs: i128 = secs.parse().ok()?;
    let frac: i128 = format!("{frac:0<6}").parse().ok()?;
    Some(secs * 1_000_000 + frac)
}

/// Slack's cursor shape: base64 of `next_ts:<ts in µs>`.
fn encode_ts_cursor(ts: &str) -> String {
    let micros = ts_micros(ts).unwrap_or_default();
    base64_encode(format!("next_ts:{micros}").as_bytes())
}

fn decode_ts_cursor(cursor: Option<&str>) -> Result<Option<i128>, Reply> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    base64_decode(cursor)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("next_ts:")?.parse().ok())
        .map(Some)
        .ok_or_else(|| Reply::err("invalid_cursor"))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::new();
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = B64.iter().position(|&b| b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The channel to read, with Slack's scope and visibility rules for a bot.
fn readable_channel(state: &State, args: &Args) -> Result<Channel, Reply> {
    let channel = scoped_channel(state, args, "channel", scopes::history, scopes::ANY_HISTORY)?;
    if bot_must_be_member(&channel).is_err() {
        return Err(if channel.kind == ChannelKind::Public {
            Reply::err("not_in_channel")
        } else {
            Reply::err("channel_not_found")
        });
    }
    Ok(channel)
}

fn is_top_level(m: &Message) -> bool {
    m.thread_ts.is_none()
        || m.thread_ts.as_deref() == Some(m.ts.as_str())
        || m.raw.get("subtype").and_then(Value::as_str) == Some("thread_broadcast")
}

fn metadata(next: Option<&Message>) -> Value {
    json!({ "next_cursor": next.map(|m| encode_ts_cursor(&m.ts)).unwrap_or_default() })
}

pub(crate) fn history(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match readable_channel(state, args) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let window = match Window::parse(args, HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let with_metadata = args.flag("include_all_metadata");
    let mut found: Vec<&Message> = state
        .messages
        .iter()
        .filter(|m| m.channel == channel.id && is_top_level(m) && window.contains(&m.ts))
        .filter(|m| {
            window
                .from
                .is_none_or(|from| ts_micros(&m.ts) <= Some(from))
        })
        .collect();
    // Newest first, as Slack pages history.
    found.sort_by_key(|m| std::cmp::Reverse(ts_micros(&m.ts)));
    let next = found.get(window.limit).copied();
    let page: Vec<Value> = found
        .iter()
        .take(window.limit)
        .map(|m| state.history_json(m, with_metadata))
        .collect();
    let pin_count = state.pins.get(&channel.id).map_or(0, Vec::len);
    Reply::ok(json!({
        "messages": page,
        "has_more": next.is_some(),
        "pin_count": pin_count,
        "response_metadata": metadata(next),
    }))
}

pub(crate) fn replies(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match readable_channel(state, args) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(ts) = args.str("ts") else {
        return Reply::err("invalid_arguments");
    };
    let window = match Window::parse(args, REPLIES_DEFAULT_LIMIT, REPLIES_MAX_LIMIT) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(parent) = state.message(&channel.id, &ts).cloned() else {
        return Reply::err("thread_not_found");
    };
    let parent_ts = parent.thread_ts.clone().unwrap_or(parent.ts.clone());
    let Some(root) = state.message(&channel.id, &parent_ts).cloned() else {
        return Reply::err("thread_not_found");
    };
    let with_metadata = args.flag("include_all_metadata");
    let mut thread: Vec<&Message> = state
        .messages
        .iter()
        .filter(|m| {
            m.channel == channel.id
                && m.ts != root.ts
                && m.thread_ts.as_deref() == Some(root.ts.as_str())
                && window.contains(&m.ts)
        })
        .filter(|m| {
            window
                .from
                .is_none_or(|from| ts_micros(&m.ts) >= Some(from))
        })
        .collect();
    thread.sort_by_key(|m| ts_micros(&m.ts));
    // The parent takes one slot of every page; later pages carry at least one
    // reply so that paging always moves on.
    let room = if window.from.is_none() {
        window.limit.saturating_sub(1)
    } else {
        window.limit.saturating_sub(1).max(1)
    };
    let next = thread.get(room).copied();
    let mut page = vec![state.history_json(&root, with_metadata)];
    page.extend(
        thread
            .iter()
            .take(room)
            .map(|m| state.history_json(m, with_metadata)),
    );
    Reply::ok(json!({
        "messages": page,
        "has_more": next.is_some(),
        "response_metadata": metadata(next),
    }))
}

#[cfg(test)]
mod tests {
    use super::{base64_decode, base64_encode};

    #[test]
    fn cursors_are_base64_of_next_ts_like_slacks() {
        // Slack's own sample cursor.
        assert_eq!(
            base64_encode(b"next_ts:1512085861000543"),
            "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz"
        );
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_decode("YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(base64_decode("not*base64"), None);
    }
}
