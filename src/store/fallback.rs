//! The fallback war rooms on IRC ([`crate::fallback`]): which incidents have one open,
//! since when and why, whether it has been briefed, and whether Slack is down while
//! it is open. One row per incident; reopening after a close reuses it.

use super::{StoreResult, Tx, on_conn};
use chrono::{DateTime, Utc};

/// Why a fallback room was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackReason {
    /// `/incident fallback`, while Slack works, to prepare.
    Command,
    /// `warroom fallback open <incident>`, on the command line.
    Cli,
    /// Slack's Web API failed for `fallback.after` while the incident was open.
    SlackDown,
}

impl FallbackReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FallbackReason::Command => "command",
            FallbackReason::Cli => "cli",
            FallbackReason::SlackDown => "slack_down",
        }
    }
}

/// A fallback room as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FallbackRoom {
    pub incident_id: i64,
    /// `#<prefix>-inc-<id>`.
    pub channel: String,
    pub opened_at: DateTime<Utc>,
    /// `command`, `cli` or `slack_down` ([`FallbackReason::as_str`]).
    pub reason: String,
    /// The Slack user who opened it with `/incident fallback`.
    pub opened_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the channel was first told where things stand, this opening.
    pub briefed_at: Option<DateTime<Utc>>,
    /// Since when Slack has been unreachable while it was open (cleared once the
    /// war room has been told, after Slack came back).
    pub slack_down_at: Option<DateTime<Utc>>,
}

impl FallbackRoom {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

/// What [`Tx::open_fallback_room`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackOpened {
    /// Opened now (first time, or again after a close).
    Opened(FallbackRoom),
    /// It was open already; nothing changed.
    AlreadyOpen(FallbackRoom),
}

impl FallbackOpened {
    pub fn room(&self) -> &FallbackRoom {
        match self {
            FallbackOpened::Opened(r) | FallbackOpened::AlreadyOpen(r) => r,
        }
    }
}

const COLUMNS: &str =
    "incident_id, channel, opened_at, reason, opened_by, closed_at, briefed_at, slack_down_at";

impl Tx {
    /// Opens the incident's fallback room on `channel`, unless it is open already.
    /// A room closed before opens again: new opening time and reason, not briefed.
    /// `slack_down_at` is `at` when it opens because Slack is down.
    pub async fn open_fallback_room(
        &mut self,
        incident_id: i64,
        channel: &str,
        reason: FallbackReason,
        opened_by: Option<&str>,
        at: DateTime<Utc>,
    ) -> StoreResult<FallbackOpened> {
        if let Some(room) = self.fallback_room(incident_id).await?
            && room.is_open()
        {
            return Ok(FallbackOpened::AlreadyOpen(room));
        }
        let down = (reason == FallbackReason::SlackDown).then_some(at);
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO fallback_rooms ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6) \
             ON CONFLICT (incident_id) DO UPDATE SET channel = $2, opened_at = $3, reason = $4, \
             opened_by = $5, closed_at = NULL, briefed_at = NULL, slack_down_at = $6 \
             WHERE fallback_rooms.closed_at IS NOT NULL \
             RETURNING {COLUMNS}"
        ));
        let opened: Option<FallbackRoom> = on_conn!(self.conn(), c => sqlx::query_as(sql)
            .bind(incident_id)
            .bind(channel)
            .bind(at)
            .bind(reason.as_str())
            .bind(opened_by)
            .bind(down)
            .fetch_optional(c)
            .await?);
        match opened {
            Some(room) => Ok(FallbackOpened::Opened(room)),
            // Another writer opened it between the read and the insert.
            None => {
                let room = self.fallback_room(incident_id).await?.ok_or_else(|| {
                    super::StoreError::Corrupt(format!(
                        "fallback room of incident #{incident_id} vanished"
                    ))
                })?;
                Ok(FallbackOpened::AlreadyOpen(room))
            }
        }
    }

    /// Closes the incident's fallback room. `false` when none was open.
    pub async fn close_fallback_room(
        &mut self,
        incident_id: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE fallback_rooms SET closed_at = $2 \
             WHERE incident_id = $1 AND closed_at IS NULL";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(at).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// The incident's fallback room, open or closed.
    pub async fn fallback_room(&mut self, incident_id: i64) -> StoreResult<Option<FallbackRoom>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM fallback_rooms WHERE incident_id = $1"
        ));
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(incident_id).fetch_optional(c).await?),
        )
    }

    /// Every open fallback room, oldest incident first.
    pub async fn open_fallback_rooms(&mut self) -> StoreResult<Vec<FallbackRoom>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM fallback_rooms WHERE closed_at IS NULL ORDER BY incident_id"
        ));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).fetch_all(c).await?))
    }

    /// Records that the room opened at `opened_at` has been briefed. `false` when it
    /// was briefed already, or has been closed or reopened since.
    pub async fn mark_fallback_briefed(
        &mut self,
        incident_id: i64,
        opened_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE fallback_rooms SET briefed_at = $3 \
             WHERE incident_id = $1 AND opened_at = $2 AND closed_at IS NULL AND briefed_at IS NULL";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(opened_at).bind(at).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Records that Slack has been unreachable since `since` on every open room that
    /// did not know yet. Returns how many rooms learned it.
    pub async fn mark_slack_down(&mut self, since: DateTime<Utc>) -> StoreResult<u64> {
        const SQL: &str = "UPDATE fallback_rooms SET slack_down_at = $1 \
             WHERE closed_at IS NULL AND slack_down_at IS NULL";
        Ok(
            on_conn!(self.conn(), c => sqlx::query(SQL).bind(since).execute(c).await?.rows_affected()),
        )
    }

    /// Clears the incident's "Slack is down" mark once the war room has been told
    /// Slack is back. `false` when it was cleared already (another replica told it).
    pub async fn clear_slack_down(
        &mut self,
        incident_id: i64,
        since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE fallback_rooms SET slack_down_at = NULL \
             WHERE incident_id = $1 AND slack_down_at = $2";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(since).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Every room, open or closed, still marked "Slack is down": the war rooms to tell
    /// once Slack answers again.
    pub async fn slack_down_rooms(&mut self) -> StoreResult<Vec<FallbackRoom>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM fallback_rooms WHERE slack_down_at IS NOT NULL \
             ORDER BY incident_id"
        ));
        Ok(on_conn!(self.conn(), c => sqlx::query_as(sql).fetch_all(c).await?))
    }

    /// How many lines were said on IRC in the incident's timeline from `from` to `to`
    /// (both included); deleted ones too, since they were exchanged.
    pub async fn count_irc_entries(
        &mut self,
        incident_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM timeline_entries \
             WHERE incident_id = $1 AND source = 'irc' AND at >= $2 AND at <= $3";
        Ok(on_conn!(self.conn(), c => sqlx::query_scalar(SQL)
            .bind(incident_id)
            .bind(from)
            .bind(to)
            .fetch_one(c)
            .await?))
    }
}
