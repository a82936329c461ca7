//! Timeline entries and the Slack event ids already handled. Idempotency lives in the
//! schema: `UNIQUE (channel_id, ts)` for messages, the `slack_events` key for events.

use super::{StoreError, StoreResult, Tx, on_conn};
use crate::domain::{EntryKind, FileRef, TimelineEntry};
use chrono::{DateTime, Utc};

/// Whether a write changed anything, so callers can tell a redelivery from news.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    Stored,
    Duplicate,
}

/// A message as it should stand in the timeline.
#[derive(Debug, Clone)]
pub struct MessageWrite<'a> {
    pub incident_id: i64,
    pub channel_id: &'a str,
    pub ts: &'a str,
    pub thread_ts: Option<&'a str>,
    pub author_id: Option<&'a str>,
    pub text: &'a str,
    pub files: &'a [FileRef],
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    incident_id: i64,
    at: DateTime<Utc>,
    kind: String,
    system_event: Option<String>,
    author_id: Option<String>,
    text: String,
    ts: Option<String>,
    thread_ts: Option<String>,
    previous_text: Option<String>,
    edited_at: Option<DateTime<Utc>>,
    deleted_at: Option<DateTime<Utc>>,
    files: String,
}

impl TryFrom<EntryRow> for TimelineEntry {
    type Error = StoreError;

    fn try_from(r: EntryRow) -> Result<Self, StoreError> {
        let kind = match (r.kind.as_str(), r.system_event) {
            ("system", Some(event)) => EntryKind::System(event),
            ("message", _) => EntryKind::Message,
            (other, _) => return Err(StoreError::Corrupt(format!("entry kind `{other}`"))),
        };
        let files = serde_json::from_str(&r.files)
            .map_err(|e| StoreError::Corrupt(format!("entry files: {e}")))?;
        Ok(TimelineEntry {
            incident_id: r.incident_id,
            at: r.at,
            kind,
            author_id: r.author_id,
            text: r.text,
            ts: r.ts,
            thread_ts: r.thread_ts,
            previous_text: r.previous_text,
            edited_at: r.edited_at,
            deleted_at: r.deleted_at,
            files,
        })
    }
}

fn files_json(files: &[FileRef]) -> String {
    serde_json::to_string(files).unwrap_or_else(|_| "[]".to_string())
}

impl Tx {
    /// Marks a Slack event id as handled. `false` means it was handled before.
    pub async fn record_event(&mut self, event_id: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO slack_events (event_id, received_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING";
        let done = on_conn!(self.conn(), c => sqlx::query(SQL).bind(event_id).bind(at).execute(c).await?.rows_affected());
        Ok(done == 1)
    }

    pub async fn insert_system_entry(&mut self, e: &TimelineEntry) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO timeline_entries (incident_id, at, kind, system_event, author_id, text) \
             VALUES ($1, $2, 'system', $3, $4, $5)";
        let event = match &e.kind {
            EntryKind::System(event) => event.as_str(),
            EntryKind::Message => {
                return Err(StoreError::Corrupt(
                    "a message passed as a system entry".into(),
                ));
            }
        };
        on_conn!(self.conn(), c => sqlx::query(SQL)
            .bind(e.incident_id)
            .bind(e.at)
            .bind(event)
            .bind(&e.author_id)
            .bind(&e.text)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// A new message. A second delivery of the same `(channel, ts)` changes nothing.
    pub async fn insert_message(&mut self, m: &MessageWrite<'_>) -> StoreResult<Ingested> {
        self.write_message(m, None, "DO NOTHING").await
    }

    /// An edit. Keeps the text it replaces; if the original never reached us (an edit
    /// can overtake it), the edited message is stored as it now stands. Edits can
    /// arrive out of order; only a newer one replaces the text.
    pub async fn apply_edit(
        &mut self,
        m: &MessageWrite<'_>,
        edited_at: DateTime<Utc>,
    ) -> StoreResult<Ingested> {
        let on_conflict = "DO UPDATE SET previous_text = timeline_entries.text, text = excluded.text, \
             edited_at = excluded.edited_at, files = excluded.files \
             WHERE (timeline_entries.edited_at IS NULL OR timeline_entries.edited_at < excluded.edited_at) \
             AND (timeline_entries.text <> excluded.text OR timeline_entries.files <> excluded.files)";
        self.write_message(m, Some(("edited_at", edited_at)), on_conflict)
            .await
    }

    /// A delete. The entry stays, marked deleted, so the record keeps what was said;
    /// a delete for a message we never saw stores it from `previous_message`.
    pub async fn apply_delete(
        &mut self,
        m: &MessageWrite<'_>,
        deleted_at: DateTime<Utc>,
    ) -> StoreResult<Ingested> {
        let on_conflict = "DO UPDATE SET deleted_at = excluded.deleted_at WHERE timeline_entries.deleted_at IS NULL";
        self.write_message(m, Some(("deleted_at", deleted_at)), on_conflict)
            .await
    }

    /// Inserts `m` (with one extra timestamp column, if any); on a `(channel, ts)`
    /// clash does `on_conflict`. Reports whether a row was written.
    async fn write_message(
        &mut self,
        m: &MessageWrite<'_>,
        extra: Option<(&'static str, DateTime<Utc>)>,
        on_conflict: &'static str,
    ) -> StoreResult<Ingested> {
        let (column, value) = match extra {
            Some((column, at)) => (format!(", {column}"), Some(at)),
            None => (String::new(), None),
        };
        let placeholder = if value.is_some() { ", $9" } else { "" };
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO timeline_entries (incident_id, at, kind, author_id, text, channel_id, ts, thread_ts, files{column}) \
             VALUES ($1, $2, 'message', $3, $4, $5, $6, $7, $8{placeholder}) ON CONFLICT (channel_id, ts) {on_conflict}"
        ));
        let n = on_conn!(self.conn(), c => {
            let q = sqlx::query(sql)
                .bind(m.incident_id)
                .bind(m.at)
                .bind(m.author_id)
                .bind(m.text)
                .bind(m.channel_id)
                .bind(m.ts)
                .bind(m.thread_ts)
                .bind(files_json(m.files));
            match value {
                Some(at) => q.bind(at).execute(c).await?.rows_affected(),
                None => q.execute(c).await?.rows_affected(),
            }
        });
        Ok(if n == 1 {
            Ingested::Stored
        } else {
            Ingested::Duplicate
        })
    }

    /// The whole timeline, in time order (ties broken by arrival).
    pub async fn entries(&mut self, incident_id: i64) -> StoreResult<Vec<TimelineEntry>> {
        const SQL: &str = "SELECT incident_id, at, kind, system_event, author_id, text, ts, thread_ts, previous_text, \
             edited_at, deleted_at, files FROM timeline_entries WHERE incident_id = $1 ORDER BY at, id";
        let rows: Vec<EntryRow> =
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_all(c).await?);
        rows.into_iter().map(TimelineEntry::try_from).collect()
    }

    /// The newest message `ts` stored for an incident: where backfill starts.
    pub async fn latest_message_ts(&mut self, incident_id: i64) -> StoreResult<Option<String>> {
        // Slack ts values have a fixed width until the year 2286, so text order is time order.
        const SQL: &str =
            "SELECT MAX(ts) FROM timeline_entries WHERE incident_id = $1 AND kind = 'message'";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_one(c).await?),
        )
    }

    /// Everyone who wrote or acted in the incident, for name lookups.
    pub async fn participants(&mut self, incident_id: i64) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT DISTINCT author_id FROM timeline_entries WHERE incident_id = $1 AND author_id IS NOT NULL";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_all(c).await?),
        )
    }
}
