//! Changes made from inside a war room (status, sev, role, summary, note, resolve,
//! close): one path that finds the incident by channel, runs the state machine, and
//! stores the change, its timeline entries and the Slack updates together. Captures
//! outside the state machine (impact, action items) lock the incident the same way,
//! through [`lock_incident`].

use super::{Reply, SlashCommand};
use crate::domain::{Change, Incident, Status, SystemEvent, TimelineEntry};
use crate::error::AppError;
use crate::followup;
use crate::metrics::Metrics;
use crate::outbox::{self, Op};
use crate::paging;
use crate::state::AppState;
use crate::store::Tx;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The answer to a war-room command typed anywhere else.
pub const NOT_A_WAR_ROOM: &str = ":warning: This channel is not an incident war room. Run this inside the incident's channel; `/incident list` shows them.";

/// The incident whose war room `channel` is, locked until `tx` ends (a row lock on
/// PostgreSQL; SQLite's write transaction already holds the database), so changes to
/// one incident are applied one at a time. `None` when the channel is no war room.
pub async fn lock_incident(tx: &mut Tx, channel: &str) -> Result<Option<Incident>, AppError> {
    let Some(found) = tx.incident_by_channel(channel).await? else {
        return Ok(None);
    };
    let incident = tx
        .incident_for_update(found.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("incident #{} vanished", found.id))?;
    Ok(Some(incident))
}

/// The incident `cmd` is about: `cmd.incident_id` when the transport set it, else
/// the incident whose war room `cmd.channel_id` is. Not locked.
pub async fn incident_of(tx: &mut Tx, cmd: &SlashCommand) -> Result<Option<Incident>, AppError> {
    Ok(match cmd.incident_id {
        Some(id) => tx.incident(id).await?,
        None => tx.incident_by_channel(&cmd.channel_id).await?,
    })
}

/// As [`lock_incident`], for the incident `cmd` is about ([`incident_of`]).
pub async fn lock_incident_of(
    tx: &mut Tx,
    cmd: &SlashCommand,
) -> Result<Option<Incident>, AppError> {
    let Some(id) = cmd.incident_id else {
        return lock_incident(tx, &cmd.channel_id).await;
    };
    Ok(tx.incident_for_update(id).await?)
}

/// Stores one system entry of `kind` in the incident's timeline, by `author`.
pub async fn record(
    tx: &mut Tx,
    incident_id: i64,
    at: DateTime<Utc>,
    kind: &str,
    author: &str,
    text: String,
) -> Result<(), AppError> {
    let entry = TimelineEntry::system(incident_id, at, kind, Some(author), text);
    tx.insert_system_entry(&entry).await?;
    Ok(())
}

/// Observes how long `incident` took to resolve, once `tx` commits. Called where a
/// change made it resolved: a command here, or an alert's `auto_resolve`.
pub fn count_resolution(metrics: &Arc<Metrics>, tx: &mut Tx, incident: &Incident) {
    // A drill's resolve is practice: it stays out of the time-to-resolve histogram.
    let Some(resolved_at) = incident.resolved_at.filter(|_| !incident.drill) else {
        return;
    };
    let took = (resolved_at - incident.declared_at)
        .to_std()
        .unwrap_or_default();
    let (metrics, level) = (metrics.clone(), incident.severity.level());
    tx.on_commit(move || metrics.resolved(level, took));
}

pub async fn apply(
    state: &AppState,
    cmd: &SlashCommand,
    change: Change,
) -> Result<Reply, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let Some(mut incident) = lock_incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    let is_close = change == Change::Close;
    let events = match incident.apply(change, now) {
        Ok(events) => events,
        Err(e) => return Ok(Reply::Ephemeral(format!(":warning: {e}"))),
    };
    tx.update_incident(&incident).await?;
    if events.iter().any(SystemEvent::resolves) {
        count_resolution(&state.metrics, &mut tx, &incident);
        super::update::on_resolved(&mut tx, &state.settings, &incident).await?;
    }
    for event in &events {
        record(
            &mut tx,
            incident.id,
            now,
            event.kind(),
            &cmd.user_id,
            event.describe(),
        )
        .await?;
    }
    let id = incident.id;
    crate::timers::nudges::on_change(&mut tx, id, now).await?;
    let mut escalates = false;
    if matches!(incident.status, Status::Resolved | Status::Closed) {
        paging::stand_down(&mut tx, id, now).await?;
    } else if events.iter().any(SystemEvent::reopens) {
        let config = &state.settings.paging.escalation;
        escalates = paging::on_reopened(&mut tx, config, &incident, now).await?;
    } else if events.iter().any(|e| {
        // SEV1 is the worst: a smaller number is a raise.
        matches!(e, SystemEvent::SeverityChanged { from, to } if to < from)
    }) {
        let config = &state.settings.paging.escalation;
        escalates = paging::on_severity_raised(&mut tx, config, &incident, now).await?;
    }
    let mut ops = vec![
        Op::SyncTopic { incident_id: id },
        Op::RefreshSummary { incident_id: id },
    ];
    if is_close {
        ops.push(Op::PublishPostmortem { incident_id: id });
    }
    for op in &ops {
        outbox::enqueue(&mut tx, op, None).await?;
    }
    if is_close {
        // The fallback room on IRC closes with the incident, in the same transaction.
        super::fallback::close_room_in(&mut tx, id, Some(&cmd.user_id), now).await?;
    }
    if is_close {
        // After the postmortem's ops: owners hear about their items once it is closed.
        followup::on_close(&mut tx, &state.settings, &incident).await?;
    }
    let said: Vec<String> = events.iter().map(|e| e.describe()).collect();
    let mut text = format!("<@{}>: {}", cmd.user_id, said.join(". "));
    if is_close {
        text.push_str(". Drafting the postmortem now; it will be posted here.");
    }
    let reply = cmd.delivery.commit(tx, Reply::InChannel(text)).await?;
    state.wake_outbox();
    if escalates {
        state.wake_escalations();
    }
    state.wake_timers();
    if is_close {
        state.wake_fallback();
    }
    Ok(reply)
}
