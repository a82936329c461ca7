//! The Statuspage incident that mirrors a Warroom incident: written with the first
//! public update (before anything is sent), its Statuspage id filled in once created.

use super::{StoreResult, Tx, on_conn};
use chrono::{DateTime, Utc};

/// Where an incident's public mirror stands.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatuspageLink {
    pub incident_id: i64,
    /// The page it is (to be) opened on.
    pub page_id: String,
    /// Statuspage's incident id; `None` until the create is known to have landed.
    pub statuspage_id: Option<String>,
}

impl Tx {
    /// The incident's link to Statuspage, if it has had a public update.
    pub async fn statuspage_link(
        &mut self,
        incident_id: i64,
    ) -> StoreResult<Option<StatuspageLink>> {
        const SQL: &str = "SELECT incident_id, page_id, statuspage_id FROM statuspage_incidents WHERE incident_id = $1";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).fetch_optional(c).await?),
        )
    }

    /// Records that the incident goes public on `page_id`; false if it already had.
    pub async fn open_statuspage_link(
        &mut self,
        incident_id: i64,
        page_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO statuspage_incidents (incident_id, page_id, created_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL)
            .bind(incident_id)
            .bind(page_id)
            .bind(at)
            .execute(c)
            .await?
            .rows_affected());
        Ok(n > 0)
    }

    /// Keeps Statuspage's id for the incident; an id already kept is never replaced.
    pub async fn set_statuspage_id(
        &mut self,
        incident_id: i64,
        statuspage_id: &str,
    ) -> StoreResult<()> {
        const SQL: &str = "UPDATE statuspage_incidents SET statuspage_id = $2 \
             WHERE incident_id = $1 AND statuspage_id IS NULL";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(incident_id).bind(statuspage_id).execute(c).await?.rows_affected());
        Ok(())
    }
}
