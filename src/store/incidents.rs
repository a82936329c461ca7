//! Incident rows and the messages Warroom posted for them.

use super::{StoreError, StoreResult, Tx, on_conn};
use crate::domain::{Incident, Severity, Status};
use chrono::{DateTime, Utc};

#[derive(sqlx::FromRow)]
pub(super) struct IncidentRow {
    id: i64,
    title: String,
    severity: i64,
    status: String,
    service: Option<String>,
    summary: Option<String>,
    lead_user: Option<String>,
    comms_user: Option<String>,
    scribe_user: Option<String>,
    declared_by: String,
    declared_at: DateTime<Utc>,
    identified_at: Option<DateTime<Utc>>,
    mitigated_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    resolution: Option<String>,
    channel_id: Option<String>,
    channel_name: Option<String>,
    drill: bool,
}

impl TryFrom<IncidentRow> for Incident {
    type Error = StoreError;

    fn try_from(r: IncidentRow) -> Result<Self, StoreError> {
        Ok(Incident {
            id: r.id,
            title: r.title,
            severity: Severity::from_level(r.severity)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            status: Status::from_stored(&r.status)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            service: r.service,
            summary: r.summary,
            lead: r.lead_user,
            comms: r.comms_user,
            scribe: r.scribe_user,
            declared_by: r.declared_by,
            declared_at: r.declared_at,
            identified_at: r.identified_at,
            mitigated_at: r.mitigated_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            resolution: r.resolution,
            channel_id: r.channel_id,
            channel_name: r.channel_name,
            drill: r.drill,
        })
    }
}

const COLUMNS: &str = "id, title, severity, status, service, summary, lead_user, comms_user, scribe_user, \
     declared_by, declared_at, identified_at, mitigated_at, resolved_at, closed_at, resolution, channel_id, channel_name, drill";

pub(super) fn select(filter: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(select_sql(filter))
}

/// `SELECT` of every incident column, then `filter`.
pub(super) fn select_sql(filter: &str) -> String {
    format!("SELECT {COLUMNS} FROM incidents {filter}")
}

impl Tx {
    /// Stores a new incident, visible on the dashboard, and returns its id.
    pub async fn insert_incident(&mut self, i: &Incident) -> StoreResult<i64> {
        self.insert_incident_as(i, false).await
    }

    /// Stores a new incident and returns its id. `private`: it runs in a private war
    /// room, so the dashboard hides it unless told to show private incidents.
    pub async fn insert_incident_as(&mut self, i: &Incident, private: bool) -> StoreResult<i64> {
        const SQL: &str = "INSERT INTO incidents (title, severity, status, service, summary, lead_user, \
             declared_by, declared_at, identified_at, resolved_at, closed_at, resolution, channel_id, channel_name, \
             comms_user, scribe_user, mitigated_at, private, drill) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id";
        let id: i64 = on_conn!(self.conn(), c => sqlx::query_scalar(SQL)
            .bind(&i.title)
            .bind(i64::from(i.severity.level()))
            .bind(i.status.as_str())
            .bind(&i.service)
            .bind(&i.summary)
            .bind(&i.lead)
            .bind(&i.declared_by)
            .bind(i.declared_at)
            .bind(i.identified_at)
            .bind(i.resolved_at)
            .bind(i.closed_at)
            .bind(&i.resolution)
            .bind(&i.channel_id)
            .bind(&i.channel_name)
            .bind(&i.comms)
            .bind(&i.scribe)
            .bind(i.mitigated_at)
            .bind(private)
            .bind(i.drill)
            .fetch_one(c)
            .await?);
        Ok(id)
    }

    /// Writes back the fields the lifecycle may change (never `drill`: a drill stays a
    /// drill, and a real incident stays real).
    pub async fn update_incident(&mut self, i: &Incident) -> StoreResult<()> {
        const SQL: &str = "UPDATE incidents SET severity = $2, status = $3, lead_user = $4, \
             identified_at = $5, resolved_at = $6, closed_at = $7, resolution = $8, summary = $9, \
             comms_user = $10, scribe_user = $11, mitigated_at = $12 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL)
            .bind(i.id)
            .bind(i64::from(i.severity.level()))
            .bind(i.status.as_str())
            .bind(&i.lead)
            .bind(i.identified_at)
            .bind(i.resolved_at)
            .bind(i.closed_at)
            .bind(&i.resolution)
            .bind(&i.summary)
            .bind(&i.comms)
            .bind(&i.scribe)
            .bind(i.mitigated_at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn set_channel(
        &mut self,
        incident_id: i64,
        channel_id: &str,
        name: &str,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE incidents SET channel_id = $2, channel_name = $3 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(channel_id).bind(name).execute(c).await?.rows_affected());
        Ok(())
    }

    pub async fn incident(&mut self, id: i64) -> StoreResult<Option<Incident>> {
        let row: Option<IncidentRow> = on_conn!(self.conn(), c => sqlx::query_as(select("WHERE id = $1")).bind(id).fetch_optional(c).await?);
        row.map(Incident::try_from).transpose()
    }

    /// The incident for update: on PostgreSQL the row stays locked until commit, so two
    /// replicas handling commands for one incident take turns. (SQLite's write
    /// transactions are already exclusive.)
    pub async fn incident_for_update(&mut self, id: i64) -> StoreResult<Option<Incident>> {
        let filter = if self.is_postgres() {
            "WHERE id = $1 FOR NO KEY UPDATE"
        } else {
            "WHERE id = $1"
        };
        let row: Option<IncidentRow> = on_conn!(self.conn(), c => sqlx::query_as(select(filter)).bind(id).fetch_optional(c).await?);
        row.map(Incident::try_from).transpose()
    }

    /// The incident whose war room is `channel_id`, if any.
    pub async fn incident_by_channel(&mut self, channel_id: &str) -> StoreResult<Option<Incident>> {
        let row: Option<IncidentRow> = on_conn!(self.conn(), c => sqlx::query_as(select("WHERE channel_id = $1"))
            .bind(channel_id)
            .fetch_optional(c)
            .await?);
        row.map(Incident::try_from).transpose()
    }

    /// Open incidents, oldest first.
    pub async fn open_incidents(&mut self) -> StoreResult<Vec<Incident>> {
        let rows: Vec<IncidentRow> = on_conn!(self.conn(), c => sqlx::query_as(select("WHERE status <> 'closed' ORDER BY id"))
            .fetch_all(c)
            .await?);
        rows.into_iter().map(Incident::try_from).collect()
    }

    /// How many real incidents are open (drills are practice, not load), by severity
    /// and status, for the metrics. The open
    /// statuses are named so the `status` index answers: `<> 'closed'` would read
    /// every incident ever declared, at every scrape.
    pub async fn open_incident_counts(&mut self) -> StoreResult<Vec<(Severity, Status, i64)>> {
        const SQL: &str = "SELECT severity, status, COUNT(*) FROM incidents \
             WHERE status IN ('investigating', 'identified', 'monitoring', 'resolved') AND NOT drill \
             GROUP BY severity, status";
        let rows: Vec<(i64, String, i64)> =
            on_conn!(self.conn(), c => sqlx::query_as(SQL).fetch_all(c).await?);
        rows.into_iter()
            .map(|(severity, status, n)| {
                let severity = Severity::from_level(severity)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let status =
                    Status::from_stored(&status).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok((severity, status, n))
            })
            .collect()
    }

    /// Remembers a message Warroom posted (e.g. the pinned summary) by purpose.
    pub async fn remember_message(
        &mut self,
        incident_id: i64,
        purpose: &str,
        channel_id: &str,
        ts: &str,
    ) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO incident_messages (incident_id, purpose, channel_id, ts) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (incident_id, purpose) DO UPDATE SET channel_id = excluded.channel_id, ts = excluded.ts";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(purpose).bind(channel_id).bind(ts).execute(c).await?.rows_affected());
        Ok(())
    }

    /// `(channel_id, ts)` of a remembered message.
    pub async fn remembered_message(
        &mut self,
        incident_id: i64,
        purpose: &str,
    ) -> StoreResult<Option<(String, String)>> {
        const SQL: &str =
            "SELECT channel_id, ts FROM incident_messages WHERE incident_id = $1 AND purpose = $2";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).bind(purpose).fetch_optional(c).await?),
        )
    }
}
