//! Reactions and pins people add or take away in channels. The workspace changes as
//! Slack's would (history shows `reactions` and `pinned_to`), and each method returns
//! the event Slack sends for it (the inner `event`: wrap it with
//! [`crate::payloads::event_callback`] to push it). What Slack would refuse (a second
//! identical reaction, unpinning what is not pinned, a message that does not exist)
//! panics: it is a test bug, and Slack would send no event.

use serde_json::Value;

use super::FakeSlack;
use crate::payloads::{self, Pinned};

impl FakeSlack {
    /// `user` reacts with `name` (no colons, e.g. `pushpin`) to the message `ts`;
    /// returns the `reaction_added` event.
    pub fn add_reaction(&self, channel_id: &str, ts: &str, user: &str, name: &str) -> Value {
        let mut state = self.shared.lock();
        let author = existing(&state, channel_id, ts, "add_reaction")
            .user
            .clone();
        let list = state
            .reactions
            .entry((channel_id.to_string(), ts.to_string()))
            .or_default();
        match list.iter_mut().find(|(n, _)| n == name) {
            Some((_, users)) if users.iter().any(|u| u == user) => {
                panic!("add_reaction: {user} already reacted with {name} (already_reacted)")
            }
            Some((_, users)) => users.push(user.to_string()),
            None => list.push((name.to_string(), vec![user.to_string()])),
        }
        let event_ts = state.next_ts();
        payloads::reaction_added(channel_id, ts, user, name, author.as_deref(), &event_ts)
    }

    /// `user` takes their reaction `name` away; returns the `reaction_removed` event.
    pub fn remove_reaction(&self, channel_id: &str, ts: &str, user: &str, name: &str) -> Value {
        let mut state = self.shared.lock();
        let author = existing(&state, channel_id, ts, "remove_reaction")
            .user
            .clone();
        let list = state
            .reactions
            .entry((channel_id.to_string(), ts.to_string()))
            .or_default();
        let Some(at) = list
            .iter()
            .position(|(n, users)| n == name && users.iter().any(|u| u == user))
        else {
            panic!("remove_reaction: {user} has no {name} reaction on {ts} (no_reaction)");
        };
        list[at].1.retain(|u| u != user);
        if list[at].1.is_empty() {
            list.remove(at);
        }
        let event_ts = state.next_ts();
        payloads::reaction_removed(channel_id, ts, user, name, author.as_deref(), &event_ts)
    }

    /// `user` pins the message `ts`; returns the `pin_added` event.
    pub fn pin_message(&self, channel_id: &str, ts: &str, user: &str) -> Value {
        let mut state = self.shared.lock();
        let message = existing(&state, channel_id, ts, "pin_message").clone();
        assert!(
            !state.is_pinned(channel_id, ts),
            "pin_message: {ts} is already pinned (already_pinned)"
        );
        let at = state.now_secs();
        state
            .pins
            .entry(channel_id.to_string())
            .or_default()
            .push(ts.to_string());
        state.pinned_by.insert(
            (channel_id.to_string(), ts.to_string()),
            (user.to_string(), at),
        );
        let shown = state.history_json(&message, false);
        let count = state.pins.get(channel_id).map_or(0, Vec::len);
        let event_ts = state.next_ts();
        payloads::pin_added(
            channel_id,
            &shown,
            Pinned { by: user, at },
            count,
            &event_ts,
        )
    }

    /// `user` unpins the message `ts`; returns the `pin_removed` event.
    pub fn unpin_message(&self, channel_id: &str, ts: &str, user: &str) -> Value {
        let mut state = self.shared.lock();
        let message = existing(&state, channel_id, ts, "unpin_message").clone();
        assert!(
            state.is_pinned(channel_id, ts),
            "unpin_message: {ts} is not pinned (no_pin)"
        );
        if let Some(pins) = state.pins.get_mut(channel_id) {
            pins.retain(|p| p != ts);
        }
        let (by, at) = state
            .pinned_by
            .remove(&(channel_id.to_string(), ts.to_string()))
            .unwrap_or_else(|| (user.to_string(), state.now_secs()));
        let shown = state.history_json(&message, false);
        let count = state.pins.get(channel_id).map_or(0, Vec::len);
        let event_ts = state.next_ts();
        payloads::pin_removed(
            channel_id,
            &shown,
            user,
            Pinned { by: &by, at },
            count,
            &event_ts,
        )
    }

    /// The reactions on a message: each name with who added it, in order.
    pub fn reactions_on(&self, channel_id: &str, ts: &str) -> Vec<(String, Vec<String>)> {
        self.shared
            .lock()
            .reactions
            .get(&(channel_id.to_string(), ts.to_string()))
            .cloned()
            .unwrap_or_default()
    }
}

fn existing<'a>(
    state: &'a super::state::State,
    channel_id: &str,
    ts: &str,
    what: &str,
) -> &'a super::model::Message {
    state
        .message(channel_id, ts)
        .unwrap_or_else(|| panic!("{what}: no message {ts} in {channel_id} (message_not_found)"))
}
