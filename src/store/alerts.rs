//! Alert groups and alerts. A group row is taken under a row lock for the whole of a
//! notification's handling (`FOR UPDATE` on PostgreSQL; SQLite's write transactions
//! are exclusive), so notifications for one group, on any replica, take turns. Each
//! alert keeps its last state by fingerprint: a re-sent notification changes nothing.

use super::{StoreError, StoreResult, Tx, on_conn};
use crate::domain::alert::{Alert, AlertStatus, Notification, Pairs};
use chrono::{DateTime, Utc};

/// A group as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertGroup {
    pub id: i64,
    pub source: String,
    pub group_key: String,
    pub incident_id: Option<i64>,
    pub rule_name: Option<String>,
    pub status: AlertStatus,
    pub receiver: String,
    pub external_url: Option<String>,
    pub group_labels: Pairs,
    pub common_labels: Pairs,
    pub common_annotations: Pairs,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub triage_channel: Option<String>,
    pub triage_ts: Option<String>,
}

/// An alert as stored: its last known state.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAlert {
    pub id: i64,
    pub group_id: i64,
    pub fingerprint: String,
    pub status: AlertStatus,
    pub alertname: String,
    pub labels: Pairs,
    pub annotations: Pairs,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub generator_url: Option<String>,
    pub dashboard_url: Option<String>,
    pub panel_url: Option<String>,
    pub silence_url: Option<String>,
    pub values: Option<serde_json::Value>,
    pub first_seen: DateTime<Utc>,
    pub changed_at: DateTime<Utc>,
    pub fired_count: i64,
}

impl StoredAlert {
    /// `annotations.runbook_url`, when set.
    pub fn runbook_url(&self) -> Option<&str> {
        self.annotations
            .get("runbook_url")
            .map(String::as_str)
            .filter(|u| !u.trim().is_empty())
    }
}

/// What a notification did to one alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertChange {
    /// First seen, firing.
    New,
    /// First seen, already resolved (it fired while nobody was listening).
    NewResolved,
    /// It had resolved and fires again (or fired again between two notifications:
    /// a later `startsAt`). `since` is when it had resolved, if known.
    Refired {
        since: Option<DateTime<Utc>>,
    },
    Resolved,
    /// A re-send, a stale retry, or a change of labels or annotations only.
    Unchanged,
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    source: String,
    group_key: String,
    incident_id: Option<i64>,
    rule_name: Option<String>,
    status: String,
    receiver: String,
    external_url: Option<String>,
    group_labels: String,
    common_labels: String,
    common_annotations: String,
    first_seen: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    triage_channel: Option<String>,
    triage_ts: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: i64,
    group_id: i64,
    fingerprint: String,
    status: String,
    alertname: String,
    labels: String,
    annotations: String,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    generator_url: Option<String>,
    dashboard_url: Option<String>,
    panel_url: Option<String>,
    silence_url: Option<String>,
    alert_values: Option<String>,
    first_seen: DateTime<Utc>,
    changed_at: DateTime<Utc>,
    fired_count: i64,
}

fn status(s: &str) -> StoreResult<AlertStatus> {
    AlertStatus::from_name(s).ok_or_else(|| StoreError::Corrupt(format!("alert status {s:?}")))
}

fn pairs(json: &str) -> StoreResult<Pairs> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("stored labels: {e}")))
}

fn json(p: &Pairs) -> String {
    serde_json::to_string(p).expect("string maps always serialize")
}

impl TryFrom<GroupRow> for AlertGroup {
    type Error = StoreError;
    fn try_from(r: GroupRow) -> StoreResult<Self> {
        Ok(AlertGroup {
            id: r.id,
            source: r.source,
            group_key: r.group_key,
            incident_id: r.incident_id,
            rule_name: r.rule_name,
            status: status(&r.status)?,
            receiver: r.receiver,
            external_url: r.external_url,
            group_labels: pairs(&r.group_labels)?,
            common_labels: pairs(&r.common_labels)?,
            common_annotations: pairs(&r.common_annotations)?,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            resolved_at: r.resolved_at,
            triage_channel: r.triage_channel,
            triage_ts: r.triage_ts,
        })
    }
}

impl TryFrom<AlertRow> for StoredAlert {
    type Error = StoreError;
    fn try_from(r: AlertRow) -> StoreResult<Self> {
        Ok(StoredAlert {
            id: r.id,
            group_id: r.group_id,
            fingerprint: r.fingerprint,
            status: status(&r.status)?,
            alertname: r.alertname,
            labels: pairs(&r.labels)?,
            annotations: pairs(&r.annotations)?,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            generator_url: r.generator_url,
            dashboard_url: r.dashboard_url,
            panel_url: r.panel_url,
            silence_url: r.silence_url,
            values: r
                .alert_values
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("stored alert values: {e}")))?,
            first_seen: r.first_seen,
            changed_at: r.changed_at,
            fired_count: r.fired_count,
        })
    }
}

const GROUP_COLUMNS: &str = "id, source, group_key, incident_id, rule_name, status, receiver, external_url, \
     group_labels, common_labels, common_annotations, first_seen, last_seen, resolved_at, triage_channel, triage_ts";
const ALERT_COLUMNS: &str = "id, group_id, fingerprint, status, alertname, labels, annotations, starts_at, ends_at, \
     generator_url, dashboard_url, panel_url, silence_url, alert_values, first_seen, changed_at, fired_count";

impl Tx {
    /// The group `n` belongs to, created if new, locked until this transaction ends.
    /// Its labels and receiver are refreshed from `n`; its status and incident are the
    /// caller's to change ([`Tx::update_alert_group`]).
    pub async fn lock_alert_group(
        &mut self,
        n: &Notification,
        now: DateTime<Utc>,
    ) -> StoreResult<AlertGroup> {
        const INSERT: &str = "INSERT INTO alert_groups (source, group_key, status, receiver, external_url, \
             group_labels, common_labels, common_annotations, first_seen, last_seen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (source, group_key) DO NOTHING";
        on_conn!(self.conn(), c => sqlx::query(INSERT)
            .bind(n.source.as_str())
            .bind(&n.group_key)
            .bind(n.status.as_str())
            .bind(&n.receiver)
            .bind(&n.external_url)
            .bind(json(&n.group_labels))
            .bind(json(&n.common_labels))
            .bind(json(&n.common_annotations))
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        let lock = if self.is_postgres() {
            " FOR NO KEY UPDATE"
        } else {
            ""
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {GROUP_COLUMNS} FROM alert_groups WHERE source = $1 AND group_key = $2{lock}"
        ));
        let row: GroupRow = on_conn!(self.conn(), c => sqlx::query_as(sql)
            .bind(n.source.as_str())
            .bind(&n.group_key)
            .fetch_one(c)
            .await?);
        const REFRESH: &str = "UPDATE alert_groups SET receiver = $2, external_url = $3, group_labels = $4, \
             common_labels = $5, common_annotations = $6, last_seen = $7 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(REFRESH)
            .bind(row.id)
            .bind(&n.receiver)
            .bind(&n.external_url)
            .bind(json(&n.group_labels))
            .bind(json(&n.common_labels))
            .bind(json(&n.common_annotations))
            .bind(now)
            .execute(c)
            .await?
            .rows_affected());
        let mut group = AlertGroup::try_from(row)?;
        group.receiver = n.receiver.clone();
        group.external_url = n.external_url.clone();
        group.group_labels = n.group_labels.clone();
        group.common_labels = n.common_labels.clone();
        group.common_annotations = n.common_annotations.clone();
        group.last_seen = now;
        Ok(group)
    }

    /// A group by id, locked like [`Tx::lock_alert_group`] (a declare from triage).
    pub async fn lock_alert_group_by_id(&mut self, id: i64) -> StoreResult<Option<AlertGroup>> {
        let lock = if self.is_postgres() {
            " FOR NO KEY UPDATE"
        } else {
            ""
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {GROUP_COLUMNS} FROM alert_groups WHERE id = $1{lock}"
        ));
        let row: Option<GroupRow> =
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(id).fetch_optional(c).await?);
        row.map(AlertGroup::try_from).transpose()
    }

    /// Writes back what handling a notification may change.
    pub async fn update_alert_group(&mut self, g: &AlertGroup) -> StoreResult<()> {
        const SQL: &str = "UPDATE alert_groups SET incident_id = $2, rule_name = $3, status = $4, \
             resolved_at = $5, triage_channel = $6, triage_ts = $7 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL)
            .bind(g.id)
            .bind(g.incident_id)
            .bind(&g.rule_name)
            .bind(g.status.as_str())
            .bind(g.resolved_at)
            .bind(&g.triage_channel)
            .bind(&g.triage_ts)
            .execute(c)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Remembers where the triage post of a group went.
    pub async fn set_triage_post(
        &mut self,
        group_id: i64,
        channel: &str,
        ts: &str,
    ) -> StoreResult<()> {
        const SQL: &str =
            "UPDATE alert_groups SET triage_channel = $2, triage_ts = $3 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(group_id).bind(channel).bind(ts).execute(c).await?.rows_affected());
        Ok(())
    }

    pub async fn alert_group(&mut self, id: i64) -> StoreResult<Option<AlertGroup>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {GROUP_COLUMNS} FROM alert_groups WHERE id = $1"
        ));
        let row: Option<GroupRow> =
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(id).fetch_optional(c).await?);
        row.map(AlertGroup::try_from).transpose()
    }

    /// The groups feeding `incident_id` now, oldest first.
    pub async fn alert_groups_of(&mut self, incident_id: i64) -> StoreResult<Vec<AlertGroup>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {GROUP_COLUMNS} FROM alert_groups WHERE incident_id = $1 ORDER BY id"
        ));
        let rows: Vec<GroupRow> =
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(incident_id).fetch_all(c).await?);
        rows.into_iter().map(AlertGroup::try_from).collect()
    }

    /// Stores `alert`'s state in `group_id` and says what changed. Call it with the
    /// group locked. A retry of an older notification (a firing alert whose `startsAt`
    /// is not later than the one already resolved) changes nothing.
    pub async fn upsert_alert(
        &mut self,
        group_id: i64,
        alert: &Alert,
        now: DateTime<Utc>,
    ) -> StoreResult<AlertChange> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE group_id = $1 AND fingerprint = $2"
        ));
        let prev: Option<AlertRow> = on_conn!(self.conn(), c => sqlx::query_as(sql)
            .bind(group_id)
            .bind(&alert.fingerprint)
            .fetch_optional(c)
            .await?);
        let values = alert.values.as_ref().map(|v| v.to_string());
        let Some(prev) = prev.map(StoredAlert::try_from).transpose()? else {
            const INSERT: &str = "INSERT INTO alerts (group_id, fingerprint, status, alertname, labels, annotations, \
                 starts_at, ends_at, generator_url, dashboard_url, panel_url, silence_url, alert_values, \
                 first_seen, changed_at, fired_count) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15)";
            let fired = i64::from(alert.status == AlertStatus::Firing);
            on_conn!(self.conn(), c => sqlx::query(INSERT)
                .bind(group_id)
                .bind(&alert.fingerprint)
                .bind(alert.status.as_str())
                .bind(alert.name())
                .bind(json(&alert.labels))
                .bind(json(&alert.annotations))
                .bind(alert.starts_at)
                .bind(alert.ends_at)
                .bind(&alert.generator_url)
                .bind(&alert.dashboard_url)
                .bind(&alert.panel_url)
                .bind(&alert.silence_url)
                .bind(&values)
                .bind(now)
                .bind(fired)
                .execute(c)
                .await?
                .rows_affected());
            return Ok(match alert.status {
                AlertStatus::Firing => AlertChange::New,
                AlertStatus::Resolved => AlertChange::NewResolved,
            });
        };
        let later_start = match (alert.starts_at, prev.starts_at) {
            (Some(new), Some(old)) => new > old,
            _ => false,
        };
        let change = match (prev.status, alert.status) {
            (AlertStatus::Firing, AlertStatus::Resolved) => {
                // A resolution of an earlier episode than the one now firing is stale.
                if alert.starts_at.is_some() && alert.starts_at < prev.starts_at {
                    AlertChange::Unchanged
                } else {
                    AlertChange::Resolved
                }
            }
            (AlertStatus::Resolved, AlertStatus::Firing)
                if later_start || alert.starts_at.is_none() =>
            {
                AlertChange::Refired {
                    since: prev.ends_at.or(Some(prev.changed_at)),
                }
            }
            (AlertStatus::Firing, AlertStatus::Firing) if later_start => {
                AlertChange::Refired { since: None }
            }
            _ => AlertChange::Unchanged,
        };
        if change == AlertChange::Unchanged
            && prev.status == alert.status
            && prev.labels == alert.labels
            && prev.annotations == alert.annotations
        {
            return Ok(change);
        }
        if change == AlertChange::Unchanged && prev.status != alert.status {
            return Ok(change); // stale: keep the newer state
        }
        let changed_at = if change == AlertChange::Unchanged {
            prev.changed_at
        } else {
            now
        };
        let fired = prev.fired_count + i64::from(matches!(change, AlertChange::Refired { .. }));
        const UPDATE: &str = "UPDATE alerts SET status = $2, alertname = $3, labels = $4, annotations = $5, \
             starts_at = $6, ends_at = $7, generator_url = $8, dashboard_url = $9, panel_url = $10, \
             silence_url = $11, alert_values = $12, changed_at = $13, fired_count = $14 WHERE id = $1";
        on_conn!(self.conn(), c => sqlx::query(UPDATE)
            .bind(prev.id)
            .bind(alert.status.as_str())
            .bind(alert.name())
            .bind(json(&alert.labels))
            .bind(json(&alert.annotations))
            .bind(alert.starts_at)
            .bind(alert.ends_at)
            .bind(&alert.generator_url)
            .bind(&alert.dashboard_url)
            .bind(&alert.panel_url)
            .bind(&alert.silence_url)
            .bind(&values)
            .bind(changed_at)
            .bind(fired)
            .execute(c)
            .await?
            .rows_affected());
        Ok(change)
    }

    /// A group's alerts, oldest first.
    pub async fn alerts_of_group(&mut self, group_id: i64) -> StoreResult<Vec<StoredAlert>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE group_id = $1 ORDER BY id"
        ));
        let rows: Vec<AlertRow> =
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(group_id).fetch_all(c).await?);
        rows.into_iter().map(StoredAlert::try_from).collect()
    }

    /// The alerts of every group feeding `incident_id`, oldest first.
    pub async fn alerts_of_incident(&mut self, incident_id: i64) -> StoreResult<Vec<StoredAlert>> {
        let cols = ALERT_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {cols} FROM alerts a JOIN alert_groups g ON g.id = a.group_id \
             WHERE g.incident_id = $1 ORDER BY a.id"
        ));
        let rows: Vec<AlertRow> =
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(incident_id).fetch_all(c).await?);
        rows.into_iter().map(StoredAlert::try_from).collect()
    }

    /// How many groups and alerts are stored (for health and tests).
    pub async fn alert_row_counts(&mut self) -> StoreResult<(i64, i64)> {
        let groups: i64 = on_conn!(self.conn(), c => sqlx::query_scalar("SELECT COUNT(*) FROM alert_groups").fetch_one(c).await?);
        let alerts: i64 = on_conn!(self.conn(), c => sqlx::query_scalar("SELECT COUNT(*) FROM alerts").fetch_one(c).await?);
        Ok((groups, alerts))
    }
}
