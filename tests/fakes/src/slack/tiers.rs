//! Slack's per-method rate limits: each Web API method has a tier, a number of calls
//! a minute allowed per app per workspace (Tier 2 "20+", Tier 3 "50+", Tier 4
//! "100+"). Over it Slack answers HTTP 429 with `Retry-After` in seconds. The fake
//! counts the calls it carries out per method over a sliding minute and allows
//! exactly the tier's floor, so a burst of up to that many goes through at once (as
//! Slack tolerates bursts) and the next waits until the oldest leaves the window.
//!
//! Not modelled here: `chat.postMessage` is a special tier (about one a second per
//! channel, see [`super::FakeSlack::limit_posts_per_channel_per_sec`], plus a
//! workspace limit Slack does not quantify); `auth.test` is special too; and Tier 1
//! `apps.connections.open` is left out, since Slack tolerates "a small amount of
//! burst" there without saying how much and a Socket Mode reconnect must not depend
//! on a guess.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::reply::Reply;
use super::state::State;

const WINDOW: Duration = Duration::from_secs(60);

/// The calls a minute `method` is allowed (its tier's floor), for the methods the
/// fake implements; `None` when no tier applies.
pub fn per_minute(method: &str) -> Option<usize> {
    const TIER2: usize = 20;
    const TIER3: usize = 50;
    const TIER4: usize = 100;
    Some(match method {
        "conversations.create" | "conversations.setTopic" | "conversations.list" | "pins.add" => {
            TIER2
        }
        "chat.update"
        | "conversations.history"
        | "conversations.info"
        | "conversations.invite"
        | "conversations.join"
        | "conversations.open"
        | "conversations.replies"
        | "openid.connect.userInfo" => TIER3,
        "chat.postEphemeral"
        | "files.completeUploadExternal"
        | "files.getUploadURLExternal"
        | "openid.connect.token"
        | "users.info"
        | "views.open" => TIER4,
        _ => return None,
    })
}

/// Counts a call to `method` now, or answers 429 with `Retry-After` when the
/// method's minute is full (such a call is not counted).
pub(crate) fn check(state: &mut State, method: &str) -> Option<Reply> {
    if !state.tier_limits {
        return None;
    }
    let allowed = per_minute(method)?;
    let now = Instant::now();
    let times = state.tier_times.entry(method.to_string()).or_default();
    forget_older(times, now);
    if times.len() >= allowed {
        let wait = times
            .front()
            .map_or(WINDOW, |t| WINDOW.saturating_sub(now.duration_since(*t)));
        *state.tier_limited.entry(method.to_string()).or_default() += 1;
        return Some(Reply::rate_limited(
            wait.as_secs_f64().ceil().max(1.0) as u64
        ));
    }
    times.push_back(now);
    None
}

fn forget_older(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        times.pop_front();
    }
}
