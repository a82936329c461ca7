//! What Slack users do in channels while the bot may not be listening: post,
//! reply in threads, edit, delete. Nothing is pushed over Socket Mode; tests push
//! the matching events themselves when they want the bot to hear about it.

use serde_json::{Value, json};

use super::methods::ts_micros;
use super::model::Message;
use super::{FakeSlack, TEAM_ID};
use crate::payloads;

impl FakeSlack {
    /// Stores a message from a human user, as history would show it; returns its ts.
    pub fn add_message(&self, channel_id: &str, user_id: &str, text: &str) -> String {
        self.seed_message(channel_id, user_id, text, None, None)
    }

    /// Stores a thread reply from a human user; returns its ts.
    pub fn add_thread_reply(
        &self,
        channel_id: &str,
        user_id: &str,
        text: &str,
        thread_ts: &str,
    ) -> String {
        self.seed_message(channel_id, user_id, text, Some(thread_ts), None)
    }

    /// Stores a message with a chosen `ts` (e.g. in the past, for backfill tests).
    /// Later generated timestamps stay above it. Panics on a malformed ts or one
    /// already used in the channel (a test bug).
    pub fn add_message_at(&self, channel_id: &str, user_id: &str, text: &str, ts: &str) {
        self.seed_message(channel_id, user_id, text, None, Some(ts));
    }

    /// Stores a thread reply with a chosen `ts`; see [`FakeSlack::add_message_at`].
    pub fn add_thread_reply_at(
        &self,
        channel_id: &str,
        user_id: &str,
        text: &str,
        ts: &str,
        thread_ts: &str,
    ) {
        self.seed_message(channel_id, user_id, text, Some(thread_ts), Some(ts));
    }

    /// Edits a stored message as its author would: new text, `edited: {user, ts}`
    /// (blocks, if any, are left as they were). Returns the edit's ts. Panics if
    /// the message does not exist.
    pub fn edit_message(&self, channel_id: &str, ts: &str, new_text: &str) -> String {
        let mut state = self.shared.lock();
        let edited_ts = state.next_ts();
        let message = state
            .message_mut(channel_id, ts)
            .unwrap_or_else(|| panic!("edit_message: no message {ts} in {channel_id}"));
        message.text = new_text.to_string();
        message.raw["text"] = json!(new_text);
        message.raw["edited"] = json!({ "user": message.user, "ts": edited_ts });
        message.edited_ts = Some(edited_ts.clone());
        edited_ts
    }

    /// Deletes a stored message (and its pin and reactions). A thread parent that still has
    /// replies becomes Slack's tombstone (`subtype: "tombstone"`, text
    /// `This message was deleted.`), as Slack keeps the thread. Panics if the
    /// message does not exist. [`FakeSlack::delete_message_event`] does the same
    /// and gives the event Slack would send.
    pub fn delete_message(&self, channel_id: &str, ts: &str) {
        self.delete_message_event(channel_id, ts);
    }

    /// Deletes a stored message like [`FakeSlack::delete_message`] and returns
    /// the Events API `message` event Slack sends for it (the inner `event`:
    /// wrap it with [`crate::payloads::event_callback`] to push it):
    /// * a plain message or a thread reply: `subtype: "message_deleted"` with
    ///   `deleted_ts`, `hidden: true` and the message as `previous_message`;
    /// * a thread parent that has replies: no `message_deleted` but a
    ///   `subtype: "message_changed"` whose `message` is the tombstone
    ///   (`subtype: "tombstone"`, `hidden: true`, `user: "USLACKBOT"`, text
    ///   `This message was deleted.`, with `thread_ts` and the reply fields kept),
    ///   with the parent as it was in `previous_message`
    ///   (see [`crate::payloads::message_changed_tombstone`]).
    ///
    /// The event's own `ts`/`event_ts` is a fresh timestamp; `channel_type` follows
    /// the channel (`channel`, `group` or `im`). Panics if the message does not exist.
    pub fn delete_message_event(&self, channel_id: &str, ts: &str) -> Value {
        let mut state = self.shared.lock();
        let Some(existing) = state.message(channel_id, ts).cloned() else {
            panic!("delete_message: no message {ts} in {channel_id}");
        };
        let previous = state.history_json(&existing, false);
        let has_replies = state
            .messages
            .iter()
            .any(|m| m.channel == channel_id && m.ts != ts && m.thread_ts.as_deref() == Some(ts));
        let channel_type = state
            .channel(channel_id)
            .map_or("channel", |c| c.kind.channel_type());
        let event_ts = state.next_ts();
        if let Some(pins) = state.pins.get_mut(channel_id) {
            pins.retain(|p| p != ts);
        }
        let key = (channel_id.to_string(), ts.to_string());
        state.pinned_by.remove(&key);
        state.reactions.remove(&key);
        let mut event = if has_replies {
            if let Some(message) = state.message_mut(channel_id, ts) {
                let text = payloads::TOMBSTONE_TEXT;
                message.text = text.to_string();
                message.user = Some(payloads::SLACKBOT_USER_ID.to_string());
                message.bot_id = None;
                message.blocks = None;
                message.metadata = None;
                message.edited_ts = None;
                message.raw = json!({
                    "type": "message", "subtype": "tombstone", "user": payloads::SLACKBOT_USER_ID,
                    "text": text, "ts": ts, "thread_ts": ts, "hidden": true, "is_locked": false,
                });
            }
            payloads::message_changed_tombstone(channel_id, &previous, &event_ts)
        } else {
            state
                .messages
                .retain(|m| !(m.channel == channel_id && m.ts == ts));
            json!({
                "type": "message",
                "subtype": "message_deleted",
                "previous_message": previous,
                "channel": channel_id,
                "hidden": true,
                "deleted_ts": ts,
                "event_ts": event_ts,
                "ts": event_ts,
            })
        };
        event["channel_type"] = json!(channel_type);
        event
    }

    fn seed_message(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        thread_ts: Option<&str>,
        at: Option<&str>,
    ) -> String {
        let mut state = self.shared.lock();
        let ts = match at {
            Some(ts) => {
                assert!(ts_micros(ts).is_some(), "add_message_at: bad ts {ts:?}");
                assert!(
                    state.message(channel, ts).is_none(),
                    "add_message_at: ts {ts} already used in {channel}"
                );
                ts.to_string()
            }
            None => state.next_ts(),
        };
        let mut raw = json!({
            "type": "message", "user": user, "text": text, "ts": ts, "team": TEAM_ID,
        });
        if let Some(t) = thread_ts {
            raw["thread_ts"] = json!(t);
            raw["parent_user_id"] = state
                .message(channel, t)
                .and_then(|m| m.user.clone())
                .map_or(Value::Null, Value::String);
        }
        state.insert_message(Message {
            channel: channel.to_string(),
            ts: ts.clone(),
            thread_ts: thread_ts.map(str::to_string),
            user: Some(user.to_string()),
            bot_id: None,
            text: text.to_string(),
            blocks: None,
            edited_ts: None,
            metadata: None,
            raw,
        });
        ts
    }
}
