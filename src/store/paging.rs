//! Pages, provider alerts and escalations. "Never page twice" lives in the schema
//! (`pages.page_key`, `provider_alerts (provider, dedup_key)`) and in claiming due
//! escalations under a row lock (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
//! write transactions are exclusive).

use super::{StoreResult, Tx, on_conn};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PageRecord {
    pub id: i64,
    pub incident_id: i64,
    pub user_id: String,
    pub team_id: Option<String>,
    pub level: Option<i64>,
    pub note: Option<String>,
    pub paged_by: Option<String>,
    pub paged_at: DateTime<Utc>,
    pub acked_at: Option<DateTime<Utc>>,
    pub acked_by: Option<String>,
    pub ack_source: Option<String>,
    /// The DM that carries this page (`channel`, `ts`), once sent; one DM may carry
    /// the pages of several incidents (see [`super::page_dms`]).
    pub dm_channel: Option<String>,
    pub dm_ts: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewPage<'a> {
    pub incident_id: i64,
    pub page_key: &'a str,
    pub user_id: &'a str,
    pub team_id: Option<&'a str>,
    pub level: Option<i64>,
    pub note: Option<&'a str>,
    pub paged_by: Option<&'a str>,
    pub paged_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DueEscalation {
    pub incident_id: i64,
    pub policy_id: String,
    pub next_level: i64,
}

/// An incident's escalation as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EscalationRow {
    pub incident_id: i64,
    pub policy_id: String,
    pub next_level: i64,
    pub deadline: Option<DateTime<Utc>>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProviderAlert {
    pub incident_id: i64,
    pub provider: String,
    pub team_id: String,
    pub dedup_key: String,
    pub status: String,
}

/// Which round of paging an incident is in: 0 from its declaration, one more each
/// time it reopens after being resolved. A round's pages, provider alerts and acks
/// are its own (see `paging::pager`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PagingRound {
    pub number: i64,
    /// When the round began; `None` for round 0, which began at the declaration.
    pub since: Option<DateTime<Utc>>,
}

pub(super) const PAGE_COLUMNS: &str = "id, incident_id, user_id, team_id, level, note, paged_by, paged_at, acked_at, acked_by, ack_source, dm_channel, dm_ts";

impl Tx {
    /// Records a page; `None` when this page (by key) was recorded before.
    pub async fn insert_page(&mut self, p: &NewPage<'_>) -> StoreResult<Option<i64>> {
        const SQL: &str = "INSERT INTO pages (incident_id, page_key, user_id, team_id, level, note, paged_by, paged_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (page_key) DO NOTHING RETURNING id";
        Ok(on_conn!(self.conn(), c => sqlx::query_scalar(SQL)
            .bind(p.incident_id)
            .bind(p.page_key)
            .bind(p.user_id)
            .bind(p.team_id)
            .bind(p.level)
            .bind(p.note)
            .bind(p.paged_by)
            .bind(p.paged_at)
            .fetch_optional(c)
            .await?))
    }

    pub async fn pages(&mut self, incident_id: i64) -> StoreResult<Vec<PageRecord>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PAGE_COLUMNS} FROM pages WHERE incident_id = $1 ORDER BY id"
        ));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).bind(incident_id).fetch_all(c).await?))
    }

    pub async fn page(&mut self, id: i64) -> StoreResult<Option<PageRecord>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {PAGE_COLUMNS} FROM pages WHERE id = $1"));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).bind(id).fetch_optional(c).await?))
    }

    /// Marks a page acknowledged. `false` when it already was (acking twice is harmless).
    pub async fn ack_page(
        &mut self,
        id: i64,
        by: &str,
        source: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE pages SET acked_at = $2, acked_by = $3, ack_source = $4 WHERE id = $1 AND acked_at IS NULL";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(at).bind(by).bind(source).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Starts an incident's policy escalation, its first level due at `first_at`.
    pub async fn start_escalation(
        &mut self,
        incident_id: i64,
        policy_id: &str,
        first_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO escalations (incident_id, policy_id, next_level, deadline, status, updated_at) \
             VALUES ($1, $2, 0, $3, 'waiting', $3) ON CONFLICT (incident_id) DO NOTHING";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(policy_id).bind(first_at).execute(c).await?.rows_affected());
        Ok(())
    }

    pub async fn escalation(&mut self, incident_id: i64) -> StoreResult<Option<EscalationRow>> {
        const SQL: &str = "SELECT incident_id, policy_id, next_level, deadline, status, attempts, last_error \
             FROM escalations WHERE incident_id = $1";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_optional(c).await?),
        )
    }

    /// Puts the incident on `policy_id` from its first level, due at `now`: a raised
    /// severity switches policy at once. Replaces whatever escalation ran before.
    pub async fn switch_escalation(
        &mut self,
        incident_id: i64,
        policy_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO escalations (incident_id, policy_id, next_level, deadline, status, updated_at) \
             VALUES ($1, $2, 0, $3, 'waiting', $3) ON CONFLICT (incident_id) DO UPDATE SET \
             policy_id = excluded.policy_id, next_level = 0, deadline = excluded.deadline, \
             status = 'waiting', attempts = 0, last_error = NULL, updated_at = excluded.updated_at";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(policy_id).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Whether anyone has acknowledged a page of this incident.
    pub async fn incident_acked(&mut self, incident_id: i64) -> StoreResult<bool> {
        self.acked_since(incident_id, None).await
    }

    /// Whether anyone has acknowledged a page of this incident at or after `since`
    /// (a paging round's start); with `None`, ever.
    pub async fn acked_since(
        &mut self,
        incident_id: i64,
        since: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM pages WHERE incident_id = $1 AND acked_at >= $2";
        const EVER: &str =
            "SELECT COUNT(*) FROM pages WHERE incident_id = $1 AND acked_at IS NOT NULL";
        let n: i64 = match since {
            Some(since) => {
                on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).bind(since).fetch_one(c).await?)
            }
            None => {
                on_conn!(self.conn(), c => sqlx::query_scalar(EVER).bind(incident_id).fetch_one(c).await?)
            }
        };
        Ok(n > 0)
    }

    /// The incident's paging round (round 0 for an incident not stored).
    pub async fn paging_round(&mut self, incident_id: i64) -> StoreResult<PagingRound> {
        const SQL: &str =
            "SELECT paging_round AS number, paging_round_at AS since FROM incidents WHERE id = $1";
        let round: Option<PagingRound> = on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_optional(c).await?);
        Ok(round.unwrap_or_default())
    }

    /// Starts the incident's next paging round at `at` (it reopened); returns it.
    pub async fn begin_paging_round(
        &mut self,
        incident_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<PagingRound> {
        const SQL: &str = "UPDATE incidents SET paging_round = paging_round + 1, paging_round_at = $2 \
             WHERE id = $1 RETURNING paging_round AS number, paging_round_at AS since";
        let round: Option<PagingRound> = on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).bind(at).fetch_optional(c).await?);
        round.ok_or_else(|| {
            super::StoreError::Corrupt(format!("incident #{incident_id} is not stored"))
        })
    }

    /// People paged in this incident by anything but pages whose key starts with
    /// `prefix` (another policy, or by hand), counting only pages sent at or after
    /// `since` (the paging round's start) when it is given.
    pub async fn paged_outside(
        &mut self,
        incident_id: i64,
        prefix: &str,
        since: Option<DateTime<Utc>>,
    ) -> StoreResult<std::collections::HashSet<String>> {
        const SQL: &str = "SELECT DISTINCT user_id FROM pages WHERE incident_id = $1 \
             AND substr(page_key, 1, length($2)) <> $2 AND paged_at >= $3";
        // Before any reopen every page counts: from the epoch.
        let since = since.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        let users: Vec<String> = on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).bind(prefix).bind(since).fetch_all(c).await?);
        Ok(users.into_iter().collect())
    }

    /// Takes one escalation whose deadline has passed; the row stays locked until commit.
    pub async fn claim_due_escalation(
        &mut self,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<DueEscalation>> {
        let lock = if self.is_postgres() {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT incident_id, policy_id, next_level FROM escalations \
             WHERE status = 'waiting' AND deadline <= $1 ORDER BY deadline LIMIT 1 {lock}"
        ));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).bind(now).fetch_optional(c).await?))
    }

    /// Moves a claimed escalation on: to `next_level` at `deadline`, or to a final status.
    pub async fn advance_escalation(
        &mut self,
        incident_id: i64,
        next_level: i64,
        deadline: Option<DateTime<Utc>>,
        status: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE escalations SET next_level = $2, deadline = $3, status = $4, updated_at = $5, \
             attempts = 0, last_error = NULL WHERE incident_id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(next_level).bind(deadline).bind(status).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Records a failed try at a waiting escalation: it is tried again at `retry_at`,
    /// or, with `None`, marked failed for good. Returns the attempts so far.
    pub async fn escalation_failed(
        &mut self,
        incident_id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        const SQL: &str = "UPDATE escalations SET attempts = attempts + 1, last_error = $2, deadline = $3, \
             status = CASE WHEN $3 IS NULL THEN 'failed' ELSE status END, updated_at = $4 \
             WHERE incident_id = $1 AND status = 'waiting' RETURNING attempts";
        let attempts: Option<i64> = on_conn!(self.conn(), c => sqlx::query_scalar(SQL)
            .bind(incident_id)
            .bind(error)
            .bind(retry_at)
            .bind(now)
            .fetch_optional(c)
            .await?);
        Ok(attempts.unwrap_or(0))
    }

    /// Stops a waiting escalation (acked or cancelled). `false` if it was not waiting.
    pub async fn stop_escalation(
        &mut self,
        incident_id: i64,
        status: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE escalations SET status = $2, deadline = NULL, updated_at = $3 \
             WHERE incident_id = $1 AND status = 'waiting'";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(status).bind(now).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// The earliest deadline of any waiting escalation, for the worker's timer.
    pub async fn next_escalation_deadline(&mut self) -> StoreResult<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT MIN(deadline) FROM escalations WHERE status = 'waiting'";
        Ok(on_conn!(self.conn(), c => sqlx::query_scalar(SQL).fetch_one(c).await?))
    }

    /// Remembers an alert opened at a provider. `false` if it was already recorded.
    pub async fn open_provider_alert(
        &mut self,
        a: &ProviderAlert,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO provider_alerts (incident_id, provider, team_id, dedup_key, status, opened_at) \
             VALUES ($1, $2, $3, $4, 'open', $5) ON CONFLICT (provider, dedup_key) DO NOTHING";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(a.incident_id).bind(&a.provider).bind(&a.team_id).bind(&a.dedup_key).bind(at).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    pub async fn provider_alerts(&mut self, incident_id: i64) -> StoreResult<Vec<ProviderAlert>> {
        const SQL: &str = "SELECT incident_id, provider, team_id, dedup_key, status FROM provider_alerts WHERE incident_id = $1 ORDER BY id";
        Ok(on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_all(c).await?))
    }

    /// The alert a provider's webhook refers to.
    pub async fn provider_alert(
        &mut self,
        provider: &str,
        dedup_key: &str,
    ) -> StoreResult<Option<ProviderAlert>> {
        const SQL: &str = "SELECT incident_id, provider, team_id, dedup_key, status FROM provider_alerts WHERE provider = $1 AND dedup_key = $2";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(provider).bind(dedup_key).fetch_optional(c).await?),
        )
    }

    /// Moves an alert forward (open → acknowledged → resolved); never back.
    pub async fn set_provider_alert_status(
        &mut self,
        provider: &str,
        dedup_key: &str,
        status: &str,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE provider_alerts SET status = $3 WHERE provider = $1 AND dedup_key = $2 \
             AND status <> 'resolved' AND status <> $3";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(provider).bind(dedup_key).bind(status).execute(c).await?.rows_affected());
        Ok(n == 1)
    }
}
