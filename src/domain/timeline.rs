//! One line of an incident's timeline: a war-room message or a system event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// Something a person (or another app) wrote in the war room.
    Message,
    /// Something Warroom itself did or recorded: `declared`, `status`, `severity`, …
    System(String),
}

impl EntryKind {
    /// The kind of a system entry (`declared`, `alert_firing`, …); `None` for a message.
    pub fn system_kind(&self) -> Option<&str> {
        match self {
            EntryKind::System(kind) => Some(kind),
            EntryKind::Message => None,
        }
    }
}

/// Where an entry was said: in Slack (and everything Warroom records itself), or in
/// the fallback war room on IRC while Slack was down.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntrySource {
    #[default]
    Slack,
    Irc,
}

impl EntrySource {
    /// As stored (`timeline_entries.source`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntrySource::Slack => "slack",
            EntrySource::Irc => "irc",
        }
    }

    /// The stored value back; `None` for anything else.
    pub fn parse(s: &str) -> Option<EntrySource> {
        match s {
            "slack" => Some(EntrySource::Slack),
            "irc" => Some(EntrySource::Irc),
            _ => None,
        }
    }
}

/// A file shared into the war room; we keep the reference, never the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub id: String,
    pub name: String,
    pub permalink: Option<String>,
}

/// One version of a message's text and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextVersion {
    pub at: DateTime<Utc>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    pub author_id: Option<String>,
    pub text: String,
    /// The Slack `ts` of a message: with the channel, its identity.
    pub ts: Option<String>,
    /// Set on thread replies: the `ts` of the thread's parent.
    pub thread_ts: Option<String>,
    /// The text before the latest edit, kept so the record shows what changed.
    pub previous_text: Option<String>,
    /// Every earlier version of the text, oldest first, each with when it was
    /// written (the message's time, then each edit's); the current text is not here.
    pub versions: Vec<TextVersion>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub files: Vec<FileRef>,
    /// Marked a key event by the team (a 📌 reaction or a pin on the message).
    /// System entries of [`super::KEY_SYSTEM_KINDS`] are key events by their kind.
    pub marked_key: bool,
    /// Where it was said.
    pub source: EntrySource,
    /// The IRC nick that said it (IRC entries only); `author_id` is the Slack user
    /// the nick maps to, when it does.
    pub author_nick: Option<String>,
}

impl TimelineEntry {
    pub fn system(
        incident_id: i64,
        at: DateTime<Utc>,
        event: &str,
        author_id: Option<&str>,
        text: String,
    ) -> Self {
        Self {
            incident_id,
            at,
            kind: EntryKind::System(event.to_string()),
            author_id: author_id.map(str::to_string),
            text,
            ts: None,
            thread_ts: None,
            previous_text: None,
            versions: Vec::new(),
            edited_at: None,
            deleted_at: None,
            files: Vec::new(),
            marked_key: false,
            source: EntrySource::Slack,
            author_nick: None,
        }
    }

    /// A message as first written: not edited, not deleted, no files.
    pub fn message(
        incident_id: i64,
        at: DateTime<Utc>,
        author_id: Option<String>,
        text: String,
        ts: String,
    ) -> Self {
        Self {
            incident_id,
            at,
            kind: EntryKind::Message,
            author_id,
            text,
            ts: Some(ts),
            thread_ts: None,
            previous_text: None,
            versions: Vec::new(),
            edited_at: None,
            deleted_at: None,
            files: Vec::new(),
            marked_key: false,
            source: EntrySource::Slack,
            author_nick: None,
        }
    }

    pub fn is_system(&self) -> bool {
        matches!(self.kind, EntryKind::System(_))
    }

    /// Whether the postmortem's key events list it: marked by the team, or a system
    /// event that is key by its kind. A deleted message is not.
    pub fn is_key(&self) -> bool {
        match &self.kind {
            EntryKind::System(kind) => super::is_key_system_kind(kind),
            EntryKind::Message => self.marked_key && self.deleted_at.is_none(),
        }
    }

    pub fn is_thread_reply(&self) -> bool {
        matches!((&self.thread_ts, &self.ts), (Some(t), Some(ts)) if t != ts)
    }
}
