//! Reactions and pins → key-event marks. A 📌 (`pushpin`) reaction (one mark per
//! person) or a pin (one per message) on a war-room message marks it a key event;
//! taking it away unmarks it, and the message stays key while any mark remains. Each
//! change is also a `key_event` system entry, by whoever made it, at the event's time.
//!
//! A mark is one small write in its own transaction, with the event id: a redelivery
//! changes nothing, and neither does a second add of a mark that exists. Marks are
//! keyed by `(channel, ts)`, not by timeline row, so a reaction that arrives before
//! its message (the writer batches messages; Slack retries out of order) still counts
//! once the message is stored.

use super::event::{Body, id, slack_ts};
use super::{CLOCK_SLACK, Ours, Outcome, Writer, parse_ts};
use crate::domain::{
    IdKind, KEY_EVENT_KIND, TimelineEntry, is_key_reaction, is_slack_id, key_event_text,
};
use crate::store::{MarkSource, StoreResult, Tx};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The event types that can mark or unmark a key event.
pub const MARK_EVENT_TYPES: [&str; 4] = [
    "reaction_added",
    "reaction_removed",
    "pin_added",
    "pin_removed",
];

/// Longer than any emoji name Slack allows; anything longer did not come from Slack.
const MAX_REACTION_CHARS: usize = 200;

/// A reaction or pin event, as Slack sends it (`event` of an `event_callback`).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MarkEvent {
    ReactionAdded(Reaction),
    ReactionRemoved(Reaction),
    PinAdded(Pin),
    PinRemoved(Pin),
}

/// `reaction_added` / `reaction_removed`: `{user, reaction, item_user, item, event_ts}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Reaction {
    pub user: Option<String>,
    /// Without colons; a skin tone comes as a `::skin-tone-N` suffix.
    #[serde(default)]
    pub reaction: String,
    /// Who wrote the item; absent for messages from incoming webhooks.
    pub item_user: Option<String>,
    pub item: Item,
    pub event_ts: Option<String>,
}

/// `pin_added` / `pin_removed`: `{user, channel_id, item, event_ts}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Pin {
    pub user: Option<String>,
    pub channel_id: Option<String>,
    pub item: Item,
    pub event_ts: Option<String>,
}

/// What was reacted to or pinned. A reaction names a message by `channel` and `ts`; a
/// pin carries `channel` and the whole `message`. Files and file comments, which older
/// workspaces could react to or pin, carry neither and are not key events.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub channel: Option<String>,
    pub ts: Option<String>,
    pub message: Option<Body>,
}

/// One mark added or taken away.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub channel: String,
    pub ts: String,
    pub source: MarkSource,
    /// Whose mark it is: the person who reacted, or `""` for a pin (one per message).
    pub owner: String,
    /// Who made the change, for the timeline entry.
    pub by: Option<String>,
    pub at: DateTime<Utc>,
    pub add: bool,
}

impl MarkEvent {
    fn parts(&self) -> (Option<&String>, &Item, Option<&String>) {
        match self {
            MarkEvent::ReactionAdded(r) | MarkEvent::ReactionRemoved(r) => {
                (r.user.as_ref(), &r.item, r.event_ts.as_ref())
            }
            MarkEvent::PinAdded(p) | MarkEvent::PinRemoved(p) => {
                (p.user.as_ref(), &p.item, p.event_ts.as_ref())
            }
        }
    }

    /// Checks every id, time and name from outside for shape and size, before
    /// anything is looked up or stored.
    pub fn check(&self) -> Result<(), String> {
        let (user, item, event_ts) = self.parts();
        let (item_user, channel_id, reaction) = match self {
            MarkEvent::ReactionAdded(r) | MarkEvent::ReactionRemoved(r) => {
                (r.item_user.as_ref(), None, Some(&r.reaction))
            }
            MarkEvent::PinAdded(p) | MarkEvent::PinRemoved(p) => {
                (None, p.channel_id.as_ref(), None)
            }
        };
        for (value, kind, what) in [
            (user, IdKind::User, "user"),
            (item_user, IdKind::User, "item_user"),
            (channel_id, IdKind::Channel, "channel_id"),
            (item.channel.as_ref(), IdKind::Channel, "item.channel"),
        ] {
            if let Some(value) = value {
                id(value, kind, what)?;
            }
        }
        for ts in [item.ts.as_ref(), event_ts].into_iter().flatten() {
            slack_ts(ts)?;
        }
        if let Some(message) = &item.message {
            message.check()?;
        }
        if reaction.is_some_and(|r| r.chars().count() > MAX_REACTION_CHARS) {
            return Err(format!(
                "a reaction name longer than {MAX_REACTION_CHARS} characters"
            ));
        }
        Ok(())
    }

    /// The mark this event adds or takes away; `Err` says why it is none (another
    /// emoji, a file, our own post, …).
    pub fn mark(&self, ours: &Ours<'_>) -> Result<Mark, &'static str> {
        let (user, item, event_ts) = self.parts();
        if item.kind.as_deref() != Some("message") {
            return Err("not a message");
        }
        let at = parse_ts(event_ts.ok_or("no event_ts")?)?;
        match self {
            MarkEvent::ReactionAdded(r) | MarkEvent::ReactionRemoved(r) => {
                if !is_key_reaction(&r.reaction) {
                    return Err("not the key-event reaction");
                }
                let user = user.ok_or("reaction without user")?;
                Ok(Mark {
                    channel: item.channel.clone().ok_or("reaction without channel")?,
                    ts: item.ts.clone().ok_or("reaction without ts")?,
                    source: MarkSource::Reaction,
                    owner: user.clone(),
                    by: Some(user.clone()),
                    at,
                    add: matches!(self, MarkEvent::ReactionAdded(_)),
                })
            }
            MarkEvent::PinAdded(p) | MarkEvent::PinRemoved(p) => {
                let message = item.message.as_ref().ok_or("pin without message")?;
                // Our summary is pinned by us; it is not one of the team's key events.
                if message.is_ours(ours) {
                    return Err("our own post");
                }
                let channel = item.channel.clone().or_else(|| p.channel_id.clone());
                Ok(Mark {
                    channel: channel.ok_or("pin without channel")?,
                    ts: message.ts.clone().ok_or("pin without ts")?,
                    source: MarkSource::Pin,
                    owner: String::new(),
                    by: user.cloned(),
                    at,
                    add: matches!(self, MarkEvent::PinAdded(_)),
                })
            }
        }
    }
}

impl Mark {
    /// Whether the mark's time falls within the incident's life (see
    /// [`super::Intent::within`]).
    pub fn within(&self, declared_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        declared_at - CLOCK_SLACK <= self.at && self.at <= now + CLOCK_SLACK
    }
}

/// Adds or takes away the mark `event` means, if it is on a war-room message; answers
/// after the commit. Nothing else waits on it: one small transaction.
pub async fn ingest_mark(
    writer: &Writer,
    event_id: Option<&str>,
    ours: &Ours<'_>,
    event: &MarkEvent,
) -> StoreResult<Outcome> {
    let mark = match event.mark(ours) {
        Ok(mark) => mark,
        Err(reason) => return Ok(Outcome::Ignored(reason)),
    };
    let Some((incident_id, declared_at)) = writer.war_room(&mark.channel).await? else {
        return Ok(Outcome::Ignored("not a war room"));
    };
    if !mark.within(declared_at, Utc::now()) {
        return Ok(Outcome::Refused("a time far outside the incident"));
    }
    let mut tx = writer.store().begin().await?;
    if let Some(event_id) = event_id
        && !tx.record_event(event_id, Utc::now()).await?
    {
        return Ok(Outcome::Duplicate);
    }
    let outcome = apply_mark(&mut tx, incident_id, &mark).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Writes a mark and, if it changed anything, its `key_event` entry.
pub async fn apply_mark(tx: &mut Tx, incident_id: i64, mark: &Mark) -> StoreResult<Outcome> {
    let changed = if mark.add {
        tx.add_key_mark(&mark.channel, &mark.ts, mark.source, &mark.owner, mark.at)
            .await?
    } else {
        tx.remove_key_mark(&mark.channel, &mark.ts, mark.source, &mark.owner)
            .await?
    };
    if !changed {
        return Ok(Outcome::Duplicate);
    }
    let quoted = tx.message_text(&mark.channel, &mark.ts).await?;
    tx.insert_system_entry(&TimelineEntry::system(
        incident_id,
        mark.at,
        KEY_EVENT_KIND,
        mark.by.as_deref(),
        key_event_text(mark.add, quoted.as_deref()),
    ))
    .await?;
    Ok(Outcome::Stored)
}

/// The marks a message read from `conversations.history` carries: a pin when its
/// `pinned_to` names `channel`, and one per person listed under its 📌 reaction. Ids
/// that are not Slack's are left out; a malformed field gives no marks.
pub fn marks_in_history(message: &serde_json::Value, channel: &str) -> Vec<(MarkSource, String)> {
    #[derive(Deserialize)]
    struct Marks {
        #[serde(default)]
        pinned_to: Vec<String>,
        #[serde(default)]
        reactions: Vec<Listed>,
    }
    #[derive(Deserialize)]
    struct Listed {
        name: String,
        #[serde(default)]
        users: Vec<String>,
    }
    let Ok(marks) = Marks::deserialize(message) else {
        return Vec::new();
    };
    let pin = marks
        .pinned_to
        .iter()
        .any(|c| c == channel)
        .then(|| (MarkSource::Pin, String::new()));
    let reactions = marks
        .reactions
        .into_iter()
        .filter(|r| is_key_reaction(&r.name))
        .flat_map(|r| r.users)
        .filter(|u| is_slack_id(u, IdKind::User))
        .map(|u| (MarkSource::Reaction, u));
    pin.into_iter().chain(reactions).collect()
}

#[cfg(test)]
mod tests;
