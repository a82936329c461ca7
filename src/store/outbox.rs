//! The outbox table: durable intents to write to Slack. Items in one lane (one war
//! room) go out strictly in id order; different lanes proceed independently (pages'
//! and providers' lanes are served first, [`URGENT_LANE_PREFIXES`]), and on
//! PostgreSQL replicas claim with `FOR UPDATE SKIP LOCKED` so no item is sent twice
//! concurrently. A claim is a lease: if its holder dies, the item is claimable again
//! once `locked_until` passes. Each claim carries a fresh token; finishing, retrying,
//! failing, renewing and releasing the item all present it, so a holder whose claim
//! was taken over changes nothing (they answer `false`).

use super::{Store, StoreResult, Tx, on_conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedItem {
    pub id: i64,
    pub lane: String,
    /// The intent's idempotency key: posts carry it, so a retry can find an earlier
    /// attempt that did reach Slack.
    pub idem_key: String,
    pub payload: String,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    /// This claim's fencing token.
    pub claim: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    pub pending: i64,
    pub in_flight: i64,
    pub failed: i64,
    /// When the oldest item not yet sent (pending or in flight) was queued.
    pub oldest_unsent: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailedItem {
    pub id: i64,
    pub lane: String,
    pub payload: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The lanes served first, by the prefix of their name: pages (`page:<user>`), the
/// notices of pages added to a DM by an update (`page-notice:<user>`) and the paging
/// providers' alerts. A page must not wait for a worker behind a storm of war-room
/// writes that Slack is throttling, nor the phone notification that announces it.
pub const URGENT_LANE_PREFIXES: [&str; 5] = [
    "page:",
    "page-notice:",
    "pagerduty:",
    "opsgenie:",
    "webhook:",
];

/// `0` for an item in an urgent lane, `1` otherwise, to order claims by.
fn urgency() -> String {
    let urgent: Vec<String> = URGENT_LANE_PREFIXES
        .iter()
        .map(|p| format!("substr(o.lane, 1, {}) = '{p}'", p.len()))
        .collect();
    format!("CASE WHEN {} THEN 0 ELSE 1 END", urgent.join(" OR "))
}

const CLAIM_WHERE: &str = "((o.status = 'pending' AND o.not_before <= $1) \
         OR (o.status = 'in_flight' AND o.locked_until < $1)) \
     AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.lane = o.lane AND p.id < o.id \
         AND p.status IN ('pending', 'in_flight'))";

impl Tx {
    /// Queues an intent. An item with the same idempotency key is never queued twice.
    pub async fn enqueue(
        &mut self,
        lane: &str,
        idem_key: &str,
        payload: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.enqueue_due(lane, idem_key, payload, now, now).await
    }

    /// [`Tx::enqueue`], not due before `not_before`.
    pub async fn enqueue_due(
        &mut self,
        lane: &str,
        idem_key: &str,
        payload: &str,
        now: DateTime<Utc>,
        not_before: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO outbox (lane, idem_key, payload, not_before, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idem_key) DO NOTHING";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(lane).bind(idem_key).bind(payload).bind(not_before).bind(now).execute(c).await?.rows_affected());
        Ok(n == 1)
    }
}

impl Tx {
    /// The newest item of `lane` that waits untried (pending, never sent: a paced
    /// deferral is not a try), with its payload. On PostgreSQL the row stays locked
    /// until the transaction ends, so no worker claims it while it is amended.
    pub async fn untried_in_lane(&mut self, lane: &str) -> StoreResult<Option<(i64, String)>> {
        let lock = if self.is_postgres() {
            " FOR UPDATE"
        } else {
            ""
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT id, payload FROM outbox WHERE lane = $1 AND status = 'pending' \
             AND attempts = 0 ORDER BY id DESC LIMIT 1{lock}"
        ));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).bind(lane).fetch_optional(c).await?))
    }

    /// Replaces the payload of item `id` if it still waits untried; `false` when a
    /// worker took it meanwhile (then what it sends is what it read).
    pub async fn amend_untried(&mut self, id: i64, payload: &str) -> StoreResult<bool> {
        const SQL: &str = "UPDATE outbox SET payload = $2 \
             WHERE id = $1 AND status = 'pending' AND attempts = 0";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(payload).execute(c).await?.rows_affected());
        Ok(n == 1)
    }
}

impl Store {
    /// Takes the next due item whose lane has nothing earlier outstanding: the oldest
    /// in an urgent lane ([`URGENT_LANE_PREFIXES`]) if any, else the oldest.
    pub async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<Option<ClaimedItem>> {
        let lock = if matches!(self, Store::Postgres(_)) {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let urgency = urgency();
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, locked_until = $2, claim_token = $3 \
             WHERE id = (SELECT o.id FROM outbox o WHERE {CLAIM_WHERE} ORDER BY {urgency}, o.id LIMIT 1 {lock}) \
             RETURNING id, lane, idem_key, payload, attempts, created_at, claim_token AS claim"
        ));
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut tx = self.begin().await?;
        let item: Option<ClaimedItem> = on_conn!(tx.conn(), c => sqlx::query_as(sql).bind(now).bind(lease_until).bind(&token).fetch_optional(c).await?);
        tx.commit().await?;
        Ok(item)
    }

    /// Extends a claim that is still held while its work runs. `false` when the claim
    /// was taken over (or the item finished): stop working on it.
    pub async fn renew_outbox(
        &self,
        id: i64,
        claim: &str,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE outbox SET locked_until = $3 \
             WHERE id = $1 AND claim_token = $2 AND status = 'in_flight'";
        let mut tx = self.begin().await?;
        let n = on_conn!(tx.conn(), c => sqlx::query(SQL).bind(id).bind(claim).bind(lease_until).execute(c).await?.rows_affected());
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Hands back every claim still held (SQLite at startup). SQLite is one process's
    /// database, so a claim left in flight belongs to an earlier life of this one,
    /// which died holding it: waiting for its lease would only delay the war room.
    pub async fn reclaim_in_flight(&self) -> StoreResult<u64> {
        const SQL: &str = "UPDATE outbox SET status = 'pending', locked_until = NULL, claim_token = NULL \
             WHERE status = 'in_flight'";
        let mut tx = self.begin().await?;
        let n = on_conn!(tx.conn(), c => sqlx::query(SQL).execute(c).await?.rows_affected());
        tx.commit().await?;
        Ok(n)
    }

    /// When the earliest item not yet due becomes due (its lane clear), so an idle
    /// worker can sleep until then rather than a whole poll interval. Items waiting
    /// behind an earlier one in their lane are left out: finishing that one frees them.
    pub async fn next_outbox_due(&self, now: DateTime<Utc>) -> StoreResult<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT MIN(o.not_before) FROM outbox o WHERE o.status = 'pending' \
             AND o.not_before > $1 AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.lane = o.lane \
             AND p.id < o.id AND p.status IN ('pending', 'in_flight'))";
        let mut tx = self.read().await?;
        let at: Option<DateTime<Utc>> =
            on_conn!(tx.conn(), c => sqlx::query_scalar(SQL).bind(now).fetch_one(c).await?);
        tx.commit().await?;
        Ok(at)
    }

    /// Marks a claimed item sent. `false` when the claim is no longer this holder's.
    pub async fn finish_outbox(
        &self,
        id: i64,
        claim: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.settle(
            "UPDATE outbox SET status = 'done', done_at = $3, locked_until = NULL \
             WHERE id = $1 AND claim_token = $2 AND status = 'in_flight'",
            id,
            claim,
            now,
            None,
        )
        .await
    }

    /// Puts a claimed item back to be tried again at `not_before`.
    pub async fn retry_outbox(
        &self,
        id: i64,
        claim: &str,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool> {
        self.settle(
            "UPDATE outbox SET status = 'pending', not_before = $3, last_error = $4, locked_until = NULL, claim_token = NULL \
             WHERE id = $1 AND claim_token = $2 AND status = 'in_flight'",
            id,
            claim,
            not_before,
            Some(error),
        )
        .await
    }

    /// Puts a claimed item back until `not_before` without counting the claim as an
    /// attempt: nothing was sent (the channel was paced), so a later claim is a first
    /// try, not a retry that must look for an earlier attempt or back off further.
    pub async fn defer_outbox(
        &self,
        id: i64,
        claim: &str,
        not_before: DateTime<Utc>,
        why: &str,
    ) -> StoreResult<bool> {
        self.settle(
            "UPDATE outbox SET status = 'pending', not_before = $3, last_error = $4, locked_until = NULL, \
             claim_token = NULL, attempts = attempts - 1 \
             WHERE id = $1 AND claim_token = $2 AND status = 'in_flight'",
            id,
            claim,
            not_before,
            Some(why),
        )
        .await
    }

    /// Hands a claimed item back at once (shutdown): another worker or replica may take
    /// it now instead of waiting for the lease to run out.
    pub async fn release_outbox(&self, id: i64, claim: &str) -> StoreResult<bool> {
        const SQL: &str = "UPDATE outbox SET status = 'pending', locked_until = NULL, claim_token = NULL \
             WHERE id = $1 AND claim_token = $2 AND status = 'in_flight'";
        let mut tx = self.begin().await?;
        let n = on_conn!(tx.conn(), c => sqlx::query(SQL).bind(id).bind(claim).execute(c).await?.rows_affected());
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Gives up on a claimed item: it stays visible in `warroom status`.
    pub async fn fail_outbox(
        &self,
        id: i64,
        claim: &str,
        now: DateTime<Utc>,
        error: &str,
    ) -> StoreResult<bool> {
        self.settle(
            "UPDATE outbox SET status = 'failed', done_at = $3, last_error = $4, locked_until = NULL \
             WHERE id = $1 AND claim_token = $2 AND status = 'in_flight'",
            id,
            claim,
            now,
            Some(error),
        )
        .await
    }

    /// Runs one fenced transition; `true` when this claim still held the item.
    async fn settle(
        &self,
        sql: &'static str,
        id: i64,
        claim: &str,
        at: DateTime<Utc>,
        error: Option<&str>,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let n = on_conn!(tx.conn(), c => {
            let q = sqlx::query(sql).bind(id).bind(claim).bind(at);
            match error {
                Some(e) => q.bind(e).execute(c).await?.rows_affected(),
                None => q.execute(c).await?.rows_affected(),
            }
        });
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Whether an item of `lane` is in flight now, or finished at or after `since`:
    /// an op that wrote to Slack since then may have raced one in that lane.
    pub async fn lane_active_since(&self, lane: &str, since: DateTime<Utc>) -> StoreResult<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE lane = $1 \
             AND (status = 'in_flight' OR (status IN ('done', 'failed') AND done_at >= $2))";
        let mut tx = self.read().await?;
        let n: i64 = on_conn!(tx.conn(), c => sqlx::query_scalar(SQL).bind(lane).bind(since).fetch_one(c).await?);
        tx.commit().await?;
        Ok(n > 0)
    }

    /// How many items of `lane` are not sent yet (pending or in flight): a replay
    /// waits for its war room's lane to empty before it stops its workers.
    pub async fn lane_unsent(&self, lane: &str) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM outbox WHERE lane = $1 \
             AND status IN ('pending', 'in_flight')";
        let mut tx = self.read().await?;
        let n: i64 =
            on_conn!(tx.conn(), c => sqlx::query_scalar(SQL).bind(lane).fetch_one(c).await?);
        tx.commit().await?;
        Ok(n)
    }

    /// The payloads of the items waiting in `lane` behind the item keyed `key`, in
    /// order: an op may leave to a later one of its lane what that one will redo.
    pub async fn later_in_lane(&self, lane: &str, key: &str) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT payload FROM outbox WHERE lane = $1 AND status = 'pending' \
             AND id > (SELECT id FROM outbox WHERE idem_key = $2) ORDER BY id";
        let mut tx = self.read().await?;
        let rows = on_conn!(tx.conn(), c => sqlx::query_scalar(SQL).bind(lane).bind(key).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }

    /// What is not done, by status. The statuses are named so the `outbox_due` index
    /// answers (`<> 'done'` would read every finished write kept for retention): this
    /// runs at every metrics scrape.
    pub async fn outbox_backlog(&self) -> StoreResult<Backlog> {
        const SQL: &str = "SELECT status, COUNT(*), MIN(created_at) FROM outbox \
             WHERE status IN ('pending', 'in_flight', 'failed') GROUP BY status";
        let mut tx = self.read().await?;
        let rows: Vec<(String, i64, Option<DateTime<Utc>>)> =
            on_conn!(tx.conn(), c => sqlx::query_as(SQL).fetch_all(c).await?);
        tx.commit().await?;
        let mut b = Backlog::default();
        for (status, n, oldest) in rows {
            match status.as_str() {
                "pending" => b.pending = n,
                "in_flight" => b.in_flight = n,
                "failed" => b.failed = n,
                _ => continue,
            }
            if status != "failed" {
                b.oldest_unsent = match (b.oldest_unsent, oldest) {
                    (Some(a), Some(o)) => Some(a.min(o)),
                    (a, o) => a.or(o),
                };
            }
        }
        Ok(b)
    }

    pub async fn failed_outbox(&self, limit: i64) -> StoreResult<Vec<FailedItem>> {
        const SQL: &str = "SELECT id, lane, payload, attempts, last_error FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT $1";
        let mut tx = self.read().await?;
        let rows = on_conn!(tx.conn(), c => sqlx::query_as(SQL).bind(limit).fetch_all(c).await?);
        tx.commit().await?;
        Ok(rows)
    }
}
