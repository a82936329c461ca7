//! The outbox: every write Warroom makes to Slack, a paging provider or GitHub is first stored as an [`Op`]
//! in the same transaction as the change that caused it, then sent by the
//! [`worker`], which claims items, retries them with backoff and paces posts
//! ([`Pacing`]). What each kind of op does lives in its own file under [`ops`]. A
//! Slack outage delays posts; it never loses them and never blocks an ack.

mod op;
pub mod ops;
mod pacing;
pub mod worker;

pub use op::Op;
pub use pacing::Pacing;

use crate::store::{StoreResult, Tx};
use chrono::{DateTime, Utc};

/// Queues `op` in its lane, due at once. `key` makes the intent idempotent: the same
/// key is never queued twice. Pass `None` for a one-off intent (a fresh key is made).
///
/// Outbound scheduling (due times, backoff, leases) runs on the wall clock, not the
/// incident clock: `Retry-After` and network timeouts are real seconds.
pub async fn enqueue(tx: &mut Tx, op: &Op, key: Option<&str>) -> StoreResult<bool> {
    enqueue_at(tx, op, key, Utc::now()).await
}

/// [`enqueue`], due at `at` rather than at once: for a post known to wait for its
/// channel's next free second, so no worker takes it before then.
pub async fn enqueue_at(
    tx: &mut Tx,
    op: &Op,
    key: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let payload = serde_json::to_string(op).expect("ops always serialize");
    let key = match key {
        Some(k) => format!("{}:{k}", op.name()),
        None => format!("{}:{}", op.name(), uuid::Uuid::new_v4()),
    };
    tx.enqueue_due(&op.lane(), &key, &payload, Utc::now(), at)
        .await
}
