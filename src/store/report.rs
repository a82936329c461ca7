//! What the on-call report reads: the incidents of a time window, then, for all of
//! them at once, their pages, open action items and the timeline entries the report
//! shows, and (for the dashboard) which of them are private. A window of any size
//! costs the same few round trips: each per-incident read takes the whole id list (in
//! chunks of [`IDS_PER_STATEMENT`], far below either backend's bind-parameter limit),
//! never one query per incident.

use super::capture::{ActionRow, select_actions};
use super::incidents::{IncidentRow, select};
use super::paging::PAGE_COLUMNS;
use super::{PageRecord, StoreResult, Tx, on_conn};
use crate::domain::{ActionItem, Incident};
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// Ids bound in one statement.
const IDS_PER_STATEMENT: usize = 500;

/// A timeline entry as the report shows it: a key event or an escalation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ReportEntry {
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    /// The system entry's kind (`status`, `escalation`, …); `None` for a message the
    /// team marked a key event.
    pub system_event: Option<String>,
    pub author_id: Option<String>,
    /// As stored: Slack's wire format for messages.
    pub text: String,
}

/// `$first, $first+1, …` for `n` parameters.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// Makes this read-only transaction see one snapshot for all its reads, so the
    /// pages and items read match the incidents read. Call it first. PostgreSQL's
    /// default gives each statement its own snapshot; SQLite's read transaction
    /// already keeps the one its first read took.
    pub async fn report_snapshot(&mut self) -> StoreResult<()> {
        if let super::Conn::Postgres(c) = self.conn() {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(c)
                .await?;
        }
        Ok(())
    }

    /// The incidents that belong to `[since, until)`, oldest declaration first: those
    /// open (declared, not yet resolved) at any moment of it, those closed within it,
    /// and those with a page sent or acknowledged within it. An incident resolved
    /// within the window was open up to then, so it is in; one resolved before
    /// `since` and closed later is in only if the close falls inside.
    pub async fn incidents_in_window(
        &mut self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<Incident>> {
        let filter = "WHERE (declared_at < $2 AND (COALESCE(resolved_at, closed_at) IS NULL \
                 OR COALESCE(resolved_at, closed_at) >= $1)) \
             OR (closed_at >= $1 AND closed_at < $2) \
             OR id IN (SELECT incident_id FROM pages \
                 WHERE (paged_at >= $1 AND paged_at < $2) OR (acked_at >= $1 AND acked_at < $2)) \
             ORDER BY declared_at, id";
        let rows: Vec<IncidentRow> = on_conn!(self.conn(), c => sqlx::query_as(select(filter))
            .bind(since)
            .bind(until)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(Incident::try_from).collect()
    }

    /// Every page of these incidents, by incident, then in the order they were sent.
    pub async fn pages_of(&mut self, incident_ids: &[i64]) -> StoreResult<Vec<PageRecord>> {
        let mut out = Vec::new();
        for ids in incident_ids.chunks(IDS_PER_STATEMENT) {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT {PAGE_COLUMNS} FROM pages WHERE incident_id IN ({}) \
                 ORDER BY incident_id, paged_at, id",
                placeholders(1, ids.len())
            ));
            let rows: Vec<PageRecord> = on_conn!(self.conn(), c => {
                let mut q = sqlx::query_as(sql);
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Which of these incidents ran in private war rooms (ids of no incident are in
    /// neither set).
    pub async fn private_incidents(&mut self, incident_ids: &[i64]) -> StoreResult<HashSet<i64>> {
        let mut out = HashSet::new();
        for ids in incident_ids.chunks(IDS_PER_STATEMENT) {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT id FROM incidents WHERE private AND id IN ({})",
                placeholders(1, ids.len())
            ));
            let rows: Vec<i64> = on_conn!(self.conn(), c => {
                let mut q = sqlx::query_scalar(sql);
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// The action items of these incidents still open, by incident and number.
    pub async fn open_actions_of(&mut self, incident_ids: &[i64]) -> StoreResult<Vec<ActionItem>> {
        let mut out = Vec::new();
        for ids in incident_ids.chunks(IDS_PER_STATEMENT) {
            let filter = format!(
                "WHERE status = 'open' AND incident_id IN ({}) ORDER BY incident_id, seq",
                placeholders(1, ids.len())
            );
            let rows: Vec<ActionRow> = on_conn!(self.conn(), c => {
                let mut q = sqlx::query_as(select_actions(&filter));
                for id in ids {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await?
            });
            for row in rows {
                out.push(ActionItem::try_from(row)?);
            }
        }
        Ok(out)
    }

    /// These incidents' system entries of `system_kinds`, and the messages the team
    /// marked key events (not deleted ones), by incident and time. Only those rows are
    /// read, so an incident with a long timeline costs what it marked, not its length.
    pub async fn report_entries_of(
        &mut self,
        incident_ids: &[i64],
        system_kinds: &[&str],
    ) -> StoreResult<Vec<ReportEntry>> {
        let mut out = Vec::new();
        for ids in incident_ids.chunks(IDS_PER_STATEMENT) {
            let kinds = if system_kinds.is_empty() {
                // `IN ()` is not SQL; no kind asked for matches no system entry.
                "NULL".to_string()
            } else {
                placeholders(ids.len() + 1, system_kinds.len())
            };
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT e.incident_id, e.at, e.system_event, e.author_id, e.text \
                 FROM timeline_entries e WHERE e.incident_id IN ({}) AND ( \
                 (e.kind = 'system' AND e.system_event IN ({kinds})) \
                 OR (e.kind = 'message' AND e.deleted_at IS NULL AND EXISTS (SELECT 1 FROM key_marks k \
                     WHERE k.channel_id = e.channel_id AND k.ts = e.ts))) \
                 ORDER BY e.incident_id, e.at, e.id",
                placeholders(1, ids.len())
            ));
            let rows: Vec<ReportEntry> = on_conn!(self.conn(), c => {
                let mut q = sqlx::query_as(sql);
                for id in ids {
                    q = q.bind(*id);
                }
                for kind in system_kinds {
                    q = q.bind(*kind);
                }
                q.fetch_all(c).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_number_on_from_the_first() {
        assert_eq!(placeholders(1, 3), "$1, $2, $3");
        assert_eq!(placeholders(4, 2), "$4, $5");
    }
}
