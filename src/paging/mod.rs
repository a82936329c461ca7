//! Paging the escalation contacts. [`config`] says who to call (teams, policies,
//! routing); [`plan`] turns a level's targets into people and teams; [`pager`] records
//! pages and queues what to send (Slack DM, invite, provider alerts) in the caller's
//! transaction; [`engine`] runs escalations from the database, so a restart or a
//! second replica never loses or doubles a page; [`ack`] stops them; [`providers`]
//! speak PagerDuty, Opsgenie and generic webhooks; [`webhooks`] hears their acks.

pub mod ack;
pub mod config;
pub mod engine;
pub mod pager;
pub mod plan;
pub mod providers;
pub mod webhooks;

pub use config::EscalationConfig;

use crate::outbox::{self, Op, Provider, ProviderAction};
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
        let Some(provider) = provider_named(&alert.provider) else {
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

pub(crate) fn provider_named(name: &str) -> Option<Provider> {
    match name {
        "pagerduty" => Some(Provider::Pagerduty),
        "opsgenie" => Some(Provider::Opsgenie),
        "webhook" => Some(Provider::Webhook),
        _ => None,
    }
}
