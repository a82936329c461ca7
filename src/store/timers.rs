//! Durable timers ([`crate::timers`]): one row per incident and kind, claimed when due
//! under a row lock (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's write
//! transactions are exclusive), so two replicas never take the same firing. Also the
//! two small timeline reads the nudges decide on.

use super::{StoreResult, Tx, on_conn};
use chrono::{DateTime, Utc};

/// A timer as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TimerRow {
    pub id: i64,
    pub incident_id: i64,
    pub kind: String,
    /// `armed`, `done` or `dismissed`.
    pub state: String,
    pub due_at: Option<DateTime<Utc>>,
    /// How many times it went off; the number of the latest firing.
    pub fired: i64,
    pub last_fired_at: Option<DateTime<Utc>>,
    pub snoozed_until: Option<DateTime<Utc>>,
    /// The firing a snooze last answered.
    pub answered: i64,
}

const COLUMNS: &str =
    "id, incident_id, kind, state, due_at, fired, last_fired_at, snoozed_until, answered";

/// What became of a claimed timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settled {
    /// It went off now.
    pub fired: bool,
    /// When to look again; `None` when there is nothing left to do.
    pub next: Option<DateTime<Utc>>,
}

impl Tx {
    /// Arms a timer of `kind` for the incident, due at `due`, unless it exists.
    pub async fn arm_timer(
        &mut self,
        incident_id: i64,
        kind: &str,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO timers (incident_id, kind, state, due_at, updated_at) \
             VALUES ($1, $2, 'armed', $3, $4) ON CONFLICT (incident_id, kind) DO NOTHING";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(kind).bind(due).bind(now).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Makes the incident's armed timers whose kind starts with `prefix` due at `now`
    /// (none later): something changed that they decide on. Returns how many moved.
    pub async fn poke_timers(
        &mut self,
        incident_id: i64,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<u64> {
        const SQL: &str = "UPDATE timers SET due_at = $3, updated_at = $3 \
             WHERE incident_id = $1 AND substr(kind, 1, length($2)) = $2 \
             AND state = 'armed' AND (due_at IS NULL OR due_at > $3)";
        Ok(
            on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(prefix).bind(now).execute(c).await?.rows_affected()),
        )
    }

    /// Takes one armed timer whose due time has passed; the row stays locked until
    /// commit (another replica skips it).
    pub async fn claim_due_timer(&mut self, now: DateTime<Utc>) -> StoreResult<Option<TimerRow>> {
        let lock = if self.is_postgres() {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM timers WHERE state = 'armed' AND due_at <= $1 \
             ORDER BY due_at, id LIMIT 1 {lock}"
        ));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).bind(now).fetch_optional(c).await?))
    }

    /// Records what became of a claimed timer: a firing (counted, its snooze spent)
    /// and when it is next due, or `done`.
    pub async fn settle_timer(
        &mut self,
        id: i64,
        settled: Settled,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE timers SET \
             fired = fired + CASE WHEN $2 THEN 1 ELSE 0 END, \
             last_fired_at = CASE WHEN $2 THEN $4 ELSE last_fired_at END, \
             snoozed_until = CASE WHEN $2 THEN NULL ELSE snoozed_until END, \
             due_at = $3, state = CASE WHEN $3 IS NULL THEN 'done' ELSE 'armed' END, \
             updated_at = $4 WHERE id = $1 AND state = 'armed'";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(settled.fired).bind(settled.next).bind(now).execute(c).await?.rows_affected());
        Ok(())
    }

    pub async fn timer(&mut self, id: i64) -> StoreResult<Option<TimerRow>> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM timers WHERE id = $1"));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).bind(id).fetch_optional(c).await?))
    }

    /// The incident's timers, by kind.
    pub async fn incident_timers(&mut self, incident_id: i64) -> StoreResult<Vec<TimerRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM timers WHERE incident_id = $1 ORDER BY kind"
        ));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).bind(incident_id).fetch_all(c).await?))
    }

    /// Snoozes firing `seq` of a timer until `until`: armed again then, whatever it
    /// was. `false` when that firing was answered already, a later one happened, or
    /// the timer was dismissed: a second press changes nothing.
    pub async fn snooze_timer(
        &mut self,
        id: i64,
        seq: i64,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE timers SET snoozed_until = $3, due_at = $3, state = 'armed', \
             answered = $2, updated_at = $4 \
             WHERE id = $1 AND fired = $2 AND answered < $2 AND state <> 'dismissed'";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(seq).bind(until).bind(now).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Stops a timer for good. `false` when it was dismissed already.
    pub async fn dismiss_timer(&mut self, id: i64, now: DateTime<Utc>) -> StoreResult<bool> {
        const SQL: &str = "UPDATE timers SET state = 'dismissed', due_at = NULL, updated_at = $2 \
             WHERE id = $1 AND state <> 'dismissed'";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(now).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// The earliest due time of any armed timer: how long the worker may sleep.
    pub async fn next_timer_due(&mut self) -> StoreResult<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT due_at FROM timers WHERE state = 'armed' AND due_at IS NOT NULL ORDER BY due_at LIMIT 1";
        Ok(on_conn!(self.conn(), c => sqlx::query_scalar(SQL).fetch_optional(c).await?))
    }

    /// How many armed timers are due at `now` and not yet handled.
    pub async fn due_timer_count(&mut self, now: DateTime<Utc>) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM timers WHERE state = 'armed' AND due_at <= $1";
        Ok(on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(now).fetch_one(c).await?))
    }

    /// When the newest system entry of `event` was recorded for the incident (e.g.
    /// `stakeholder_update`).
    pub async fn latest_system_entry_at(
        &mut self,
        incident_id: i64,
        event: &str,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT at FROM timeline_entries \
             WHERE incident_id = $1 AND kind = 'system' AND system_event = $2 ORDER BY at DESC LIMIT 1";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).bind(event).fetch_optional(c).await?),
        )
    }

    /// When the newest war-room message of the incident was written.
    pub async fn latest_message_at(
        &mut self,
        incident_id: i64,
    ) -> StoreResult<Option<DateTime<Utc>>> {
        const SQL: &str = "SELECT at FROM timeline_entries \
             WHERE incident_id = $1 AND kind = 'message' ORDER BY at DESC LIMIT 1";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_optional(c).await?),
        )
    }
}
