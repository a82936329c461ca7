//! Drains the outbox. Several workers run side by side; each claims one due item at a
//! time (a lease), sends it, and marks it done, retries it later with backoff and
//! jitter (honouring `Retry-After`), or gives up on a permanent error.

use super::Op;
use super::ops::{self, Ctx, Delivery, SendError};
use super::pacing::Pacing;
use crate::config::OutboxSettings;
use crate::domain::TimelineEntry;
use crate::metrics::Outcome;
use crate::slack::client::SlackCallError;
use crate::store::{ClaimedItem, StoreResult};
use chrono::{Duration as ChronoDuration, Utc};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The shortest idle sleep, so a clock step cannot make workers spin.
const MIN_IDLE: Duration = Duration::from_millis(5);

#[derive(Clone)]
pub struct Worker {
    /// What the ops reach: store, Slack, pagers, clock, wake-up.
    pub ctx: Ctx,
    pub settings: OutboxSettings,
    /// When this process last posted to each channel, to keep under Slack's limit of
    /// about one message a second per channel without collecting 429s.
    pub last_post: Pacing,
    /// Items this process's workers hold right now (id → claim), to hand back on
    /// shutdown.
    pub in_hand: Arc<std::sync::Mutex<std::collections::HashMap<i64, String>>>,
}

impl Worker {
    /// Runs until `shutdown` turns true; the item in hand is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let poll = Duration::from_millis(self.settings.poll_interval_ms);
        loop {
            if *shutdown.borrow() {
                return;
            }
            let idle = match self.drain_once().await {
                Ok(true) => continue,
                Ok(false) => self.idle_for(poll).await,
                Err(e) => {
                    tracing::error!(error = %e, "outbox worker could not claim work");
                    poll
                }
            };
            tokio::select! {
                _ = self.ctx.wake.notified() => {}
                _ = tokio::time::sleep(idle) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// How long to sleep with nothing due: until the next paced or retried item is
    /// due, at most `poll`. Sleeping a whole poll past a channel's next free second
    /// would leave each war room's posts further apart than Slack requires.
    async fn idle_for(&self, poll: Duration) -> Duration {
        let now = Utc::now();
        match self.ctx.store.next_outbox_due(now).await {
            Ok(Some(at)) => (at - now)
                .to_std()
                .unwrap_or_default()
                .clamp(MIN_IDLE, poll),
            Ok(None) => poll,
            Err(e) => {
                tracing::warn!(error = %e, "could not read when the next Slack write is due");
                poll
            }
        }
    }

    /// Claims and handles one item; `Ok(false)` when nothing is due.
    pub async fn drain_once(&self) -> Result<bool, crate::store::StoreError> {
        let now = Utc::now();
        let Some(item) = self.ctx.store.claim_outbox(now, now + self.lease()).await? else {
            return Ok(false);
        };
        let id = item.id;
        self.hold(id, Some(&item.claim));
        let handled = self.handle(item).await;
        self.hold(id, None);
        handled?;
        Ok(true)
    }

    /// How long a claim lasts unless renewed. Short, so the items of a holder that
    /// died are taken over within seconds; a holder that lives renews it.
    fn lease(&self) -> ChronoDuration {
        ChronoDuration::seconds(self.settings.lease_secs as i64)
    }

    /// Runs `work` while renewing the claim on `item` every third of a lease. `None`
    /// when the claim was taken over meanwhile: the work is dropped, and the item is
    /// its new holder's to finish.
    async fn while_held<T>(
        &self,
        item: &ClaimedItem,
        work: impl std::future::Future<Output = T>,
    ) -> Option<T> {
        let every = (self.lease() / 3)
            .to_std()
            .unwrap_or(Duration::from_secs(1))
            .max(MIN_IDLE);
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => return Some(done),
                _ = tokio::time::sleep(every) => {
                    match self.ctx.store.renew_outbox(item.id, &item.claim, Utc::now() + self.lease()).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!("the claim was taken over while its work ran; leaving the item to its new holder");
                            return None;
                        }
                        // Keep working: the lease may still hold, and settling will tell.
                        Err(e) => tracing::warn!(error = %e, "could not renew a claim"),
                    }
                }
            }
        }
    }

    fn hold(&self, id: i64, claim: Option<&str>) {
        let mut in_hand = self.in_hand.lock().unwrap_or_else(|e| e.into_inner());
        match claim {
            Some(claim) => in_hand.insert(id, claim.to_string()),
            None => in_hand.remove(&id),
        };
    }

    /// Hands back what is still in hand (after the shutdown grace ran out).
    pub async fn release_all(&self) {
        let held: Vec<(i64, String)> = self
            .in_hand
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .collect();
        for (id, claim) in held {
            match self.ctx.store.release_outbox(id, &claim).await {
                Ok(true) => tracing::info!(outbox_id = id, "handed an unfinished Slack write back"),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(outbox_id = id, error = %e, "could not hand a write back; its lease will expire")
                }
            }
        }
    }

    #[tracing::instrument(skip_all, fields(outbox_id = item.id, lane = %item.lane, attempt = item.attempts))]
    async fn handle(&self, item: ClaimedItem) -> Result<(), crate::store::StoreError> {
        let op: Op = match serde_json::from_str(&item.payload) {
            Ok(op) => op,
            Err(e) => {
                tracing::error!(error = %e, "unreadable outbox item; giving up on it");
                let why = format!("unreadable payload: {e}");
                let failed = self
                    .ctx
                    .store
                    .fail_outbox(item.id, &item.claim, Utc::now(), &why)
                    .await?;
                if failed {
                    self.ctx.metrics.outbox_item("unreadable", Outcome::Failed);
                }
                return Ok(());
            }
        };
        if op.shows_current_state() && self.superseded(&item).await {
            tracing::debug!(
                op = op.name(),
                "the same op waits later in the lane; skipped"
            );
            if self
                .ctx
                .store
                .finish_outbox(item.id, &item.claim, Utc::now())
                .await?
            {
                self.count(&op, Outcome::Skipped);
            }
            return Ok(());
        }
        let paced = op.paced_channel();
        if paced.is_some() && ops::settled(&self.ctx, &op, item.attempts > 1).await {
            tracing::debug!(op = op.name(), "nothing left to send");
            if self
                .ctx
                .store
                .finish_outbox(item.id, &item.claim, Utc::now())
                .await?
            {
                self.count(&op, Outcome::Skipped);
            }
            return Ok(());
        }
        let delivery = Delivery {
            key: &item.idem_key,
            retry: item.attempts > 1,
            since: item.created_at,
        };
        let result = match paced.as_deref().and_then(|c| self.last_post.reserve(c)) {
            Some(wait) => {
                let Some(done) = self
                    .while_held(&item, ops::when_paced(&self.ctx, &op, delivery, wait))
                    .await
                else {
                    return Ok(());
                };
                if let Ok(false) = done {
                    return self.defer(&item, wait).await;
                }
                done.map(drop)
            }
            None => {
                let Some(result) = self
                    .while_held(&item, ops::run(&self.ctx, &op, delivery))
                    .await
                else {
                    return Ok(());
                };
                if let Some(channel) = paced {
                    self.last_post.posted(channel);
                }
                result
            }
        };
        let now = Utc::now();
        match result {
            Ok(()) => {
                tracing::debug!(op = op.name(), "sent");
                // Sent whoever holds the claim now: the write reached its service.
                self.count(&op, Outcome::Sent);
                if !self
                    .ctx
                    .store
                    .finish_outbox(item.id, &item.claim, now)
                    .await?
                {
                    tracing::warn!(op = op.name(), "sent, but the claim had been taken over");
                }
                Ok(())
            }
            Err(e)
                if e.is_permanent()
                    || now - item.created_at
                        > ChronoDuration::seconds(self.settings.give_up_after_secs as i64) =>
            {
                tracing::error!(op = op.name(), incident_id = op.incident_id().unwrap_or_default(), error = %e, attempts = item.attempts, "giving up on an outbound write");
                if !self
                    .ctx
                    .store
                    .fail_outbox(item.id, &item.claim, now, &e.to_string())
                    .await?
                {
                    // Its new holder decides; a failure recorded here could be a lie.
                    return Ok(());
                }
                self.count(&op, Outcome::Failed);
                self.record_failure(&op, &e).await
            }
            Err(e) => {
                let (base, cap) = (self.settings.retry_base(), self.settings.retry_cap());
                let wait = retry_delay(&e, item.attempts, base, cap);
                tracing::warn!(op = op.name(), incident_id = op.incident_id().unwrap_or_default(), error = %e, retry_in_ms = wait.as_millis() as u64, "outbound Slack write failed; will retry");
                let at = now + ChronoDuration::from_std(wait).unwrap_or(self.lease());
                let retried = self
                    .ctx
                    .store
                    .retry_outbox(item.id, &item.claim, at, &e.to_string())
                    .await?;
                if retried {
                    self.count(&op, Outcome::Retried);
                }
                Ok(())
            }
        }
    }

    /// Counts one handled item by its op, and as a page when it is one.
    fn count(&self, op: &Op, outcome: Outcome) {
        self.ctx.metrics.outbox_item(op.name(), outcome);
        if let Some(provider) = op.page_provider() {
            self.ctx.metrics.page(provider, outcome);
        }
    }
}

impl Worker {
    /// Not a failure, nor an attempt: the item comes back when its channel may take
    /// another post, and this worker serves other war rooms meanwhile.
    async fn defer(&self, item: &ClaimedItem, wait: Duration) -> StoreResult<()> {
        let at = Utc::now() + ChronoDuration::from_std(wait).unwrap_or_default();
        self.ctx
            .store
            .defer_outbox(
                item.id,
                &item.claim,
                at,
                "paced: one post a second per channel",
            )
            .await
            .map(drop)
    }

    /// Whether the same op (the same payload) waits later in the item's lane.
    async fn superseded(&self, item: &ClaimedItem) -> bool {
        match self
            .ctx
            .store
            .later_in_lane(&item.lane, &item.idem_key)
            .await
        {
            Ok(later) => later.contains(&item.payload),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the lane; running the op");
                false
            }
        }
    }

    /// A write that will never go out is part of the incident's story: it goes in
    /// the timeline and, where the war room can still be reached, is said there.
    async fn record_failure(&self, op: &Op, e: &SendError) -> StoreResult<()> {
        if matches!(op, Op::Notice { .. }) {
            return Ok(()); // a failed notice must not beget another
        }
        let Some(id) = op.incident_id() else {
            return Ok(()); // no incident to tell; the error is logged above
        };
        let now = self.ctx.clock.now();
        let text = format!("Could not {}: {e}", op.describe());
        let mut tx = self.ctx.store.begin().await?;
        tx.insert_system_entry(&TimelineEntry::system(
            id,
            now,
            "delivery_failed",
            None,
            text.clone(),
        ))
        .await?;
        if !matches!(op, Op::CreateWarRoom { .. }) {
            super::enqueue(
                &mut tx,
                &Op::Notice {
                    incident_id: id,
                    text: format!(":warning: {text}"),
                },
                None,
            )
            .await?;
        }
        tx.commit().await?;
        self.ctx.wake.notify_one();
        Ok(())
    }
}

/// `Retry-After` when Slack, a provider, GitHub or Statuspage gave one; otherwise exponential
/// backoff (by default 1 s, 2 s, 4 s, … up to 5 min) with ±25 % jitter so replicas
/// don't retry in lockstep.
fn retry_delay(e: &SendError, attempts: i64, base: Duration, cap: Duration) -> Duration {
    if let SendError::Slack(SlackCallError::RateLimited(Some(after))) = e {
        return *after;
    }
    if let Some(after) = match e {
        SendError::Provider(p) => p.retry_after(),
        SendError::Github(g) => g.retry_after(),
        SendError::Statuspage(s) => s.retry_after(),
        _ => None,
    } {
        return after;
    }
    let exp =
        (base.as_secs_f64() * 2f64.powi(attempts.clamp(1, 30) as i32 - 1)).min(cap.as_secs_f64());
    let jitter = rand::rng().random_range(0.75..1.25);
    Duration::from_secs_f64(exp * jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(1);
    const CAP: Duration = Duration::from_secs(300);

    #[test]
    fn retry_after_from_slack_wins_over_backoff() {
        let e = SendError::Slack(SlackCallError::RateLimited(Some(Duration::from_secs(7))));
        assert_eq!(retry_delay(&e, 5, BASE, CAP), Duration::from_secs(7));
    }

    #[test]
    fn a_github_rate_limit_waits_as_long_as_github_asks() {
        let e = SendError::Github(crate::github::GithubError::RateLimited {
            retry_after: Some(Duration::from_secs(42)),
        });
        assert_eq!(retry_delay(&e, 1, BASE, CAP), Duration::from_secs(42));
    }

    #[test]
    fn a_statuspage_rate_limit_waits_as_long_as_statuspage_asks() {
        let e = SendError::Statuspage(crate::statuspage::StatuspageError::RateLimited {
            retry_after: Some(Duration::from_secs(9)),
        });
        assert_eq!(retry_delay(&e, 1, BASE, CAP), Duration::from_secs(9));
    }

    #[test]
    fn backoff_grows_exponentially_with_bounded_jitter() {
        let e = SendError::Slack(SlackCallError::Http(503));
        for (attempt, base) in [(1, 1.0), (3, 4.0), (6, 32.0), (30, 300.0)] {
            let d = retry_delay(&e, attempt, BASE, CAP).as_secs_f64();
            assert!(
                d >= base * 0.75 && d <= base * 1.25,
                "attempt {attempt}: {d}"
            );
        }
    }
}
