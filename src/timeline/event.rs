//! The `message` event in its subtypes, as Slack sends it, and what each means.

use super::{Intent, Message, Ours, parse_ts};
use crate::domain::{FileRef, IdKind, SlackTs, is_slack_id};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct MessageEvent {
    pub subtype: Option<String>,
    pub channel: Option<String>,
    #[serde(flatten)]
    pub body: Body,
    /// `message_changed`: the message as it now stands.
    pub message: Option<Body>,
    /// `message_changed` / `message_deleted`: the message before.
    pub previous_message: Option<Body>,
    pub deleted_ts: Option<String>,
    pub event_ts: Option<String>,
}

/// The fields a message carries, at top level or nested in a change.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Body {
    pub user: Option<String>,
    pub bot_id: Option<String>,
    pub app_id: Option<String>,
    pub text: Option<String>,
    pub ts: Option<String>,
    pub thread_ts: Option<String>,
    pub subtype: Option<String>,
    #[serde(default)]
    pub files: Vec<File>,
    pub edited: Option<Edited>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct File {
    pub id: String,
    pub name: Option<String>,
    pub title: Option<String>,
    pub permalink: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Edited {
    pub user: Option<String>,
    pub ts: Option<String>,
}

/// Subtypes that are messages people (or other apps) wrote.
const CONTENT: [&str; 4] = [
    "file_share",
    "thread_broadcast",
    "me_message",
    "bot_message",
];

/// Slack's limit on a message's text; anything longer did not come from Slack.
pub const MAX_TEXT_CHARS: usize = 40_000;
/// The most files one message carries (Slack allows 10; this leaves room).
const MAX_FILES: usize = 100;
const MAX_FILE_NAME_CHARS: usize = 1_000;
const MAX_URL_LEN: usize = 2_048;

impl MessageEvent {
    /// Checks every id, time and text from outside for shape and size, before anything
    /// is stored: a 100 KB "user" or `ts` is refused here, with what was wrong.
    pub fn check(&self) -> Result<(), String> {
        if let Some(channel) = &self.channel {
            id(channel, IdKind::Channel, "channel")?;
        }
        for ts in [&self.deleted_ts, &self.event_ts].into_iter().flatten() {
            slack_ts(ts)?;
        }
        self.body.check()?;
        for body in [&self.message, &self.previous_message]
            .into_iter()
            .flatten()
        {
            body.check()?;
        }
        Ok(())
    }

    /// What this event means for a timeline; `Err` says why it is not for one.
    pub fn intent(&self, ours: &Ours<'_>) -> Result<Intent, &'static str> {
        let channel = self.channel.clone().ok_or("no channel")?;
        match self.subtype.as_deref() {
            None => Ok(Intent::New(self.body.to_message(channel, ours)?)),
            Some(s) if CONTENT.contains(&s) => {
                Ok(Intent::New(self.body.to_message(channel, ours)?))
            }
            Some("message_changed") => {
                let now = self
                    .message
                    .as_ref()
                    .ok_or("message_changed without message")?;
                // A thread parent deleted while it has replies becomes a tombstone:
                // Slack says so with a change, not with `message_deleted`.
                if now.subtype.as_deref() == Some(TOMBSTONE) {
                    let deleted_at = self
                        .event_ts
                        .as_deref()
                        .or(self.body.ts.as_deref())
                        .ok_or("delete without time")?;
                    return self.deleted(channel, now.ts.clone(), parse_ts(deleted_at)?, ours);
                }
                // Unfurls and reply-count updates also arrive as changes; only a
                // real edit carries `edited`.
                let edited = now.edited.as_ref().ok_or("not an edit")?;
                let edited_at = edited
                    .ts
                    .as_deref()
                    .or(self.event_ts.as_deref())
                    .ok_or("edit without time")?;
                let edited_at = parse_ts(edited_at)?;
                Ok(Intent::Edit {
                    message: now.to_message(channel, ours)?,
                    edited_at,
                })
            }
            Some("message_deleted") => {
                let deleted_at = self
                    .event_ts
                    .as_deref()
                    .or(self.body.ts.as_deref())
                    .ok_or("delete without time")?;
                self.deleted(
                    channel,
                    self.deleted_ts.clone(),
                    parse_ts(deleted_at)?,
                    ours,
                )
            }
            // Joins, leaves, topic and pin notices: the bot records those itself.
            Some(_) => Err("membership or channel notice"),
        }
    }
}

impl MessageEvent {
    /// The message `ts` was deleted at `deleted_at`, as it stood before (who said
    /// what), from `previous_message` when the event carries it.
    fn deleted(
        &self,
        channel: String,
        ts: Option<String>,
        deleted_at: chrono::DateTime<chrono::Utc>,
        ours: &Ours<'_>,
    ) -> Result<Intent, &'static str> {
        let before = self.previous_message.clone().unwrap_or_default();
        let ts = ts.or(before.ts.clone()).ok_or("delete without ts")?;
        let body = Body {
            ts: Some(ts),
            ..before
        };
        Ok(Intent::Delete {
            message: body.to_message(channel, ours)?,
            deleted_at,
        })
    }

    /// A tombstone as history shows it (a deleted thread parent), read at `seen_at`:
    /// history gives no time for the delete. `None` for any other message.
    pub fn tombstone(
        &self,
        seen_at: chrono::DateTime<chrono::Utc>,
        ours: &Ours<'_>,
    ) -> Option<Intent> {
        if self.subtype.as_deref() != Some(TOMBSTONE) {
            return None;
        }
        let channel = self.channel.clone()?;
        // What it said is gone from history; the tombstone's own words are Slack's.
        let body = Body {
            user: None,
            text: Some(String::new()),
            subtype: None,
            ..self.body.clone()
        };
        Some(Intent::Delete {
            message: body.to_message(channel, ours).ok()?,
            deleted_at: seen_at,
        })
    }
}

pub(super) fn id(value: &str, kind: IdKind, what: &str) -> Result<(), String> {
    if is_slack_id(value, kind) {
        Ok(())
    } else {
        Err(format!(
            "{what} is not a Slack id ({} characters)",
            value.len()
        ))
    }
}

pub(super) fn slack_ts(value: &str) -> Result<(), String> {
    SlackTs::parse(value)
        .map(drop)
        .map_err(|_| format!("`{:.40}` is not a Slack ts", value))
}

/// The subtype of a deleted thread parent that still has replies.
const TOMBSTONE: &str = "tombstone";

impl Body {
    pub(super) fn check(&self) -> Result<(), String> {
        if let Some(user) = &self.user {
            id(user, IdKind::User, "user")?;
        }
        if let Some(bot) = &self.bot_id {
            id(bot, IdKind::Bot, "bot_id")?;
        }
        if let Some(app) = &self.app_id {
            id(app, IdKind::App, "app_id")?;
        }
        for ts in [&self.ts, &self.thread_ts].into_iter().flatten() {
            slack_ts(ts)?;
        }
        if let Some(edited) = &self.edited {
            if let Some(user) = &edited.user {
                id(user, IdKind::User, "edited.user")?;
            }
            if let Some(ts) = &edited.ts {
                slack_ts(ts)?;
            }
        }
        if self
            .text
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TEXT_CHARS)
        {
            return Err(format!(
                "text longer than Slack's {MAX_TEXT_CHARS} characters"
            ));
        }
        if self.files.len() > MAX_FILES {
            return Err(format!("more than {MAX_FILES} files"));
        }
        for f in &self.files {
            id(&f.id, IdKind::File, "file id")?;
            let long_name = [&f.name, &f.title]
                .into_iter()
                .flatten()
                .any(|n| n.chars().count() > MAX_FILE_NAME_CHARS);
            if long_name || f.permalink.as_ref().is_some_and(|u| u.len() > MAX_URL_LEN) {
                return Err("a file name or permalink is too long".into());
            }
        }
        Ok(())
    }

    /// Whether we posted it: our own posts are in the timeline as system entries.
    pub(super) fn is_ours(&self, ours: &Ours<'_>) -> bool {
        let same = |mine: Option<&str>, theirs: &Option<String>| {
            mine.is_some() && theirs.as_deref() == mine
        };
        same(ours.app_id, &self.app_id) || same(ours.bot_id, &self.bot_id)
    }

    fn to_message(&self, channel: String, ours: &Ours<'_>) -> Result<Message, &'static str> {
        if self.is_ours(ours) {
            return Err("our own post");
        }
        let ts = self.ts.clone().ok_or("message without ts")?;
        let at = parse_ts(&ts)?;
        Ok(Message {
            channel,
            at,
            thread_ts: self.thread_ts.clone(),
            author: self.user.clone().or_else(|| self.bot_id.clone()),
            // NUL cannot be stored on PostgreSQL; the message is kept without it.
            text: self.text.as_deref().unwrap_or_default().replace('\0', ""),
            files: self
                .files
                .iter()
                .map(|f| FileRef {
                    id: f.id.clone(),
                    name: f
                        .name
                        .clone()
                        .or_else(|| f.title.clone())
                        .unwrap_or_else(|| f.id.clone())
                        .replace('\0', ""),
                    permalink: f.permalink.clone(),
                })
                .collect(),
            ts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(v: serde_json::Value) -> MessageEvent {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_plain_message_is_new_with_its_utc_time() {
        let e = event(
            json!({"type": "message", "channel": "C1", "user": "U1", "text": "hi", "ts": "1615281300.000100"}),
        );
        let Intent::New(m) = e
            .intent(&Ours {
                app_id: Some("A1"),
                bot_id: None,
            })
            .unwrap()
        else {
            panic!()
        };
        assert_eq!((m.author.as_deref(), m.text.as_str()), (Some("U1"), "hi"));
        assert_eq!(m.at.to_rfc3339(), "2021-03-09T09:15:00.000100+00:00");
    }

    #[test]
    fn an_edit_carries_the_new_text_and_edit_time() {
        let e = event(
            json!({"type": "message", "subtype": "message_changed", "channel": "C1", "hidden": true,
            "ts": "1700000100.000000", "event_ts": "1700000100.000000",
            "message": {"type": "message", "user": "U1", "text": "new", "ts": "1700000000.000100",
                        "edited": {"user": "U1", "ts": "1700000100.000000"}},
            "previous_message": {"type": "message", "user": "U1", "text": "old", "ts": "1700000000.000100"}}),
        );
        let Intent::Edit { message, edited_at } = e.intent(&Ours::default()).unwrap() else {
            panic!()
        };
        assert_eq!(
            (message.ts.as_str(), message.text.as_str()),
            ("1700000000.000100", "new")
        );
        assert_eq!(edited_at.timestamp(), 1_700_000_100);
    }

    #[test]
    fn an_unfurl_without_edited_is_not_an_edit() {
        let e = event(
            json!({"type": "message", "subtype": "message_changed", "channel": "C1",
            "message": {"user": "U1", "text": "see https://x", "ts": "1700000000.000100"}}),
        );
        assert_eq!(e.intent(&Ours::default()), Err("not an edit"));
    }

    #[test]
    fn a_thread_parent_turned_tombstone_is_a_delete_of_what_it_said() {
        let e = event(
            json!({"type": "message", "subtype": "message_changed", "channel": "C1", "hidden": true,
            "ts": "1700000300.000000", "event_ts": "1700000300.000000",
            "message": {"type": "message", "subtype": "tombstone", "user": "USLACKBOT", "hidden": true,
                        "text": "This message was deleted.", "ts": "1700000000.000100",
                        "thread_ts": "1700000000.000100", "reply_count": 1},
            "previous_message": {"type": "message", "user": "U1", "text": "is it the batch job?",
                                 "ts": "1700000000.000100", "thread_ts": "1700000000.000100"}}),
        );
        let Intent::Delete {
            message,
            deleted_at,
        } = e.intent(&Ours::default()).unwrap()
        else {
            panic!("a tombstone is a delete")
        };
        assert_eq!(
            (
                message.ts.as_str(),
                message.author.as_deref(),
                message.text.as_str()
            ),
            ("1700000000.000100", Some("U1"), "is it the batch job?")
        );
        assert_eq!(deleted_at.timestamp(), 1_700_000_300);
    }

    #[test]
    fn a_delete_keeps_who_said_what() {
        let e = event(
            json!({"type": "message", "subtype": "message_deleted", "channel": "C1", "hidden": true,
            "deleted_ts": "1700000000.000100", "ts": "1700000200.000000", "event_ts": "1700000200.000000",
            "previous_message": {"user": "U1", "text": "oops", "ts": "1700000000.000100"}}),
        );
        let Intent::Delete {
            message,
            deleted_at,
        } = e.intent(&Ours::default()).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (message.author.as_deref(), message.text.as_str()),
            (Some("U1"), "oops")
        );
        assert_eq!(deleted_at.timestamp(), 1_700_000_200);
    }

    #[test]
    fn our_own_posts_and_joins_are_not_timeline_messages() {
        let ours = event(
            json!({"type": "message", "subtype": "bot_message", "channel": "C1", "bot_id": "B1", "app_id": "A1", "text": "x", "ts": "1.000001"}),
        );
        assert_eq!(
            ours.intent(&Ours {
                app_id: Some("A1"),
                bot_id: None
            }),
            Err("our own post")
        );
        let join = event(
            json!({"type": "message", "subtype": "channel_join", "channel": "C1", "user": "U1", "text": "joined", "ts": "1.000001"}),
        );
        assert_eq!(
            join.intent(&Ours {
                app_id: Some("A1"),
                bot_id: None
            }),
            Err("membership or channel notice")
        );
    }

    #[test]
    fn another_apps_alert_is_kept_with_its_bot_as_author() {
        let e = event(
            json!({"type": "message", "subtype": "bot_message", "channel": "C1", "bot_id": "B9", "app_id": "A9", "text": "CPU 99%", "ts": "1.000001"}),
        );
        let Intent::New(m) = e
            .intent(&Ours {
                app_id: Some("A1"),
                bot_id: None,
            })
            .unwrap()
        else {
            panic!()
        };
        assert_eq!(m.author.as_deref(), Some("B9"));
    }
}
