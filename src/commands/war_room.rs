//! Changes made from inside a war room (status, sev, lead, note, resolve, close): one
//! path that finds the incident by channel, runs the state machine, and stores the
//! change, its timeline entries and the Slack updates together.

use super::{Reply, SlashCommand};
use crate::domain::{Change, Status, SystemEvent, TimelineEntry};
use crate::error::AppError;
use crate::followup;
use crate::outbox::{self, Op};
use crate::paging;
use crate::state::AppState;

pub async fn apply(
    state: &AppState,
    cmd: &SlashCommand,
    change: Change,
) -> Result<Reply, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let Some(found) = tx.incident_by_channel(&cmd.channel_id).await? else {
        return Ok(Reply::Ephemeral(
            ":warning: This channel is not an incident war room. Run this inside the incident's channel; `/incident list` shows them."
                .into(),
        ));
    };
    let mut incident = tx
        .incident_for_update(found.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("incident #{} vanished", found.id))?;
    let is_close = change == Change::Close;
    let events = match incident.apply(change, now) {
        Ok(events) => events,
        Err(e) => return Ok(Reply::Ephemeral(format!(":warning: {e}"))),
    };
    tx.update_incident(&incident).await?;
    for event in &events {
        let entry = TimelineEntry::system(
            incident.id,
            now,
            event.kind(),
            Some(&cmd.user_id),
            event.describe(),
        );
        tx.insert_system_entry(&entry).await?;
    }
    let id = incident.id;
    let mut escalates = false;
    if matches!(incident.status, Status::Resolved | Status::Closed) {
        paging::stand_down(&mut tx, id, now).await?;
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
    Ok(reply)
}
