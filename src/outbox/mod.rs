//! The outbox: every write Warroom makes to Slack is first stored as an [`SlackOp`]
//! in the same transaction as the change that caused it, then sent by the
//! [`worker`]. A Slack outage delays posts; it never loses them and never blocks an ack.

mod ops;
mod send;
pub mod worker;

pub use ops::SlackOp;

use crate::store::{StoreResult, Tx};
use chrono::{DateTime, Utc};

/// Queues `op` in its incident's lane. `key` makes the intent idempotent: the same key
/// is never queued twice. Pass `None` for a one-off intent (a fresh key is made).
pub async fn enqueue(
    tx: &mut Tx,
    op: &SlackOp,
    key: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let payload = serde_json::to_string(op).expect("ops always serialize");
    let key = match key {
        Some(k) => format!("{}:{k}", op.name()),
        None => format!("{}:{}", op.name(), uuid::Uuid::new_v4()),
    };
    tx.enqueue(&op.lane(), &key, &payload, now).await
}
