//! Reminders on durable timers. An item's due date is its timer: a worker in every
//! replica looks once at startup (so a restart catches up at once) and then every
//! minute, claims the items due on or before today (UTC) whose reminder for that date
//! was not queued, and queues each reminder and marks it queued in one transaction.
//! On PostgreSQL the claim skips rows another replica holds (`FOR UPDATE SKIP
//! LOCKED`); the outbox's key `action_reminder:{item}:{due}` is a second guard. The
//! DM itself re-reads the item, so one finished before it goes out is not sent.

use crate::clock::Clock;
use crate::domain::ActionItem;
use crate::outbox::{self, Op};
use crate::store::{Store, StoreResult, Tx};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// How often the worker looks: a reminder goes out within this of midnight UTC.
pub const CHECK_EVERY: Duration = Duration::from_secs(60);
/// Items claimed per transaction, so one pass after a long outage holds no lock long.
const BATCH: i64 = 50;

#[derive(Clone)]
pub struct Reminders {
    pub store: Store,
    pub clock: Clock,
    /// Rung when reminders were queued, so they go out at once.
    pub outbox_wake: Arc<Notify>,
    pub every: Duration,
}

impl Reminders {
    pub fn new(store: Store, clock: Clock, outbox_wake: Arc<Notify>) -> Self {
        Self {
            store,
            clock,
            outbox_wake,
            every: CHECK_EVERY,
        }
    }

    /// Runs until `shutdown` turns true, looking at once and then every `every`.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.remind_due().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminders = n, "queued action-item reminders"),
                Err(e) => tracing::error!(error = %e, "could not queue action-item reminders"),
            }
            tokio::select! {
                _ = tokio::time::sleep(self.every) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// Queues every reminder due today (UTC) or earlier that is not queued yet;
    /// returns how many were queued.
    pub async fn remind_due(&self) -> StoreResult<usize> {
        let mut queued = 0;
        loop {
            let today = self.clock.now().date_naive();
            let mut tx = self.store.begin().await?;
            let due = tx.claim_due_reminders(today, BATCH).await?;
            for item in &due {
                if queue_reminder(&mut tx, item).await? {
                    queued += 1;
                }
            }
            tx.commit().await?;
            if (due.len() as i64) < BATCH {
                break;
            }
        }
        if queued > 0 {
            self.outbox_wake.notify_one();
        }
        Ok(queued)
    }
}

/// The outbox key of an item's reminder for one due date.
pub fn reminder_key(item_id: i64, due: chrono::NaiveDate) -> String {
    format!("{item_id}:{due}")
}

/// Queues the reminder of a claimed item and marks it queued; `false` when the
/// outbox already held it (the mark is still set, so it is not claimed again).
async fn queue_reminder(tx: &mut Tx, item: &ActionItem) -> StoreResult<bool> {
    let (Some(owner), Some(due)) = (&item.owner_id, item.due) else {
        return Ok(false); // the claim only returns items with both
    };
    let op = Op::ActionReminder {
        incident_id: item.incident_id,
        item_id: item.id,
        owner: owner.clone(),
        due,
    };
    let new = outbox::enqueue(tx, &op, Some(&reminder_key(item.id, due))).await?;
    tx.mark_reminded(item.id, due).await?;
    Ok(new)
}
