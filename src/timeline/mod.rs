//! Message events → timeline entries. New messages, thread replies, edits, deletes
//! and file shares in a war room each become (or change) one entry. Redeliveries are
//! absorbed twice over: by the event id and by the message's `(channel, ts)`.

mod event;
mod writer;

pub use event::MessageEvent;
pub use writer::Writer;

use crate::domain::{FileRef, SlackTs};
use crate::store::{Ingested, MessageWrite, StoreResult, Tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    Duplicate,
    /// Not for the timeline: another channel, our own post, a membership notice, …
    Ignored(&'static str),
}

/// What a message event means for the timeline, before touching the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    New(Message),
    Edit {
        message: Message,
        edited_at: DateTime<Utc>,
    },
    Delete {
        message: Message,
        deleted_at: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    pub at: DateTime<Utc>,
    pub thread_ts: Option<String>,
    pub author: Option<String>,
    pub text: String,
    pub files: Vec<FileRef>,
}

/// Who we are on Slack: our own posts are already in the timeline as system entries.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ours<'a> {
    pub app_id: Option<&'a str>,
    pub bot_id: Option<&'a str>,
}

/// Stores what `event` means for its war room, through the batching writer.
pub async fn ingest(
    writer: &Writer,
    event_id: Option<&str>,
    ours: &Ours<'_>,
    event: &MessageEvent,
) -> StoreResult<Outcome> {
    match event.intent(ours) {
        Ok(intent) => writer.write(event_id, intent).await,
        Err(reason) => Ok(Outcome::Ignored(reason)),
    }
}

/// Writes an intent to an incident's timeline: the one path for live events and
/// backfill alike, so both meet on the same unique keys.
pub async fn apply(tx: &mut Tx, incident_id: i64, intent: &Intent) -> StoreResult<Ingested> {
    let message = intent.message();
    let write = MessageWrite {
        incident_id,
        channel_id: &message.channel,
        ts: &message.ts,
        thread_ts: message.thread_ts.as_deref(),
        author_id: message.author.as_deref(),
        text: &message.text,
        files: &message.files,
        at: message.at,
    };
    match intent {
        Intent::New(_) => tx.insert_message(&write).await,
        Intent::Edit { edited_at, .. } => tx.apply_edit(&write, *edited_at).await,
        Intent::Delete { deleted_at, .. } => tx.apply_delete(&write, *deleted_at).await,
    }
}

impl Intent {
    pub fn message(&self) -> &Message {
        match self {
            Intent::New(m)
            | Intent::Edit { message: m, .. }
            | Intent::Delete { message: m, .. } => m,
        }
    }
}

pub(crate) fn parse_ts(ts: &str) -> Result<DateTime<Utc>, &'static str> {
    SlackTs::parse(ts)
        .map(|t| t.to_datetime())
        .map_err(|_| "malformed ts")
}
