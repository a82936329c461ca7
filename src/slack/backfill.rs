//! Backfill: what was said in war rooms while Warroom was away (a restart, a dropped
//! Socket Mode connection, events Slack gave up retrying). For each open incident it
//! reads the war room's `conversations.history`, takes what was posted or edited after
//! the newest stored message, and reads `conversations.replies` for every thread whose
//! `latest_reply` is newer. It writes through the same path as live events, so the
//! unique keys make backfill and live delivery meet without duplicates. Deletions made
//! while away are not visible in history and are not backfilled.
//!
//! Rate: `conversations.history` and `.replies` are Tier 3 (about 50 calls a minute)
//! for internal apps; calls are spaced by `slack.history_pace_ms` (default 1.2 s).

use crate::app::AppState;
use crate::domain::{Incident, SlackTs};
use crate::slack::client::{HistoryPage, SlackCallError};
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
    // The whole war room, not just the gap: an old message may have gained a reply or
    // an edit while we were away, and only its `latest_reply` / `edited.ts` say so.
    let from = SlackTs::from_datetime(incident.declared_at - BEFORE_DECLARATION)
        .as_str()
        .to_string();
    let mut top_level = Vec::new();
    let mut cursor = None;
    loop {
        let page = paced(state, state.slack.history(channel, &from, cursor.take())).await?;
        cursor = page.next_cursor();
        top_level.extend(page.messages);
        if cursor.is_none() {
            break;
        }
    }
    let after_gap = |v: Option<&serde_json::Value>| {
        v.and_then(|t| t.as_str())
            .is_some_and(|t| t > oldest.as_str())
    };
    let threads: Vec<String> = top_level
        .iter()
        .filter(|m| after_gap(m.get("latest_reply")))
        .filter_map(|m| m.get("ts").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let mut messages: Vec<serde_json::Value> = top_level
        .into_iter()
        .filter(|m| after_gap(m.get("ts")) || after_gap(m.get("edited").and_then(|e| e.get("ts"))))
        .collect();
    for parent in &threads {
        let mut cursor = None;
        loop {
            let page = match paced(
                state,
                state.slack.replies(channel, parent, &oldest, cursor.take()),
            )
            .await
            {
                Err(SlackCallError::Api(code)) if code == "thread_not_found" => break,
                other => other?,
            };
            cursor = page.next_cursor();
            // The parent comes first in every page; only replies are new here.
            messages.extend(
                page.messages
                    .into_iter()
                    .filter(|m| m.get("ts").and_then(|t| t.as_str()) != Some(parent)),
            );
            if cursor.is_none() {
                break;
            }
        }
    }
    store(state, &incident, channel, &oldest, messages, ours).await
}

async fn store(
    state: &AppState,
    incident: &Incident,
    channel: &str,
    oldest: &str,
    messages: Vec<serde_json::Value>,
    ours: &Ours<'_>,
) -> anyhow::Result<usize> {
    let mut written = 0;
    let mut tx = state.store.begin().await?;
    for mut m in messages {
        // History omits the channel.
        m["channel"] = serde_json::Value::String(channel.to_string());
        let edited_at = m
            .get("edited")
            .and_then(|e| e.get("ts"))
            .and_then(|t| t.as_str())
            .and_then(|t| SlackTs::parse(t).ok());
        let Ok(event) = serde_json::from_value::<timeline::MessageEvent>(m) else {
            continue;
        };
        let Ok(intent) = event.intent(ours) else {
            continue;
        };
        // A message edited since the gap is stored as it now stands, keeping what
        // we had as the previous text.
        let intent = match (intent, edited_at) {
            (timeline::Intent::New(message), Some(at)) if at.as_str() > oldest => {
                timeline::Intent::Edit {
                    message,
                    edited_at: at.to_datetime(),
                }
            }
            (intent, _) => intent,
        };
        if timeline::apply(&mut tx, incident.id, &intent).await? == crate::store::Ingested::Stored {
            written += 1;
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
