//! One durable timer engine. A timer is a row (`timers`: incident, kind, due time,
//! how often it fired); a worker in every replica looks at once at startup (so a
//! restart catches up) and then whenever the earliest due time passes, claims one
//! due row at a time under a row lock (`FOR UPDATE SKIP LOCKED` on PostgreSQL), lets
//! the timer's kind decide, and records the outcome in the same transaction as
//! whatever the kind queued. Two replicas never take the same firing, and what a
//! firing sends is keyed by the timer and its firing number in the outbox.
//!
//! The kinds today are the [`nudges`]. Escalations (`crate::paging::engine`) and
//! action-item reminders (`crate::followup::reminders`) keep their own tables for
//! now; each would move in as a kind with its own handler (an escalation's level in
//! the handler's state, a reminder keyed by item and due date).

pub mod nudges;

use crate::clock::Clock;
use crate::config::NudgeSettings;
use crate::domain::Nudge;
use crate::metrics::Metrics;
use crate::store::{Settled, Store, StoreResult, TimerRow, Tx};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// The longest the worker sleeps without looking, so a timer armed or moved by
/// another replica is noticed though nothing woke this one.
const MAX_SLEEP: Duration = Duration::from_secs(5);
/// A firing that failed (the database, a bad row) is tried again this much later.
const RETRY: chrono::Duration = chrono::Duration::minutes(1);

#[derive(Clone)]
pub struct Timers {
    pub store: Store,
    pub clock: Clock,
    pub nudges: Arc<NudgeSettings>,
    pub metrics: Arc<Metrics>,
    /// Rung when the clock moved or a timer was armed due now.
    pub wake: Arc<Notify>,
    /// Rung when a firing queued something to send.
    pub outbox_wake: Arc<Notify>,
}

impl Timers {
    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            if let Err(e) = self.fire_due().await {
                tracing::error!(error = %e, "timer worker failed to claim work");
            }
            let sleep = match self.next_due().await {
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

    async fn next_due(&self) -> StoreResult<Option<DateTime<Utc>>> {
        let mut tx = self.store.read().await?;
        let at = tx.next_timer_due().await?;
        tx.commit().await?;
        Ok(at)
    }

    /// Handles every timer due now, one transaction each; returns how many fired.
    pub async fn fire_due(&self) -> StoreResult<usize> {
        let mut fired = 0;
        loop {
            let now = self.clock.now();
            let mut tx = self.store.begin().await?;
            let Some(timer) = tx.claim_due_timer(now).await? else {
                tx.commit().await?;
                break;
            };
            let handled = self.handle(&mut tx, &timer, now).await;
            let settled = match handled {
                Ok(settled) => tx
                    .settle_timer(timer.id, settled, now)
                    .await
                    .map(|()| settled),
                Err(e) => Err(e),
            };
            let outcome = match settled {
                Ok(settled) => tx.commit().await.map(|()| settled.fired),
                Err(e) => {
                    // Roll back now: the transaction holds the row (and, on SQLite,
                    // the write lock) that recording the failure needs.
                    drop(tx);
                    Err(e)
                }
            };
            match outcome {
                Ok(true) => fired += 1,
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(timer = timer.id, kind = %timer.kind, error = %e, "a timer could not fire; trying again later");
                    // Moving the row on keeps this pass from taking it again at once.
                    let mut tx = self.store.begin().await?;
                    let later = Settled {
                        fired: false,
                        next: Some(now + RETRY),
                    };
                    tx.settle_timer(timer.id, later, now).await?;
                    tx.commit().await?;
                }
            }
        }
        if fired > 0 {
            self.outbox_wake.notify_one();
        }
        Ok(fired)
    }

    /// What the timer's kind decides.
    async fn handle(
        &self,
        tx: &mut Tx,
        timer: &TimerRow,
        now: DateTime<Utc>,
    ) -> StoreResult<Settled> {
        if let Some(nudge) = Nudge::from_timer_kind(&timer.kind) {
            return nudges::fire(tx, &self.nudges, &self.metrics, nudge, timer, now).await;
        }
        tracing::error!(timer = timer.id, kind = %timer.kind, "a timer of a kind this version does not know; stopping it");
        Ok(Settled {
            fired: false,
            next: None,
        })
    }
}
