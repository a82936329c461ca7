//! Message events → timeline entries. New messages, thread replies, edits, deletes
//! and file shares in a war room each become (or change) one entry. Redeliveries are
//! absorbed twice over: by the event id and by the message's `(channel, ts)`.
//! Reactions and pins mark messages as key events ([`marks`]).

mod event;
pub mod marks;
mod writer;

pub use event::MessageEvent;
pub use marks::{MARK_EVENT_TYPES, MarkEvent, ingest_mark, marks_in_history};
pub use writer::Writer;

use crate::domain::{FileRef, SlackTs};
use crate::store::{Change, Ingested, MessageWrite, StoreResult, Tx};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Stored,
    Duplicate,
    /// Not for the timeline: another channel, our own post, a membership notice, …
    Ignored(&'static str),
    /// Not believable: a time far outside the incident's life. Answered with a 400.
    Refused(&'static str),
}

/// How far before its declaration a war room's message may be dated (the channel is
/// made at the declaration; this allows for clocks that differ), and how far ahead of
/// now any time may be.
pub const CLOCK_SLACK: chrono::Duration = chrono::Duration::hours(1);

impl Intent {
    /// Whether every time this intent carries falls within the incident's life: from
    /// its declaration (less [`CLOCK_SLACK`]) to now (plus it). A `ts` of 0 or of the
    /// year 2286 would otherwise date the postmortem's start in 1970.
    pub fn within(&self, declared_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let (from, to) = (declared_at - CLOCK_SLACK, now + CLOCK_SLACK);
        let stamp = match self {
            Intent::New(_) => None,
            Intent::Edit { edited_at, .. } => Some(*edited_at),
            Intent::Delete { deleted_at, .. } => Some(*deleted_at),
        };
        [Some(self.message().at), stamp]
            .into_iter()
            .flatten()
            .all(|t| from <= t && t <= to)
    }
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

/// Stores what `event` means for its war room, through the batching writer, and
/// counts how it fared (once the writer has answered, that is after the commit).
pub async fn ingest(
    writer: &Writer,
    event_id: Option<&str>,
    ours: &Ours<'_>,
    event: &MessageEvent,
) -> StoreResult<Outcome> {
    let outcome = match event.intent(ours) {
        Ok(intent) => writer.write(event_id, intent).await?,
        Err(reason) => Outcome::Ignored(reason),
    };
    writer.metrics().message_event(outcome.label());
    Ok(outcome)
}

impl Outcome {
    /// The outcome's name as a metric label: one of a fixed few.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Stored => "stored",
            Outcome::Duplicate => "duplicate",
            Outcome::Ignored(_) => "ignored",
            Outcome::Refused(_) => "refused",
        }
    }
}

/// Writes an intent to an incident's timeline: the one path for live events and
/// backfill alike, so both meet on the same unique keys.
pub async fn apply(tx: &mut Tx, incident_id: i64, intent: &Intent) -> StoreResult<Ingested> {
    let mut done = apply_all(tx, &[(incident_id, intent)]).await?;
    Ok(done.pop().unwrap_or(Ingested::Duplicate))
}

/// Writes many intents, in order, in as few statements as the store can: the group
/// commit's path. Answers one outcome per intent.
pub async fn apply_all(tx: &mut Tx, intents: &[(i64, &Intent)]) -> StoreResult<Vec<Ingested>> {
    let writes: Vec<(MessageWrite<'_>, Change)> = intents
        .iter()
        .map(|&(incident_id, intent)| (intent.write(incident_id), intent.change()))
        .collect();
    tx.write_messages(&writes).await
}

impl Intent {
    fn write(&self, incident_id: i64) -> MessageWrite<'_> {
        let message = self.message();
        MessageWrite {
            incident_id,
            channel_id: &message.channel,
            ts: &message.ts,
            thread_ts: message.thread_ts.as_deref(),
            author_id: message.author.as_deref(),
            text: &message.text,
            files: &message.files,
            at: message.at,
        }
    }

    fn change(&self) -> Change {
        match self {
            Intent::New(_) => Change::New,
            Intent::Edit { edited_at, .. } => Change::Edit(*edited_at),
            Intent::Delete { deleted_at, .. } => Change::Delete(*deleted_at),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn every_outcome_is_a_label_the_metrics_start_at_zero() {
        for outcome in [
            Outcome::Stored,
            Outcome::Duplicate,
            Outcome::Ignored("ours"),
            Outcome::Refused("far future"),
        ] {
            assert!(
                crate::metrics::MESSAGE_OUTCOMES.contains(&outcome.label()),
                "{outcome:?}"
            );
        }
    }
}
