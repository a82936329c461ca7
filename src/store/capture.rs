//! What the team captures for the postmortem: impact statements, action items and the
//! marks (📌 reactions, pins) that make a message a key event. Items are numbered per
//! incident (`seq`) inside the caller's transaction, which holds the incident's lock.

use super::{StoreError, StoreResult, Tx, on_conn};
use crate::domain::{ActionItem, ActionStatus, ImpactCategory, ImpactStatement, NewActionItem};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(sqlx::FromRow)]
struct ImpactRow {
    incident_id: i64,
    seq: i64,
    category: Option<String>,
    text: String,
    author_id: String,
    added_at: DateTime<Utc>,
    removed_at: Option<DateTime<Utc>>,
}

impl TryFrom<ImpactRow> for ImpactStatement {
    type Error = StoreError;

    fn try_from(r: ImpactRow) -> Result<Self, StoreError> {
        let category = match r.category.as_deref() {
            None => None,
            Some(c) => Some(
                ImpactCategory::from_stored(c)
                    .ok_or_else(|| StoreError::Corrupt(format!("impact category `{c}`")))?,
            ),
        };
        Ok(ImpactStatement {
            incident_id: r.incident_id,
            seq: r.seq,
            category,
            text: r.text,
            author_id: r.author_id,
            added_at: r.added_at,
            removed_at: r.removed_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct ActionRow {
    id: i64,
    incident_id: i64,
    seq: i64,
    text: String,
    owner_id: Option<String>,
    due_date: Option<NaiveDate>,
    status: String,
    created_by: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    source_ts: Option<String>,
    issue_url: Option<String>,
}

impl TryFrom<ActionRow> for ActionItem {
    type Error = StoreError;

    fn try_from(r: ActionRow) -> Result<Self, StoreError> {
        Ok(ActionItem {
            id: r.id,
            incident_id: r.incident_id,
            seq: r.seq,
            text: r.text,
            owner_id: r.owner_id,
            due: r.due_date,
            status: ActionStatus::from_stored(&r.status)
                .ok_or_else(|| StoreError::Corrupt(format!("action status `{}`", r.status)))?,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            source_ts: r.source_ts,
            issue_url: r.issue_url,
        })
    }
}

const ACTION_COLUMNS: &str = "id, incident_id, seq, text, owner_id, due_date, status, created_by, \
     created_at, updated_at, source_ts, issue_url";

pub(super) fn select_actions(filter: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "SELECT {ACTION_COLUMNS} FROM action_items {filter}"
    ))
}

/// Where a key-event mark comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkSource {
    /// A 📌 reaction: one mark per person who added it.
    Reaction,
    /// A pin: one per message, whoever pinned it.
    Pin,
}

impl MarkSource {
    fn as_str(self) -> &'static str {
        match self {
            MarkSource::Reaction => "reaction",
            MarkSource::Pin => "pin",
        }
    }
}

/// An action item with the incident it belongs to, for lists across incidents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedAction {
    pub item: ActionItem,
    pub incident_title: String,
}

impl Tx {
    /// Adds an impact statement and returns its number within the incident.
    pub async fn add_impact(
        &mut self,
        incident_id: i64,
        category: Option<ImpactCategory>,
        text: &str,
        author_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO impact_statements (incident_id, seq, category, text, author_id, added_at) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM impact_statements WHERE incident_id = $1 \
             RETURNING seq";
        Ok(on_conn!(self.conn(), c => sqlx::query_scalar(SQL)
            .bind(incident_id)
            .bind(category.map(ImpactCategory::as_str))
            .bind(text)
            .bind(author_id)
            .bind(at)
            .fetch_one(c)
            .await?))
    }

    /// Every impact statement of an incident, withdrawn ones too, by number.
    pub async fn impacts(&mut self, incident_id: i64) -> StoreResult<Vec<ImpactStatement>> {
        const SQL: &str = "SELECT incident_id, seq, category, text, author_id, added_at, removed_at \
             FROM impact_statements WHERE incident_id = $1 ORDER BY seq";
        let rows: Vec<ImpactRow> =
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_all(c).await?);
        rows.into_iter().map(ImpactStatement::try_from).collect()
    }

    /// Withdraws statement `seq`; false when there is no such statement in force.
    pub async fn remove_impact(
        &mut self,
        incident_id: i64,
        seq: i64,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "UPDATE impact_statements SET removed_at = $3 \
             WHERE incident_id = $1 AND seq = $2 AND removed_at IS NULL";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(seq).bind(at).execute(c).await?.rows_affected());
        Ok(n > 0)
    }

    /// Adds an action item, numbered after the incident's last one.
    pub async fn add_action(&mut self, new: &NewActionItem) -> StoreResult<ActionItem> {
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO action_items (incident_id, seq, text, owner_id, due_date, status, created_by, \
             created_at, updated_at, source_ts) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, 'open', $5, $6, $6, $7 \
             FROM action_items WHERE incident_id = $1 RETURNING {ACTION_COLUMNS}"
        ));
        let row: ActionRow = on_conn!(self.conn(), c => sqlx::query_as(sql)
            .bind(new.incident_id)
            .bind(&new.text)
            .bind(&new.owner_id)
            .bind(new.due)
            .bind(&new.created_by)
            .bind(new.created_at)
            .bind(&new.source_ts)
            .fetch_one(c)
            .await?);
        row.try_into()
    }

    /// An incident's action items, by number.
    pub async fn actions(&mut self, incident_id: i64) -> StoreResult<Vec<ActionItem>> {
        let rows: Vec<ActionRow> = on_conn!(self.conn(), c => sqlx::query_as(select_actions("WHERE incident_id = $1 ORDER BY seq"))
            .bind(incident_id)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(ActionItem::try_from).collect()
    }

    /// Item `seq` of an incident.
    pub async fn action(&mut self, incident_id: i64, seq: i64) -> StoreResult<Option<ActionItem>> {
        let row: Option<ActionRow> = on_conn!(self.conn(), c => sqlx::query_as(select_actions("WHERE incident_id = $1 AND seq = $2"))
            .bind(incident_id)
            .bind(seq)
            .fetch_optional(c)
            .await?);
        row.map(ActionItem::try_from).transpose()
    }

    /// An item by its row id (the outbox refers to items this way).
    pub async fn action_by_id(&mut self, id: i64) -> StoreResult<Option<ActionItem>> {
        let row: Option<ActionRow> = on_conn!(self.conn(), c => sqlx::query_as(select_actions("WHERE id = $1"))
            .bind(id)
            .fetch_optional(c)
            .await?);
        row.map(ActionItem::try_from).transpose()
    }

    /// Writes back what a correction may change: text, owner, due date and status.
    pub async fn update_action(&mut self, item: &ActionItem) -> StoreResult<()> {
        const SQL: &str = "UPDATE action_items SET text = $2, owner_id = $3, due_date = $4, status = $5, \
             updated_at = $6 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL)
            .bind(item.id)
            .bind(&item.text)
            .bind(&item.owner_id)
            .bind(item.due)
            .bind(item.status.as_str())
            .bind(item.updated_at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Action items across incidents, newest incident first: all, or only open ones,
    /// or one owner's.
    pub async fn list_actions(
        &mut self,
        open_only: bool,
        owner: Option<&str>,
    ) -> StoreResult<Vec<ListedAction>> {
        const SQL: &str = "SELECT a.id, a.incident_id, a.seq, a.text, a.owner_id, a.due_date, a.status, a.created_by, \
             a.created_at, a.updated_at, a.source_ts, a.issue_url, i.title \
             FROM action_items a JOIN incidents i ON i.id = a.incident_id \
             WHERE ($1 = 0 OR a.status = 'open') AND (CAST($2 AS TEXT) IS NULL OR a.owner_id = $2) \
             ORDER BY a.incident_id DESC, a.seq";
        let rows: Vec<ActionRowWithTitle> = on_conn!(self.conn(), c => sqlx::query_as(SQL)
            .bind(i64::from(open_only))
            .bind(owner)
            .fetch_all(c)
            .await?);
        rows.into_iter()
            .map(|r| {
                Ok(ListedAction {
                    item: r.row.try_into()?,
                    incident_title: r.title,
                })
            })
            .collect()
    }

    /// Open items due on or before `today` whose reminder for that due date has not
    /// been queued, claimed under a row lock (`SKIP LOCKED` on PostgreSQL) so two
    /// replicas never remind the same item.
    pub async fn claim_due_reminders(
        &mut self,
        today: NaiveDate,
        limit: i64,
    ) -> StoreResult<Vec<ActionItem>> {
        let lock = if self.is_postgres() {
            "FOR UPDATE SKIP LOCKED"
        } else {
            ""
        };
        let filter = format!(
            "WHERE status = 'open' AND owner_id IS NOT NULL AND due_date IS NOT NULL AND due_date <= $1 \
             AND (reminded_for IS NULL OR reminded_for <> due_date) ORDER BY due_date, id LIMIT $2 {lock}"
        );
        let rows: Vec<ActionRow> = on_conn!(self.conn(), c => sqlx::query_as(select_actions(&filter))
            .bind(today)
            .bind(limit)
            .fetch_all(c)
            .await?);
        rows.into_iter().map(ActionItem::try_from).collect()
    }

    /// Records that the reminder for `due` was queued.
    pub async fn mark_reminded(&mut self, id: i64, due: NaiveDate) -> StoreResult<()> {
        const SQL: &str = "UPDATE action_items SET reminded_for = $2 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(due).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Keeps the GitHub issue an item became.
    pub async fn set_action_issue(&mut self, id: i64, number: i64, url: &str) -> StoreResult<()> {
        const SQL: &str = "UPDATE action_items SET issue_number = $2, issue_url = $3 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(number).bind(url).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Marks the message at `(channel, ts)` a key event; false if this mark existed.
    pub async fn add_key_mark(
        &mut self,
        channel_id: &str,
        ts: &str,
        source: MarkSource,
        user_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO key_marks (channel_id, ts, source, user_id, marked_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL)
            .bind(channel_id)
            .bind(ts)
            .bind(source.as_str())
            .bind(user_id)
            .bind(at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Takes a mark away; false if there was none.
    pub async fn remove_key_mark(
        &mut self,
        channel_id: &str,
        ts: &str,
        source: MarkSource,
        user_id: &str,
    ) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM key_marks WHERE channel_id = $1 AND ts = $2 AND source = $3 AND user_id = $4";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL)
            .bind(channel_id)
            .bind(ts)
            .bind(source.as_str())
            .bind(user_id)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Whether any mark keeps the message at `(channel, ts)` a key event.
    pub async fn is_marked_key(&mut self, channel_id: &str, ts: &str) -> StoreResult<bool> {
        const SQL: &str = "SELECT COUNT(*) FROM key_marks WHERE channel_id = $1 AND ts = $2";
        let n: i64 = on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(channel_id).bind(ts).fetch_one(c).await?);
        Ok(n > 0)
    }

    /// The text of the message at `(channel, ts)`, if it is in a timeline: what the
    /// entry for a mark quotes.
    pub async fn message_text(
        &mut self,
        channel_id: &str,
        ts: &str,
    ) -> StoreResult<Option<String>> {
        const SQL: &str = "SELECT text FROM timeline_entries WHERE channel_id = $1 AND ts = $2";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(channel_id).bind(ts).fetch_optional(c).await?),
        )
    }
}

#[derive(sqlx::FromRow)]
struct ActionRowWithTitle {
    #[sqlx(flatten)]
    row: ActionRow,
    title: String,
}
