//! Paging the escalation contacts. [`crate::config::escalation`] says who to call
//! (teams, policies, routing); [`plan`] turns a level's targets into people and teams;
//! [`pager`] records pages and queues what to send (Slack DM, invite, provider alerts)
//! in the caller's transaction; [`dm`] renders the page DMs as stored; [`engine`] runs
//! escalations from the database, so a restart or a second replica never loses or
//! doubles a page; [`ack`] stops them. A resolved incident that reopens is paged again
//! in a new round ([`on_reopened`]).
//! The providers themselves are spoken to by [`crate::pagers`]; their acks arrive
//! through [`crate::inbound::pager_acks`].

pub mod ack;
pub mod dm;
pub mod engine;
pub mod pager;
pub mod plan;

use crate::config::escalation::EscalationConfig;
use crate::domain::{Incident, TimelineEntry};
use crate::outbox::{self, Op};
use crate::pagers::{Provider, ProviderAction};
use crate::store::{StoreResult, Tx};
use chrono::{DateTime, Utc};

/// On resolve or close: stop the escalation and resolve every provider alert still
/// open. Returns whether an escalation was waiting.
pub async fn stand_down(tx: &mut Tx, incident_id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
    let stopped = tx.stop_escalation(incident_id, "cancelled", now).await?;
    for alert in tx.provider_alerts(incident_id).await? {
        if alert.status == "resolved"
            || !tx
                .set_provider_alert_status(&alert.provider, &alert.dedup_key, "resolved")
                .await?
        {
            continue;
        }
        let Some(provider) = Provider::from_name(&alert.provider) else {
            continue;
        };
        let op = Op::Provider {
            incident_id,
            provider,
            action: ProviderAction::Resolve,
            team_id: alert.team_id.clone(),
            dedup_key: alert.dedup_key.clone(),
        };
        outbox::enqueue(
            tx,
            &op,
            Some(&format!("resolve:{}:{}", alert.provider, alert.dedup_key)),
        )
        .await?;
    }
    Ok(stopped)
}

/// A raised severity moves the incident onto that severity's policy at once: its
/// first level is due now. People paged before are not paged again (except by a
/// repeat), and an ack already given still counts (see the engine). Returns whether
/// an escalation is now due. Lowering a severity goes nowhere near this: nothing
/// already sent is taken back and the running escalation goes on.
pub async fn on_severity_raised(
    tx: &mut Tx,
    config: &EscalationConfig,
    incident: &Incident,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let Some(policy) = config.policy_for(incident.severity.level()) else {
        return Ok(false);
    };
    let current = tx.escalation(incident.id).await?;
    if current
        .as_ref()
        .is_some_and(|row| row.policy_id == policy.id)
    {
        return Ok(false);
    }
    tx.switch_escalation(incident.id, &policy.id, now).await?;
    let text = match current {
        Some(_) => format!(
            "Escalation switched to the {} policy for {}",
            policy.id, incident.severity
        ),
        None => format!(
            "Escalation started: the {} policy for {}",
            policy.id, incident.severity
        ),
    };
    say_escalation(tx, incident.id, text, now).await?;
    Ok(true)
}

/// A resolved incident reopened (set back to a working status, or its alert fired
/// again): a new paging round begins and the escalation runs again from level one,
/// due at once, on the policy it ran before (else its severity's). Resolving stood
/// the first round down (escalation cancelled, provider alerts resolved), so without
/// this nobody would be woken for the incident's return. The round's pages and
/// provider alerts are new ([`pager`]), and only an ack from now on stops it.
/// Returns whether an escalation is now due.
pub async fn on_reopened(
    tx: &mut Tx,
    config: &EscalationConfig,
    incident: &Incident,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let round = tx.begin_paging_round(incident.id, now).await?;
    let before = tx.escalation(incident.id).await?;
    let policy = before
        .as_ref()
        .and_then(|row| config.policies.get(&row.policy_id))
        .or_else(|| config.policy_for(incident.severity.level()));
    let Some(policy) = policy else {
        return Ok(false);
    };
    tx.switch_escalation(incident.id, &policy.id, now).await?;
    let text = format!(
        "Escalation restarted: the incident reopened, so the {} policy pages again from \
         level 1 (paging round {})",
        policy.id,
        round.number + 1
    );
    say_escalation(tx, incident.id, text, now).await?;
    Ok(true)
}

/// An escalation event: a timeline entry, and the same words in the war room.
async fn say_escalation(
    tx: &mut Tx,
    incident_id: i64,
    text: String,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    tx.insert_system_entry(&TimelineEntry::system(
        incident_id,
        now,
        "escalation",
        None,
        text.clone(),
    ))
    .await?;
    outbox::enqueue(
        tx,
        &Op::Notice {
            incident_id,
            text: format!(":rotating_light: {text}"),
        },
        None,
    )
    .await?;
    Ok(())
}
