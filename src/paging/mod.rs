//! Paging the escalation contacts. [`crate::config::escalation`] says who to call
//! (teams, policies, routing); [`plan`] turns a level's targets into people and teams;
//! [`pager`] records pages and queues what to send (Slack DM, invite, provider alerts)
//! in the caller's transaction; [`dm`] renders the page DMs as stored; [`engine`] runs escalations from the database, so a
//! restart or a second replica never loses or doubles a page; [`ack`] stops them.
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
    tx.insert_system_entry(&TimelineEntry::system(
        incident.id,
        now,
        "escalation",
        None,
        text.clone(),
    ))
    .await?;
    outbox::enqueue(
        tx,
        &Op::Notice {
            incident_id: incident.id,
            text: format!(":rotating_light: {text}"),
        },
        None,
    )
    .await?;
    Ok(true)
}
