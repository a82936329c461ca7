//! The escalation engine. Pending escalations are rows with deadlines; a worker in
//! every replica claims due ones under a row lock, pages the next level, and moves
//! the deadline on, all in one transaction. A restart loses nothing: a deadline that
//! passed while the bot was down is due at once.

use super::pager::{self, PageRequest, PolicyLevel};
use super::plan::plan;
use crate::clock::Clock;
use crate::config::escalation::{EscalationConfig, Target};
use crate::domain::{Status, TimelineEntry};
use crate::metrics::Metrics;
use crate::outbox::{self, Op};
use crate::store::{DueEscalation, Store, StoreResult, Tx};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// The longest the worker sleeps without looking, so a deadline set by another
/// replica is noticed even though nothing woke this one.
const MAX_SLEEP: Duration = Duration::from_secs(5);
/// Tries at one level before its escalation is given up as failed.
const MAX_ATTEMPTS: i64 = 5;
/// The wait before the first retry of a failed level; doubles each time.
const RETRY_BASE: chrono::Duration = chrono::Duration::seconds(5);

#[derive(Clone)]
pub struct Escalator {
    pub store: Store,
    pub config: Arc<EscalationConfig>,
    pub clock: Clock,
    /// Rung when an escalation starts, so level one pages at once.
    pub wake: Arc<Notify>,
    pub outbox_wake: Arc<Notify>,
    /// Counts the levels paged.
    pub metrics: Arc<Metrics>,
    /// `[drills] page_providers`: a drill's levels page providers too.
    pub drill_page_providers: bool,
}

impl Escalator {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            if let Err(e) = self.escalate_due().await {
                tracing::error!(error = %e, "escalation worker failed to claim work");
            }
            let sleep = match self.next_deadline().await {
                Ok(Some(at)) => self.clock.until(at).min(MAX_SLEEP),
                _ => MAX_SLEEP,
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    async fn next_deadline(&self) -> StoreResult<Option<chrono::DateTime<chrono::Utc>>> {
        let mut tx = self.store.read().await?;
        let at = tx.next_escalation_deadline().await?;
        tx.commit().await?;
        Ok(at)
    }

    /// Handles every escalation that is due now; returns how many were paged. Each
    /// row is handled on its own: one that fails is recorded and retried later, and
    /// the pass goes on to the next.
    pub async fn escalate_due(&self) -> StoreResult<usize> {
        let mut handled = 0;
        loop {
            let now = self.clock.now();
            let mut tx = self.store.begin().await?;
            let Some(due) = tx.claim_due_escalation(now).await? else {
                tx.commit().await?;
                break;
            };
            let done = match self.escalate(&mut tx, &due, now).await {
                Ok(()) => tx.commit().await,
                Err(e) => {
                    // Roll back now: the transaction holds the row (and, on SQLite,
                    // the write lock) that recording the failure needs.
                    drop(tx);
                    Err(e)
                }
            };
            match done {
                Ok(()) => handled += 1,
                // The transaction is gone (rolled back); the failure is recorded in a
                // fresh one, which also moves the row out of this pass.
                Err(e) => self.record_failure(&due, &e, now).await?,
            }
        }
        if handled > 0 {
            self.outbox_wake.notify_one();
        }
        Ok(handled)
    }

    /// A level that could not be paged: tried again with backoff, and after
    /// [`MAX_ATTEMPTS`] given up, said in the timeline and the war room.
    async fn record_failure(
        &self,
        due: &DueEscalation,
        error: &crate::store::StoreError,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let id = due.incident_id;
        let reason = error.to_string();
        let mut tx = self.store.begin().await?;
        let tried = tx.escalation(id).await?.map_or(0, |row| row.attempts) + 1;
        if tried < MAX_ATTEMPTS {
            let wait = RETRY_BASE * 2i32.pow((tried - 1) as u32);
            tracing::error!(incident_id = id, level = due.next_level + 1, attempt = tried, error = %reason, "could not run an escalation; will try again");
            tx.escalation_failed(id, &reason, Some(now + wait), now)
                .await?;
        } else {
            tracing::error!(incident_id = id, level = due.next_level + 1, error = %reason, "could not run an escalation; giving up");
            tx.escalation_failed(id, &reason, None, now).await?;
            let text = format!(
                "Escalation stopped: level {} could not be paged after {tried} attempts ({reason})",
                due.next_level + 1
            );
            self.record(&mut tx, id, "escalation_failed", text, now)
                .await?;
        }
        tx.commit().await
    }

    #[tracing::instrument(skip_all, fields(incident_id = due.incident_id, level = due.next_level))]
    async fn escalate(
        &self,
        tx: &mut Tx,
        due: &DueEscalation,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let id = due.incident_id;
        let incident = match tx.incident(id).await? {
            Some(i) if i.status != Status::Resolved && i.status != Status::Closed => i,
            _ => {
                return tx
                    .advance_escalation(id, due.next_level, None, "cancelled", now)
                    .await;
            }
        };
        let Some(policy) = self.config.policies.get(&due.policy_id) else {
            tracing::error!(policy = %due.policy_id, "escalation policy no longer in the config; stopping");
            return tx
                .advance_escalation(id, due.next_level, None, "exhausted", now)
                .await;
        };
        let Some(level) = policy.level(due.next_level as usize) else {
            let text = format!(
                "Nobody acknowledged after every level of the {} policy; escalation has stopped",
                policy.id
            );
            self.record(tx, id, "escalation", text, now).await?;
            return tx
                .advance_escalation(id, due.next_level, None, "exhausted", now)
                .await;
        };
        if due.next_level > 0 {
            let waited = previous_timeout(&self.config, &due.policy_id, due.next_level);
            let text = format!(
                "Escalated to level {}: nobody acknowledged within {}",
                due.next_level + 1,
                humanize(waited)
            );
            self.record(tx, id, "escalation", text, now).await?;
        }
        let mut targets = level.targets.clone();
        if due.next_level == 0
            && let Some(team) = incident
                .service
                .as_deref()
                .and_then(|s| self.config.team_for_service(s))
        {
            // The team that owns the affected service is woken with level one.
            targets.push(Target::Team(team.id.clone()));
        }
        let who = plan(&self.config, &targets);
        let request = PageRequest {
            incident: &incident,
            level: Some(PolicyLevel {
                policy: &policy.id,
                index: due.next_level,
                repeat: due.next_level as usize >= policy.levels.len(),
            }),
            note: None,
            paged_by: None,
            now,
            drill_page_providers: self.drill_page_providers,
        };
        pager::page(tx, &self.config, &who, &request).await?;
        if !incident.drill {
            let metrics = self.metrics.clone();
            let level_number = due.next_level + 1;
            tx.on_commit(move || metrics.escalation_level_fired(level_number));
        }
        // The config refuses timeouts over a week, so this always fits.
        let deadline = chrono::Duration::from_std(level.ack_timeout)
            .ok()
            .and_then(|wait| now.checked_add_signed(wait))
            .ok_or_else(|| {
                crate::store::StoreError::Corrupt(format!(
                    "ack timeout {:?} of policy {} is out of range",
                    level.ack_timeout, policy.id
                ))
            })?;
        let round = tx.paging_round(id).await?;
        if tx.acked_since(id, round.since).await? {
            // Someone acknowledged before the policy switched (a raised severity):
            // the new people have been told, and the ack still counts. An ack from
            // before the incident reopened does not: that round is over.
            return tx
                .advance_escalation(id, due.next_level + 1, None, "acked", now)
                .await;
        }
        tx.advance_escalation(id, due.next_level + 1, Some(deadline), "waiting", now)
            .await
    }

    /// A timeline entry, and the same words posted in the war room.
    async fn record(
        &self,
        tx: &mut Tx,
        incident_id: i64,
        event: &str,
        text: String,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        tx.insert_system_entry(&TimelineEntry::system(
            incident_id,
            now,
            event,
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
}

fn previous_timeout(config: &EscalationConfig, policy: &str, level: i64) -> Duration {
    config
        .policies
        .get(policy)
        .and_then(|p| p.level((level - 1).max(0) as usize))
        .map(|l| l.ack_timeout)
        .unwrap_or_default()
}

/// `5m`, `1h 30m`, `45s`.
pub fn humanize(d: Duration) -> String {
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let parts: Vec<String> = [(h, "h"), (m, "m"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::humanize;
    use std::time::Duration;

    #[test]
    fn durations_read_like_an_on_call_engineer_says_them() {
        assert_eq!(humanize(Duration::from_secs(300)), "5m");
        assert_eq!(humanize(Duration::from_secs(5400)), "1h 30m");
        assert_eq!(humanize(Duration::from_secs(45)), "45s");
    }
}
