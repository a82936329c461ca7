//! `conversations.history` and `conversations.replies`.

use serde_json::{Value, json};

use super::conversations::{decode_cursor, encode_cursor};
use super::{Ctx, bot_must_be_member, channel_arg};
use crate::slack::args::Args;
use crate::slack::model::{Channel, Message};
use crate::slack::reply::Reply;
use crate::slack::state::State;

/// Bounds and paging shared by both methods.
struct Window {
    oldest: Option<i128>,
    latest: Option<i128>,
    inclusive: bool,
    limit: usize,
    offset: usize,
}

impl Window {
    fn parse(args: &Args, default_limit: u64, max_limit: u64) -> Result<Window, Reply> {
        let bound = |key: &str, error: &str| -> Result<Option<i128>, Reply> {
            match args.str(key) {
                None => Ok(None),
                Some(s) => ts_micros(&s).map(Some).ok_or_else(|| Reply::err(error)),
            }
        };
        let limit = args
            .uint("limit")
            .map_err(|_| Reply::err("invalid_limit"))?
            .unwrap_or(default_limit)
            .clamp(1, max_limit) as usize;
        Ok(Window {
            oldest: bound("oldest", "invalid_ts_oldest")?,
            latest: bound("latest", "invalid_ts_latest")?,
            inclusive: args.flag("inclusive"),
            limit,
            offset: decode_cursor(args.str("cursor").as_deref())?,
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

    /// One page of `items`, plus `has_more` and the response metadata.
    fn page(&self, items: Vec<Value>) -> (Vec<Value>, bool, Value) {
        let total = items.len();
        let page: Vec<Value> = items
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect();
        let has_more = self.offset + self.limit < total;
        let next = if has_more {
            encode_cursor(self.offset + self.limit)
        } else {
            String::new()
        };
        (page, has_more, json!({ "next_cursor": next }))
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

/// The channel to read, with Slack's visibility rules for a bot.
fn readable_channel(state: &State, args: &Args) -> Result<Channel, Reply> {
    let channel = channel_arg(state, args, "channel")?;
    if bot_must_be_member(&channel).is_err() {
        return Err(if channel.is_private {
            Reply::err("channel_not_found")
        } else {
            Reply::err("not_in_channel")
        });
    }
    Ok(channel)
}

fn is_top_level(m: &Message) -> bool {
    m.thread_ts.is_none()
        || m.thread_ts.as_deref() == Some(m.ts.as_str())
        || m.raw.get("subtype").and_then(Value::as_str) == Some("thread_broadcast")
}

pub(crate) fn history(state: &mut State, args: &Args, _ctx: &Ctx) -> Reply {
    let channel = match readable_channel(state, args) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let window = match Window::parse(args, 100, 999) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let with_metadata = args.flag("include_all_metadata");
    let mut found: Vec<&Message> = state
        .messages
        .iter()
        .filter(|m| m.channel == channel.id && is_top_level(m) && window.contains(&m.ts))
        .collect();
    // Newest first, as Slack pages history.
    found.sort_by_key(|m| std::cmp::Reverse(ts_micros(&m.ts)));
    let items: Vec<Value> = found
        .into_iter()
        .map(|m| state.history_json(m, with_metadata))
        .collect();
    let (page, has_more, metadata) = window.page(items);
    let pin_count = state.pins.get(&channel.id).map_or(0, Vec::len);
    Reply::ok(json!({
        "messages": page,
        "has_more": has_more,
        "pin_count": pin_count,
        "response_metadata": metadata,
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
    let window = match Window::parse(args, 1000, 1000) {
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
        .collect();
    thread.sort_by_key(|m| ts_micros(&m.ts));
    // The parent always comes first, whatever the window; replies oldest first.
    let mut items = vec![state.history_json(&root, with_metadata)];
    items.extend(
        thread
            .into_iter()
            .map(|m| state.history_json(m, with_metadata)),
    );
    let (page, has_more, metadata) = window.page(items);
    Reply::ok(json!({
        "messages": page,
        "has_more": has_more,
        "response_metadata": metadata,
    }))
}
