//! What is kept only for a while: Slack event ids (and Socket Mode envelopes) seen,
//! and outbound writes that finished. Both exist to absorb redeliveries and retries,
//! which Slack gives up on within the hour; after the retention window (7 days by
//! default) they are pruned, so neither table grows for ever. Incidents, timelines,
//! pages and escalations are the record and are never pruned.

use super::{Store, StoreResult, on_conn};
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::sync::watch;

/// How often the pruner runs.
const EVERY: Duration = Duration::from_secs(3600);

/// Rows removed by one prune.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    pub outbox: u64,
}

impl Store {
    /// Deletes event ids received, and outbox items finished (sent or given up),
    /// before `cutoff`. Pending and in-flight items are kept whatever their age.
    pub async fn prune(&self, cutoff: DateTime<Utc>) -> StoreResult<Pruned> {
        const EVENTS: &str = "DELETE FROM slack_events WHERE received_at < $1";
        const OUTBOX: &str =
            "DELETE FROM outbox WHERE status IN ('done', 'failed') AND done_at < $1";
        let mut tx = self.begin().await?;
        let events = on_conn!(tx.conn(), c => sqlx::query(EVENTS).bind(cutoff).execute(c).await?.rows_affected());
        let outbox = on_conn!(tx.conn(), c => sqlx::query(OUTBOX).bind(cutoff).execute(c).await?.rows_affected());
        tx.commit().await?;
        Ok(Pruned { events, outbox })
    }

    /// Prunes what is older than `keep`, now and then every hour, until `shutdown`.
    /// Every replica may run it: deleting twice deletes nothing more.
    pub async fn run_pruning(self, keep: chrono::Duration, mut shutdown: watch::Receiver<bool>) {
        loop {
            match self.prune(Utc::now() - keep).await {
                Ok(p) if p != Pruned::default() => {
                    tracing::info!(
                        events = p.events,
                        outbox = p.outbox,
                        "pruned old event ids and finished writes"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pruning failed; will try again in an hour"),
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
