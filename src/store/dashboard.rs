//! What the web dashboard reads: incidents filtered and a page at a time, one
//! incident's timeline a page at a time, its key events, and the few columns the
//! trends need. Every list is read by keyset (the last row's sort key, never an
//! OFFSET) with a LIMIT, so a page costs the same on the first page and the last, with
//! 10,000 incidents or 100,000 timeline entries.

use super::timeline::EntryRow;
use super::{StoreError, StoreResult, Tx, on_conn};
use crate::domain::{KEY_SYSTEM_KINDS, Severity, Status, TimelineEntry};
use chrono::{DateTime, Utc};

/// Which incidents a list shows. Every field narrows; `None` does not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub status: Option<StatusFilter>,
    pub severity: Option<Severity>,
    /// Declared at or after.
    pub from: Option<DateTime<Utc>>,
    /// Declared before.
    pub until: Option<DateTime<Utc>>,
    /// Incidents of private war rooms too.
    pub include_private: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Any status but closed.
    Open,
    Is(Status),
}

/// A row's place in its list: its time and, to break ties, its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: i64,
}

/// Where a page starts, in the list's own display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seek {
    /// The first page.
    First,
    /// The page of rows shown right after this one.
    After(Cursor),
    /// The page of rows shown right before this one.
    Before(Cursor),
    /// The last page.
    Last,
}

/// A page of rows in display order, and whether more lie beyond it in the direction
/// it was read (after it for `First`/`After`, before it for `Before`/`Last`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub more: bool,
}

/// A timeline entry with its row id, which pages are keyed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedEntry {
    pub id: i64,
    pub entry: TimelineEntry,
}

impl NumberedEntry {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.entry.at,
            id: self.id,
        }
    }
}

/// What the trends need of one incident: when it was declared, and how long it took
/// to be acknowledged and resolved (whole seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendRow {
    pub declared_at: DateTime<Utc>,
    pub severity: i64,
    /// From the declare to the earliest acknowledgement of any of its pages; `None`
    /// when none was acknowledged.
    pub ack_secs: Option<i64>,
    /// From the declare to its resolve, else its close; `None` while it is open.
    pub resolve_secs: Option<i64>,
}

/// [`TrendRow`] as read: numbers only, computed by the database, because decoding
/// 10,000 rows of timestamps is most of the cost of the trends page.
#[derive(sqlx::FromRow)]
struct TrendNumbers {
    declared: i64,
    severity: i64,
    ack_secs: Option<i64>,
    resolve_secs: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct NumberedRow {
    id: i64,
    #[sqlx(flatten)]
    entry: EntryRow,
}

const ENTRY_COLUMNS: &str = "e.id, e.incident_id, e.at, e.kind, e.system_event, e.author_id, e.text, e.ts, \
     e.thread_ts, e.previous_text, e.edited_at, e.deleted_at, e.files, e.source, e.author_nick";

/// The SQL that orders and bounds a keyset page over `at_col, id_col`; `ascending`
/// is the list's display order. Returns the condition (binding `$n`, `$n+1`), the
/// ORDER BY, and whether the rows come back reversed from display order.
fn keyset(
    seek: Seek,
    at_col: &str,
    id_col: &str,
    ascending: bool,
    n: usize,
) -> (Option<String>, String, bool) {
    let (forward, backward) = if ascending {
        ("ASC", "DESC")
    } else {
        ("DESC", "ASC")
    };
    let (shown_after, shown_before) = if ascending { (">", "<") } else { ("<", ">") };
    let p = format!("${n}, ${}", n + 1);
    let order = |dir: &str| format!("ORDER BY {at_col} {dir}, {id_col} {dir}");
    match seek {
        Seek::First => (None, order(forward), false),
        Seek::Last => (None, order(backward), true),
        Seek::After(_) => (
            Some(format!("({at_col}, {id_col}) {shown_after} ({p})")),
            order(forward),
            false,
        ),
        Seek::Before(_) => (
            Some(format!("({at_col}, {id_col}) {shown_before} ({p})")),
            order(backward),
            true,
        ),
    }
}

fn seek_cursor(seek: Seek) -> Option<Cursor> {
    match seek {
        Seek::After(c) | Seek::Before(c) => Some(c),
        Seek::First | Seek::Last => None,
    }
}

/// The conditions of `f` (binding from `$1`), and the values to bind, in order.
fn filter_sql(f: &IncidentFilter) -> (Vec<String>, Vec<Bind>) {
    let mut conds = Vec::new();
    let mut binds = Vec::new();
    let next = |b: Bind, binds: &mut Vec<Bind>| {
        binds.push(b);
        format!("${}", binds.len())
    };
    if !f.include_private {
        conds.push("NOT private".to_string());
    }
    match f.status {
        Some(StatusFilter::Open) => conds.push("status <> 'closed'".into()),
        Some(StatusFilter::Is(s)) => {
            let p = next(Bind::Text(s.as_str()), &mut binds);
            conds.push(format!("status = {p}"));
        }
        None => {}
    }
    if let Some(sev) = f.severity {
        let p = next(Bind::Int(i64::from(sev.level())), &mut binds);
        conds.push(format!("severity = {p}"));
    }
    if let Some(from) = f.from {
        let p = next(Bind::Time(from), &mut binds);
        conds.push(format!("declared_at >= {p}"));
    }
    if let Some(until) = f.until {
        let p = next(Bind::Time(until), &mut binds);
        conds.push(format!("declared_at < {p}"));
    }
    (conds, binds)
}

enum Bind {
    Text(&'static str),
    Int(i64),
    Time(DateTime<Utc>),
}

/// Binds `$binds` then the cursor (if any) onto a query, on either backend.
macro_rules! bind_all {
    ($q:expr, $binds:expr, $cursor:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(*t),
                Bind::Int(i) => q.bind(*i),
                Bind::Time(t) => q.bind(*t),
            };
        }
        if let Some(c) = $cursor {
            q = q.bind(c.at).bind(c.id);
        }
        q
    }};
}

fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    }
}

/// Rows in display order, given rows read in `reversed` order, at most `limit` of
/// them (one more was read to learn whether there are more).
fn page_of<T>(mut rows: Vec<T>, limit: usize, reversed: bool) -> Paged<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    if reversed {
        rows.reverse();
    }
    Paged { rows, more }
}

impl Tx {
    /// A page of incidents matching `f`, newest declared first.
    pub async fn list_incidents(
        &mut self,
        f: &IncidentFilter,
        seek: Seek,
        limit: usize,
    ) -> StoreResult<Paged<crate::domain::Incident>> {
        let (mut conds, binds) = filter_sql(f);
        let (cond, order, reversed) = keyset(seek, "declared_at", "id", false, binds.len() + 1);
        conds.extend(cond);
        let sql = sqlx::AssertSqlSafe(format!(
            "{} {} {order} LIMIT {}",
            super::incidents::select_sql(""),
            where_clause(&conds),
            limit + 1
        ));
        let cursor = seek_cursor(seek);
        let rows: Vec<super::incidents::IncidentRow> = on_conn!(self.conn(), c => {
            bind_all!(sqlx::query_as(sql), &binds, cursor).fetch_all(c).await?
        });
        let incidents = rows
            .into_iter()
            .map(crate::domain::Incident::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page_of(incidents, limit, reversed))
    }

    /// How many incidents match `f`.
    pub async fn count_incidents(&mut self, f: &IncidentFilter) -> StoreResult<i64> {
        let (conds, binds) = filter_sql(f);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM incidents {}",
            where_clause(&conds)
        ));
        let none: Option<Cursor> = None;
        Ok(on_conn!(self.conn(), c => {
            bind_all!(sqlx::query_scalar(sql), &binds, none).fetch_one(c).await?
        }))
    }

    /// Whether incident `id` ran in a private war room; `None` when there is none.
    pub async fn incident_is_private(&mut self, id: i64) -> StoreResult<Option<bool>> {
        const SQL: &str = "SELECT private FROM incidents WHERE id = $1";
        Ok(on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(id).fetch_optional(c).await?))
    }

    /// A page of an incident's timeline, in time order (ties by arrival).
    pub async fn timeline_page(
        &mut self,
        incident_id: i64,
        seek: Seek,
        limit: usize,
    ) -> StoreResult<Paged<NumberedEntry>> {
        let (cond, order, reversed) = keyset(seek, "e.at", "e.id", true, 2);
        let cond = cond.map(|c| format!("AND {c}")).unwrap_or_default();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS}, EXISTS (SELECT 1 FROM key_marks k \
             WHERE k.channel_id = e.channel_id AND k.ts = e.ts) AS marked_key \
             FROM timeline_entries e WHERE e.incident_id = $1 {cond} {order} LIMIT {}",
            limit + 1
        ));
        let cursor = seek_cursor(seek);
        let none: [Bind; 0] = [];
        let rows: Vec<NumberedRow> = on_conn!(self.conn(), c => {
            bind_all!(sqlx::query_as(sql).bind(incident_id), &none, cursor).fetch_all(c).await?
        });
        let entries = rows
            .into_iter()
            .map(|r| {
                Ok(NumberedEntry {
                    id: r.id,
                    entry: TimelineEntry::try_from(r.entry)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(page_of(entries, limit, reversed))
    }

    /// How many entries an incident's timeline holds.
    pub async fn timeline_len(&mut self, incident_id: i64) -> StoreResult<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM timeline_entries WHERE incident_id = $1";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_one(c).await?),
        )
    }

    /// The first `limit` key events of an incident in time order: system entries of
    /// [`KEY_SYSTEM_KINDS`] and messages marked with a 📌 or a pin. Two reads, each
    /// through its own index (the system-event index; the incident's marks), with no
    /// ORDER BY that would tempt the planner to walk the whole timeline in time
    /// order; they are merged here. An incident has few key events.
    ///
    /// The incident is checked on the outer row, never beside the join on `(channel,
    /// ts)`: PostgreSQL's generic plan of a prepared statement (from its sixth run)
    /// guesses an incident's rows and its channel's rows from the averages (about 25
    /// each), and with both conditions on the joined table it chose to intersect the
    /// two whole indexes once per mark: 11 s for a war room of 100,000 entries and 200
    /// marks. Here each mark is one lookup by the unique `(channel, ts)` key, then
    /// one by id; the unary `+` keeps both planners from walking the incident's
    /// whole timeline index to test membership instead (SQLite did, without it).
    pub async fn key_events(
        &mut self,
        incident_id: i64,
        limit: usize,
    ) -> StoreResult<Paged<NumberedEntry>> {
        let kinds = KEY_SYSTEM_KINDS
            .iter()
            .map(|k| format!("'{k}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let system = sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS}, FALSE AS marked_key FROM timeline_entries e \
             WHERE e.incident_id = $1 AND e.kind = 'system' AND e.system_event IN ({kinds})"
        ));
        let marked = sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS}, TRUE AS marked_key FROM timeline_entries e \
             WHERE +e.incident_id = $1 AND e.id IN (SELECT m.id FROM key_marks k \
             JOIN timeline_entries m ON m.channel_id = k.channel_id AND m.ts = k.ts \
             WHERE k.channel_id = (SELECT channel_id FROM incidents WHERE id = $1))"
        ));
        let mut rows: Vec<NumberedRow> = on_conn!(self.conn(), c => {
            sqlx::query_as(system).bind(incident_id).fetch_all(&mut *c).await?
        });
        let marked_rows: Vec<NumberedRow> = on_conn!(self.conn(), c => {
            sqlx::query_as(marked).bind(incident_id).fetch_all(c).await?
        });
        rows.extend(marked_rows);
        let mut entries = rows
            .into_iter()
            .map(|r| {
                Ok(NumberedEntry {
                    id: r.id,
                    entry: TimelineEntry::try_from(r.entry)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        entries.sort_by_key(|e| (e.entry.at, e.id));
        Ok(page_of(entries, limit, false))
    }

    /// What the trends need of every real incident declared in `[from, until)`,
    /// private ones included (the trends show counts and durations, never which
    /// incident). Drills are left out: practice is not how often things break, nor
    /// how fast the team answers when they do.
    pub async fn trend_rows(
        &mut self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Vec<TrendRow>> {
        const FIRST_ACK: &str = "(SELECT MIN(p.acked_at) FROM pages p WHERE p.incident_id = i.id)";
        const ENDED: &str = "COALESCE(i.resolved_at, i.closed_at)";
        const WINDOW: &str =
            "FROM incidents i WHERE i.declared_at >= $1 AND i.declared_at < $2 AND NOT i.drill";
        // Seconds since the epoch, and between two times, in each dialect.
        let rows: Vec<TrendNumbers> = if self.is_postgres() {
            let since = |t: &str| format!("EXTRACT(EPOCH FROM ({t} - i.declared_at))::BIGINT");
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT EXTRACT(EPOCH FROM i.declared_at)::BIGINT AS declared, i.severity, \
                 {} AS ack_secs, {} AS resolve_secs {WINDOW}",
                since(FIRST_ACK),
                since(ENDED)
            ));
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(from).bind(until).fetch_all(c).await?)
        } else {
            // One row holding every incident's four numbers as a JSON array: sqlx's
            // SQLite driver hands each row from its worker thread to the task through
            // a channel, a wake-up per row, which cost more than the query itself
            // for the 5,000 rows of a year.
            let since = |t: &str| {
                format!(
                    "CAST(ROUND((julianday({t}) - julianday(i.declared_at)) * 86400.0) AS INTEGER)"
                )
            };
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT json_group_array(json_array(unixepoch(i.declared_at), i.severity, {}, {})) \
                 {WINDOW}",
                since(FIRST_ACK),
                since(ENDED)
            ));
            let json: String = on_conn!(self.conn(), c => sqlx::query_scalar(sql).bind(from).bind(until).fetch_one(c).await?);
            let numbers: Vec<(i64, i64, Option<i64>, Option<i64>)> = serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("trend numbers: {e}")))?;
            numbers
                .into_iter()
                .map(
                    |(declared, severity, ack_secs, resolve_secs)| TrendNumbers {
                        declared,
                        severity,
                        ack_secs,
                        resolve_secs,
                    },
                )
                .collect()
        };
        rows.into_iter()
            .map(|r| {
                let declared_at = DateTime::from_timestamp(r.declared, 0).ok_or_else(|| {
                    StoreError::Corrupt(format!("declared_at {} is out of range", r.declared))
                })?;
                Ok(TrendRow {
                    declared_at,
                    severity: r.severity,
                    ack_secs: r.ack_secs,
                    resolve_secs: r.resolve_secs,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_read_backwards_is_shown_in_display_order() {
        let page = page_of(vec![5, 4, 3], 2, true);
        assert_eq!(
            page,
            Paged {
                rows: vec![4, 5],
                more: true
            }
        );
        let page = page_of(vec![1, 2], 2, false);
        assert_eq!(
            page,
            Paged {
                rows: vec![1, 2],
                more: false
            }
        );
    }

    #[test]
    fn newest_first_lists_page_on_to_older_rows() {
        let c = Cursor {
            at: Utc::now(),
            id: 1,
        };
        let (cond, order, reversed) = keyset(Seek::After(c), "declared_at", "id", false, 3);
        assert_eq!(cond.as_deref(), Some("(declared_at, id) < ($3, $4)"));
        assert_eq!(order, "ORDER BY declared_at DESC, id DESC");
        assert!(!reversed);
        let (cond, order, reversed) = keyset(Seek::Before(c), "e.at", "e.id", true, 2);
        assert_eq!(cond.as_deref(), Some("(e.at, e.id) < ($2, $3)"));
        assert_eq!(order, "ORDER BY e.at DESC, e.id DESC");
        assert!(reversed);
    }
}
