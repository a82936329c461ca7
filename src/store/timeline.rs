//! Timeline entries and the Slack event ids already handled. Idempotency lives in the
//! schema: `UNIQUE (channel_id, ts)` for messages, the `slack_events` key for events.

use super::{StoreError, StoreResult, Tx, on_conn};
use crate::domain::{EntryKind, EntrySource, FileRef, TextVersion, TimelineEntry};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

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

/// A stored entry as read back; the dashboard's paged reads reuse it.
#[derive(sqlx::FromRow)]
pub(super) struct EntryRow {
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
    marked_key: bool,
    source: String,
    author_nick: Option<String>,
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
        let source = EntrySource::parse(&r.source)
            .ok_or_else(|| StoreError::Corrupt(format!("entry source `{}`", r.source)))?;
        Ok(TimelineEntry {
            incident_id: r.incident_id,
            at: r.at,
            kind,
            author_id: r.author_id,
            text: r.text,
            ts: r.ts,
            thread_ts: r.thread_ts,
            previous_text: r.previous_text,
            versions: Vec::new(),
            edited_at: r.edited_at,
            deleted_at: r.deleted_at,
            files,
            marked_key: r.marked_key,
            source,
            author_nick: r.author_nick,
        })
    }
}

fn files_json(files: &[FileRef]) -> String {
    serde_json::to_string(files).unwrap_or_else(|_| "[]".to_string())
}

/// What a write does to the message at its `(channel, ts)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new message. A second delivery of the same `(channel, ts)` changes nothing.
    New,
    /// An edit made at this time. Keeps the text it replaces; if the original never
    /// reached us (an edit can overtake it), the message is stored as it now stands.
    /// Edits can arrive out of order; only a newer one replaces the text.
    Edit(DateTime<Utc>),
    /// A delete made at this time. The entry stays, marked deleted, so the record keeps
    /// what was said; a delete for a message we never saw stores it as it stood.
    Delete(DateTime<Utc>),
}

impl Change {
    /// The extra column the change stamps, and what it does on a `(channel, ts)` clash.
    fn upsert(self) -> (Option<&'static str>, &'static str) {
        match self {
            Change::New => (None, "DO NOTHING"),
            Change::Edit(_) => (
                Some("edited_at"),
                "DO UPDATE SET previous_text = timeline_entries.text, text = excluded.text, \
                 edited_at = excluded.edited_at, files = excluded.files \
                 WHERE (timeline_entries.edited_at IS NULL OR timeline_entries.edited_at < excluded.edited_at) \
                 AND (timeline_entries.text <> excluded.text OR timeline_entries.files <> excluded.files)",
            ),
            Change::Delete(_) => (
                Some("deleted_at"),
                "DO UPDATE SET deleted_at = excluded.deleted_at WHERE timeline_entries.deleted_at IS NULL",
            ),
        }
    }

    fn stamp(self) -> Option<DateTime<Utc>> {
        match self {
            Change::New => None,
            Change::Edit(at) | Change::Delete(at) => Some(at),
        }
    }

    /// Which of the three kinds this is, as an index.
    fn slot(self) -> usize {
        match self {
            Change::New => 0,
            Change::Edit(_) => 1,
            Change::Delete(_) => 2,
        }
    }
}

/// Rows per multi-row statement: far below either backend's bind-parameter limit.
const ROWS_PER_STATEMENT: usize = 256;

impl Tx {
    /// Marks a Slack event id as handled. `false` means it was handled before.
    pub async fn record_event(&mut self, event_id: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        Ok(!self.record_events(&[event_id], at).await?.is_empty())
    }

    /// Marks many event ids as handled in one statement; returns those that were new.
    pub async fn record_events(
        &mut self,
        event_ids: &[&str],
        at: DateTime<Utc>,
    ) -> StoreResult<HashSet<String>> {
        let mut fresh = HashSet::new();
        let mut unique: Vec<&str> = Vec::with_capacity(event_ids.len());
        let mut seen = HashSet::new();
        unique.extend(event_ids.iter().filter(|id| seen.insert(**id)));
        for chunk in unique.chunks(ROWS_PER_STATEMENT) {
            let values = (0..chunk.len())
                .map(|i| format!("(${}, $1)", i + 2))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = sqlx::AssertSqlSafe(format!(
                "INSERT INTO slack_events (event_id, received_at) VALUES {values} \
                 ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
            ));
            let single = chunk.len() == 1;
            let ids: Vec<String> = on_conn!(self.conn(), c => {
                let mut q = sqlx::query_scalar(sql).persistent(single).bind(at);
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(c).await?
            });
            fresh.extend(ids);
        }
        Ok(fresh)
    }

    /// Records a delivery (a Socket Mode envelope, as `envelope:<id>`) with the answer
    /// it got. `false` when it was recorded before.
    pub async fn record_delivery(&mut self, key: &str, answer: Option<&str>) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO slack_events (event_id, received_at, answer) VALUES ($1, $2, $3) \
             ON CONFLICT (event_id) DO NOTHING";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(key).bind(Utc::now()).bind(answer).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// `Some(answer)` when the delivery was recorded (the answer `None`: answered empty).
    pub async fn delivery_answer(&mut self, key: &str) -> StoreResult<Option<Option<String>>> {
        const SQL: &str = "SELECT answer FROM slack_events WHERE event_id = $1";
        let row: Option<(Option<String>,)> =
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(key).fetch_optional(c).await?);
        Ok(row.map(|(answer,)| answer))
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

    /// A new message; see [`Change::New`].
    pub async fn insert_message(&mut self, m: &MessageWrite<'_>) -> StoreResult<Ingested> {
        self.write_one(m, Change::New).await
    }

    /// An edit; see [`Change::Edit`].
    pub async fn apply_edit(
        &mut self,
        m: &MessageWrite<'_>,
        edited_at: DateTime<Utc>,
    ) -> StoreResult<Ingested> {
        self.write_one(m, Change::Edit(edited_at)).await
    }

    /// A delete; see [`Change::Delete`].
    pub async fn apply_delete(
        &mut self,
        m: &MessageWrite<'_>,
        deleted_at: DateTime<Utc>,
    ) -> StoreResult<Ingested> {
        self.write_one(m, Change::Delete(deleted_at)).await
    }

    async fn write_one(&mut self, m: &MessageWrite<'_>, change: Change) -> StoreResult<Ingested> {
        let mut done = self.write_messages(&[(m.clone(), change)]).await?;
        done.pop()
            .ok_or_else(|| StoreError::Corrupt("a write went unanswered".into()))
    }

    /// Applies `writes` as if one after another, in few statements, and reports for
    /// each whether it changed anything. Writes to different messages do not depend on
    /// each other, so a run of them with no message twice goes out as one multi-row
    /// statement per kind of change; a message seen again starts the next run.
    pub async fn write_messages(
        &mut self,
        writes: &[(MessageWrite<'_>, Change)],
    ) -> StoreResult<Vec<Ingested>> {
        let mut outcomes = vec![Ingested::Duplicate; writes.len()];
        let mut run: Vec<usize> = Vec::new();
        let mut keys = HashSet::new();
        for (i, (m, _)) in writes.iter().enumerate() {
            if !keys.insert((m.channel_id, m.ts)) || run.len() == ROWS_PER_STATEMENT {
                self.write_run(writes, &run, &mut outcomes).await?;
                run.clear();
                keys.clear();
                keys.insert((m.channel_id, m.ts));
            }
            run.push(i);
        }
        self.write_run(writes, &run, &mut outcomes).await?;
        Ok(outcomes)
    }

    /// Writes `run` (indexes into `writes`, no message twice): one statement per kind.
    async fn write_run(
        &mut self,
        writes: &[(MessageWrite<'_>, Change)],
        run: &[usize],
        outcomes: &mut [Ingested],
    ) -> StoreResult<()> {
        let mut by_kind: [Vec<usize>; 3] = Default::default();
        for &i in run {
            by_kind[writes[i].1.slot()].push(i);
        }
        if !by_kind[1].is_empty() {
            self.record_versions(writes, &by_kind[1]).await?;
        }
        for rows in by_kind.iter().filter(|rows| !rows.is_empty()) {
            let written = self.upsert(writes, rows, writes[rows[0]].1).await?;
            for &i in rows {
                let m = &writes[i].0;
                if written.contains(&(m.channel_id.to_string(), m.ts.to_string())) {
                    outcomes[i] = Ingested::Stored;
                }
            }
        }
        Ok(())
    }

    /// Keeps every version of the messages `rows` edit (edits, no message twice): the
    /// text each has now, at the time it was written, and the edit's own text at the
    /// edit's time. Keyed by time, so a late or repeated edit adds nothing twice.
    async fn record_versions(
        &mut self,
        writes: &[(MessageWrite<'_>, Change)],
        rows: &[usize],
    ) -> StoreResult<()> {
        let keys = (0..rows.len())
            .map(|r| format!("(${}, ${})", 2 * r + 1, 2 * r + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let current = sqlx::AssertSqlSafe(format!(
            "INSERT INTO timeline_versions (channel_id, ts, text, at) \
             SELECT channel_id, ts, text, COALESCE(edited_at, at) FROM timeline_entries \
             WHERE (channel_id, ts) IN (VALUES {keys}) ON CONFLICT DO NOTHING"
        ));
        let values = (0..rows.len())
            .map(|r| {
                let p: Vec<String> = (1..=4).map(|k| format!("${}", r * 4 + k)).collect();
                format!("({})", p.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let edits = sqlx::AssertSqlSafe(format!(
            "INSERT INTO timeline_versions (channel_id, ts, text, at) VALUES {values} \
             ON CONFLICT DO NOTHING"
        ));
        let single = rows.len() == 1;
        on_conn!(self.conn(), c => {
            let mut q = sqlx::query(current).persistent(single);
            for &i in rows {
                q = q.bind(writes[i].0.channel_id).bind(writes[i].0.ts);
            }
            q.execute(&mut *c).await?;
            let mut q = sqlx::query(edits).persistent(single);
            for &i in rows {
                let (m, change) = &writes[i];
                q = q.bind(m.channel_id).bind(m.ts).bind(m.text).bind(change.stamp());
            }
            q.execute(&mut *c).await?;
        });
        Ok(())
    }

    /// One multi-row `INSERT … ON CONFLICT` for `rows` (all of one kind, `kind` being
    /// any of them; no message twice); returns the `(channel, ts)` of the rows it inserted or changed.
    async fn upsert(
        &mut self,
        writes: &[(MessageWrite<'_>, Change)],
        rows: &[usize],
        kind: Change,
    ) -> StoreResult<HashSet<(String, String)>> {
        let (column, on_conflict) = kind.upsert();
        let width = if column.is_some() { 9 } else { 8 };
        let values = (0..rows.len())
            .map(|r| {
                let p: Vec<String> = (1..=width).map(|k| format!("${}", r * width + k)).collect();
                let (head, tail) = p.split_at(2);
                format!("({}, 'message', {})", head.join(", "), tail.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ");
        let column = column.map(|c| format!(", {c}")).unwrap_or_default();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO timeline_entries (incident_id, at, kind, author_id, text, channel_id, ts, thread_ts, files{column}) \
             VALUES {values} ON CONFLICT (channel_id, ts) {on_conflict} RETURNING channel_id, ts"
        ));
        let single = rows.len() == 1;
        let written: Vec<(String, String)> = on_conn!(self.conn(), c => {
            let mut q = sqlx::query_as(sql).persistent(single);
            for &i in rows {
                let (m, change) = &writes[i];
                q = q
                    .bind(m.incident_id)
                    .bind(m.at)
                    .bind(m.author_id)
                    .bind(m.text)
                    .bind(m.channel_id)
                    .bind(m.ts)
                    .bind(m.thread_ts)
                    .bind(files_json(m.files));
                if let Some(at) = change.stamp() {
                    q = q.bind(at);
                }
            }
            q.fetch_all(c).await?
        });
        Ok(written.into_iter().collect())
    }

    /// The whole timeline, in time order (ties broken by arrival).
    pub async fn entries(&mut self, incident_id: i64) -> StoreResult<Vec<TimelineEntry>> {
        const SQL: &str = "SELECT incident_id, at, kind, system_event, author_id, text, ts, thread_ts, previous_text, \
             edited_at, deleted_at, files, source, author_nick, EXISTS (SELECT 1 FROM key_marks k \
             WHERE k.channel_id = timeline_entries.channel_id AND k.ts = timeline_entries.ts) AS marked_key \
             FROM timeline_entries WHERE incident_id = $1 ORDER BY at, id";
        const VERSIONS: &str = "SELECT v.ts, v.text, v.at FROM timeline_versions v \
             JOIN timeline_entries e ON e.channel_id = v.channel_id AND e.ts = v.ts \
             WHERE e.incident_id = $1 AND e.edited_at IS NOT NULL";
        let rows: Vec<EntryRow> =
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_all(c).await?);
        let versions: Vec<(String, String, DateTime<Utc>)> = on_conn!(self.conn(), c => sqlx::query_as(VERSIONS).bind(incident_id).fetch_all(c).await?);
        let mut by_ts: HashMap<String, Vec<TextVersion>> = HashMap::new();
        for (ts, text, at) in versions {
            by_ts.entry(ts).or_default().push(TextVersion { at, text });
        }
        let mut entries = rows
            .into_iter()
            .map(TimelineEntry::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        for entry in &mut entries {
            let (Some(ts), Some(edited_at)) = (&entry.ts, entry.edited_at) else {
                continue;
            };
            let Some(mut earlier) = by_ts.remove(ts) else {
                continue;
            };
            // The current text is the version written at the latest edit.
            earlier.retain(|v| v.at < edited_at);
            earlier.sort_by_key(|v| v.at);
            entry.versions = earlier;
        }
        Ok(entries)
    }

    /// The newest Slack message `ts` stored for an incident: where backfill starts
    /// (IRC lines have keys of their own, not Slack's).
    pub async fn latest_message_ts(&mut self, incident_id: i64) -> StoreResult<Option<String>> {
        // Slack ts values have a fixed width until the year 2286, so text order is time order.
        const SQL: &str = "SELECT MAX(ts) FROM timeline_entries \
             WHERE incident_id = $1 AND kind = 'message' AND source = 'slack'";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_one(c).await?),
        )
    }

    /// How many replies each thread has in the timeline, by its parent's ts: where
    /// backfill compares with Slack's `reply_count` to find a missed reply.
    pub async fn reply_counts(&mut self, incident_id: i64) -> StoreResult<HashMap<String, i64>> {
        const SQL: &str = "SELECT thread_ts, COUNT(*) FROM timeline_entries \
             WHERE incident_id = $1 AND kind = 'message' AND source = 'slack' \
             AND thread_ts IS NOT NULL AND thread_ts <> ts \
             GROUP BY thread_ts";
        let rows: Vec<(String, i64)> =
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_all(c).await?);
        Ok(rows.into_iter().collect())
    }

    /// Whether the message at `(channel, ts)` is in a timeline.
    pub async fn has_message(&mut self, channel_id: &str, ts: &str) -> StoreResult<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM timeline_entries WHERE channel_id = $1 AND ts = $2";
        let n: i64 = on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(channel_id).bind(ts).fetch_one(c).await?);
        Ok(n > 0)
    }

    /// Everyone who wrote or acted in the incident, for name lookups.
    pub async fn participants(&mut self, incident_id: i64) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT DISTINCT author_id FROM timeline_entries WHERE incident_id = $1 AND author_id IS NOT NULL";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_all(c).await?),
        )
    }
}
