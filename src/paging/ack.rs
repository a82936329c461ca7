//! Acknowledging: through the DM button, `/incident ack`, or a provider's webhook.
//! An ack stops the incident's escalation, acknowledges the acker's team alerts at
//! the providers, is recorded with how long it took, and is shown in the page DMs
//! (each page's button gives way to who acknowledged). Acking twice is harmless.
//! The first ack of an incident is timed from its declaration for the metrics; acks
//! lock the incident row, so of two acks at once exactly one is the first.

use super::engine::humanize;
use crate::clock::Clock;
use crate::domain::TimelineEntry;
use crate::metrics::Metrics;
use crate::outbox::{self, Op};
use crate::pagers::ProviderAction;
use crate::store::{PageRecord, Store, StoreResult, Tx};
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckOutcome {
    /// These pages were acknowledged now.
    Acked { incident_id: i64, pages: Vec<i64> },
    /// Everything asked for was acknowledged before.
    AlreadyAcked { incident_id: i64 },
    /// The user has no page for this incident.
    NotPaged,
}

/// Where an ack came from, for the record.
#[derive(Debug, Clone, Copy)]
pub enum AckSource {
    SlackButton,
    SlashCommand,
    Provider(&'static str),
}

impl AckSource {
    fn as_str(self) -> &'static str {
        match self {
            AckSource::SlackButton => "slack_button",
            AckSource::SlashCommand => "slash_command",
            AckSource::Provider(p) => p,
        }
    }

    fn describe(self) -> String {
        match self {
            AckSource::SlackButton => "the Slack button".into(),
            AckSource::SlashCommand => "/incident ack".into(),
            AckSource::Provider(p) => crate::pagers::Provider::from_name(p)
                .map(|p| p.to_string())
                .unwrap_or_else(|| p.into()),
        }
    }
}

/// Where an ack is timed and counted: the clock it happens on, and the metrics.
#[derive(Clone, Copy)]
pub struct AckCtx<'a> {
    pub clock: &'a Clock,
    pub metrics: &'a Arc<Metrics>,
}

impl<'a> AckCtx<'a> {
    /// A handler's: the application's clock and metrics.
    pub fn of(state: &'a crate::state::AppState) -> Self {
        Self {
            clock: &state.clock,
            metrics: &state.metrics,
        }
    }
}

/// `user` acknowledges their pages in `incident_id` (all of them, or just `page_id`).
pub async fn ack_pages(
    store: &Store,
    ctx: AckCtx<'_>,
    incident_id: i64,
    user: &str,
    page_id: Option<i64>,
    source: AckSource,
) -> StoreResult<AckOutcome> {
    let mut tx = store.begin().await?;
    let outcome = ack_pages_in(&mut tx, ctx, incident_id, user, page_id, source).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// As [`ack_pages`], in the caller's transaction (which commits it, with whatever
/// else must land with the ack).
pub async fn ack_pages_in(
    tx: &mut Tx,
    ctx: AckCtx<'_>,
    incident_id: i64,
    user: &str,
    page_id: Option<i64>,
    source: AckSource,
) -> StoreResult<AckOutcome> {
    let now = ctx.clock.now();
    let mine: Vec<PageRecord> = tx
        .pages(incident_id)
        .await?
        .into_iter()
        .filter(|p| p.user_id == user && page_id.is_none_or(|id| id == p.id))
        .collect();
    if mine.is_empty() {
        return Ok(AckOutcome::NotPaged);
    }
    acknowledge(tx, ctx.metrics, &mine, user, source, now).await
}

/// A provider says its alert was acknowledged: ack the team's pages in that incident.
pub async fn ack_alert(
    store: &Store,
    ctx: AckCtx<'_>,
    provider: &'static str,
    dedup_key: &str,
    by: &str,
) -> StoreResult<Option<AckOutcome>> {
    let now = ctx.clock.now();
    let mut tx = store.begin().await?;
    let Some(alert) = tx.provider_alert(provider, dedup_key).await? else {
        return Ok(None);
    };
    // The incident before the alert row, in the order a resolve takes them.
    tx.incident_for_update(alert.incident_id).await?;
    let pages: Vec<PageRecord> = tx
        .pages(alert.incident_id)
        .await?
        .into_iter()
        .filter(|p| p.team_id.as_deref() == Some(alert.team_id.as_str()))
        .collect();
    tx.set_provider_alert_status(provider, dedup_key, "acknowledged")
        .await?;
    let outcome = if pages.is_empty() {
        AckOutcome::NotPaged
    } else {
        let source = AckSource::Provider(provider);
        acknowledge(&mut tx, ctx.metrics, &pages, by, source, now).await?
    };
    tx.commit().await?;
    Ok(Some(outcome))
}

async fn acknowledge(
    tx: &mut Tx,
    metrics: &Arc<Metrics>,
    pages: &[PageRecord],
    by: &str,
    source: AckSource,
    now: DateTime<Utc>,
) -> StoreResult<AckOutcome> {
    let incident_id = pages[0].incident_id;
    // Locked until the commit: a concurrent ack waits here, then sees this one's.
    let incident = tx.incident_for_update(incident_id).await?;
    let first = !tx.incident_acked(incident_id).await?;
    let mut acked = Vec::new();
    for page in pages {
        if !tx.ack_page(page.id, by, source.as_str(), now).await? {
            continue;
        }
        let after = (now - page.paged_at).to_std().unwrap_or_default();
        let who = if by.starts_with('U') || by.starts_with('W') {
            format!("<@{by}>")
        } else {
            by.to_string()
        };
        let text = format!(
            "{who} acknowledged the page to <@{}> via {}, {} after it was sent",
            page.user_id,
            source.describe(),
            humanize(after)
        );
        tx.insert_system_entry(&TimelineEntry::system(
            incident_id,
            now,
            "ack",
            Some(by).filter(|b| b.starts_with('U')),
            text.clone(),
        ))
        .await?;
        outbox::enqueue(
            tx,
            &Op::Notice {
                incident_id,
                text: format!(":white_check_mark: {text}"),
            },
            None,
        )
        .await?;
        acked.push(page.id);
    }
    if acked.is_empty() {
        return Ok(AckOutcome::AlreadyAcked { incident_id });
    }
    // A drill's ack is practice: it stays out of the time-to-acknowledge histogram.
    if let Some(incident) = incident.filter(|i| first && !i.drill) {
        let took = (now - incident.declared_at).to_std().unwrap_or_default();
        let (metrics, level) = (metrics.clone(), incident.severity.level());
        tx.on_commit(move || metrics.acknowledged(level, took));
    }
    // Whichever way the ack came, the page DMs stop offering the button.
    let users: Vec<String> = pages
        .iter()
        .filter(|p| acked.contains(&p.id))
        .map(|p| p.user_id.clone())
        .collect();
    super::dm::queue_refresh(tx, incident_id, &users).await?;
    if tx.stop_escalation(incident_id, "acked", now).await? {
        tx.insert_system_entry(&TimelineEntry::system(
            incident_id,
            now,
            "escalation",
            None,
            "Escalation stopped: the page was acknowledged".into(),
        ))
        .await?;
    }
    acknowledge_team_alerts(tx, incident_id, pages).await?;
    Ok(AckOutcome::Acked {
        incident_id,
        pages: acked,
    })
}

/// Tells the providers that the acker's team has it, so their phones stop ringing.
async fn acknowledge_team_alerts(
    tx: &mut Tx,
    incident_id: i64,
    pages: &[PageRecord],
) -> StoreResult<()> {
    for alert in tx.provider_alerts(incident_id).await? {
        let ours = pages
            .iter()
            .any(|p| p.team_id.as_deref() == Some(alert.team_id.as_str()));
        if !ours || alert.status != "open" {
            continue;
        }
        tx.set_provider_alert_status(&alert.provider, &alert.dedup_key, "acknowledged")
            .await?;
        let Some(provider) = crate::pagers::Provider::from_name(&alert.provider) else {
            continue;
        };
        let op = Op::Provider {
            incident_id,
            provider,
            action: ProviderAction::Acknowledge,
            team_id: alert.team_id.clone(),
            dedup_key: alert.dedup_key.clone(),
        };
        outbox::enqueue(
            tx,
            &op,
            Some(&format!("ack:{}:{}", alert.provider, alert.dedup_key)),
        )
        .await?;
    }
    Ok(())
}
