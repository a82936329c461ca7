//! Backfill: what was said in war rooms while Warroom was away (a restart, a dropped
//! Socket Mode connection, events Slack gave up retrying). For each open incident it
//! reads the war room's whole `conversations.history` since the declaration, page by
//! page, and stores every message the timeline lacks, wherever it falls (one missed
//! while later ones got through included), every edit newer than the stored text,
//! and every tombstone (a deleted thread parent). It reads `conversations.replies` for
//! each thread whose `latest_reply` is newer than the gap or whose `reply_count` is
//! more than the timeline holds. It writes through the same path as live events, so
//! the unique keys make backfill and live delivery meet without duplicates. Plain
//! deletions made while away are not visible in history and are not backfilled.
//!
//! Key-event marks are reconciled one way: a 📌 or pin that history shows and the
//! store lacks is added (silently: history gives no time for it, so no timeline
//! entry). Nothing is unmarked from history alone, as live events go on changing
//! marks while a page is read: a mark history no longer shows is kept (a 📌 taken
//! away while the bot was away stays), and one taken away live between the reading
//! of its page and the storing of it comes back.
//!
//! Rate: `conversations.history` and `.replies` are Tier 3 (about 50 calls a minute)
//! for internal apps; calls are spaced by `slack.history_pace_ms` (default 1.2 s).

use crate::domain::{Incident, SlackTs};
use crate::slack::client::{HistoryPage, SlackCallError};
use crate::state::AppState;
use crate::store::Ingested;
use crate::timeline::{self, Ours};
use std::time::Duration;

/// How far before the declaration backfill looks when nothing is stored yet: the
/// channel cannot be older than the incident, but clocks differ.
const BEFORE_DECLARATION: chrono::Duration = chrono::Duration::minutes(5);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    pub incidents: usize,
    pub messages: usize,
}

/// Where one war room's backfill starts. Taken when the bot (re)connects, before any
/// live event is handled, so a live message cannot hide the gap before it.
#[derive(Debug, Clone)]
pub struct Gap {
    pub incident: Incident,
    /// What arrived, changed or was replied to after this ts is fetched.
    pub oldest: String,
}

/// The gaps of every open war room, from the database alone (fast: no Slack calls).
pub async fn find_gaps(state: &AppState) -> crate::store::StoreResult<Vec<Gap>> {
    let mut tx = state.store.read().await?;
    let mut gaps = Vec::new();
    for incident in tx
        .open_incidents()
        .await?
        .into_iter()
        .filter(|i| i.channel_id.is_some())
    {
        let since = tx.latest_message_ts(incident.id).await?;
        let oldest = since.unwrap_or_else(|| {
            SlackTs::from_datetime(incident.declared_at - BEFORE_DECLARATION)
                .as_str()
                .to_string()
        });
        gaps.push(Gap { incident, oldest });
    }
    tx.commit().await?;
    Ok(gaps)
}

/// Finds the gaps now and fills them in the background.
pub async fn spawn(state: &AppState) {
    match find_gaps(state).await {
        Ok(gaps) if gaps.is_empty() => {}
        Ok(gaps) => {
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(e) = fill(&state, gaps).await {
                    tracing::warn!(error = %e, "backfill failed; live events continue");
                }
            });
        }
        Err(e) => tracing::warn!(error = %e, "could not work out what to backfill"),
    }
}

/// Fetches and stores what each gap is missing.
pub async fn fill(state: &AppState, gaps: Vec<Gap>) -> anyhow::Result<Filled> {
    let _one_at_a_time = state.backfill_lock.lock().await;
    let me = state.slack.identity().await?;
    let ours = Ours {
        app_id: None,
        bot_id: me.bot_id.as_deref(),
    };
    let mut filled = Filled::default();
    for gap in gaps {
        match fill_one(state, gap.clone(), &ours).await {
            Ok(n) => {
                filled.incidents += 1;
                filled.messages += n;
            }
            Err(e) => {
                tracing::warn!(incident_id = gap.incident.id, error = %e, "backfill of a war room failed; live events continue")
            }
        }
    }
    if filled.messages > 0 {
        tracing::info!(
            incidents = filled.incidents,
            messages = filled.messages,
            "backfilled missed messages"
        );
    }
    Ok(filled)
}

async fn fill_one(state: &AppState, gap: Gap, ours: &Ours<'_>) -> anyhow::Result<usize> {
    let Gap { incident, oldest } = gap;
    let channel = incident.channel_id.as_deref().unwrap_or_default();
    // The whole war room, not just the gap: a message missed while a later one got
    // through lies before the gap, and an old message may have gained a reply or an
    // edit, which only its `latest_reply`, `reply_count` or `edited.ts` say.
    let from = SlackTs::from_datetime(incident.declared_at - BEFORE_DECLARATION)
        .as_str()
        .to_string();
    let mut tx = state.store.read().await?;
    let stored_replies = tx.reply_counts(incident.id).await?;
    tx.commit().await?;
    let mut written = 0;
    let mut cursor = None;
    loop {
        let page = paced(state, state.slack.history(channel, &from, cursor.take())).await?;
        cursor = page.next_cursor();
        let threads: Vec<String> = page
            .messages
            .iter()
            .filter(|m| thread_needs_reading(m, &oldest, &stored_replies))
            .filter_map(|m| m.get("ts").and_then(|t| t.as_str()).map(str::to_string))
            .collect();
        written += store(state, &incident, channel, page.messages, ours).await?;
        for parent in &threads {
            written += fill_thread(state, &incident, channel, parent, ours).await?;
        }
        if cursor.is_none() {
            break;
        }
    }
    Ok(written)
}

/// A thread is read when it has a reply newer than the gap, or fewer replies stored
/// than Slack counts (one was missed, however old).
fn thread_needs_reading(
    message: &serde_json::Value,
    oldest: &str,
    stored_replies: &std::collections::HashMap<String, i64>,
) -> bool {
    let Some(ts) = message.get("ts").and_then(|t| t.as_str()) else {
        return false;
    };
    let latest = message.get("latest_reply").and_then(|t| t.as_str());
    let counted = message
        .get("reply_count")
        .and_then(|n| n.as_i64())
        .unwrap_or(0);
    let have = stored_replies.get(ts).copied().unwrap_or(0);
    latest.is_some_and(|t| t > oldest) || have < counted
}

/// Reads a whole thread, page by page, storing what the timeline lacks.
async fn fill_thread(
    state: &AppState,
    incident: &Incident,
    channel: &str,
    parent: &str,
    ours: &Ours<'_>,
) -> anyhow::Result<usize> {
    let mut written = 0;
    let mut cursor = None;
    loop {
        let page = match paced(
            state,
            state.slack.replies(channel, parent, "0", cursor.take()),
        )
        .await
        {
            Err(SlackCallError::Api(code)) if code == "thread_not_found" => break,
            other => other?,
        };
        cursor = page.next_cursor();
        // Every page starts with the parent; only the replies are new here.
        let replies = page
            .messages
            .into_iter()
            .filter(|m| m.get("ts").and_then(|t| t.as_str()) != Some(parent))
            .collect();
        written += store(state, incident, channel, replies, ours).await?;
        if cursor.is_none() {
            break;
        }
    }
    Ok(written)
}

/// Writes one page of messages through the same path as live events: each new one
/// is stored, an edited one as it now stands (only a newer edit replaces the text,
/// and every version is kept), and a tombstone marks what it replaced deleted. The
/// unique keys make what is already stored a no-op.
async fn store(
    state: &AppState,
    incident: &Incident,
    channel: &str,
    messages: Vec<serde_json::Value>,
    ours: &Ours<'_>,
) -> anyhow::Result<usize> {
    let mut written = 0;
    let mut tx = state.store.begin().await?;
    for mut m in messages {
        // History omits the channel.
        m["channel"] = serde_json::Value::String(channel.to_string());
        let marks = timeline::marks_in_history(&m, channel);
        let edited_at = m
            .get("edited")
            .and_then(|e| e.get("ts"))
            .and_then(|t| t.as_str())
            .and_then(|t| SlackTs::parse(t).ok());
        let Ok(event) = serde_json::from_value::<timeline::MessageEvent>(m) else {
            continue;
        };
        if let Some(delete) = event.tombstone(state.clock.now(), ours) {
            // Only a message we hold can be marked; an unknown one left no words.
            let ts = &delete.message().ts;
            if tx.has_message(channel, ts).await?
                && timeline::apply(&mut tx, incident.id, &delete).await? == Ingested::Stored
            {
                written += 1;
            }
            continue;
        }
        let Ok(intent) = event.intent(ours) else {
            continue;
        };
        let intent = match (intent, edited_at) {
            (timeline::Intent::New(message), Some(at)) => timeline::Intent::Edit {
                message,
                edited_at: at.to_datetime(),
            },
            (intent, _) => intent,
        };
        if !intent.within(incident.declared_at, chrono::Utc::now()) {
            tracing::warn!(incident_id = incident.id, ts = %intent.message().ts, "history holds a message dated far outside the incident; left out");
            continue;
        }
        if timeline::apply(&mut tx, incident.id, &intent).await? == Ingested::Stored {
            written += 1;
        }
        for (source, user) in &marks {
            let ts = &intent.message().ts;
            tx.add_key_mark(channel, ts, *source, user, state.clock.now())
                .await?;
        }
    }
    tx.commit().await?;
    Ok(written)
}

/// Spaces read calls to stay inside Slack's rate tier.
async fn paced<F: std::future::Future<Output = Result<HistoryPage, SlackCallError>>>(
    state: &AppState,
    call: F,
) -> Result<HistoryPage, SlackCallError> {
    let pace = Duration::from_millis(state.settings.slack.history_pace_ms);
    let result = call.await;
    if let Err(SlackCallError::RateLimited(Some(after))) = &result {
        tokio::time::sleep(*after).await;
    }
    tokio::time::sleep(pace).await;
    result
}
