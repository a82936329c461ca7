//! Read-only access to a Warroom database (SQLite or PostgreSQL), for verification
//! and for waiting on the app: the load itself never touches it.

use anyhow::Context;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;

pub enum Db {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// One stored message row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub channel_id: String,
    pub ts: String,
    pub text: String,
}

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        let redacted = warroom::app::redact_url(url);
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(2)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .with_context(|| format!("cannot connect to {redacted}"))?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("not a database URL: {redacted}"))?
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await
                .with_context(|| format!("cannot open {redacted}"))?;
            Ok(Db::Sqlite(pool))
        }
    }

    /// This run's message rows in one channel (`ts` within `lo..=hi`).
    pub async fn messages(&self, channel: &str, lo: &str, hi: &str) -> anyhow::Result<Vec<Row>> {
        const SQL: &str = "SELECT channel_id, ts, text FROM timeline_entries \
             WHERE kind = 'message' AND channel_id = $1 AND ts >= $2 AND ts <= $3";
        Ok(match self {
            Db::Sqlite(p) => {
                sqlx::query_as(SQL)
                    .bind(channel)
                    .bind(lo)
                    .bind(hi)
                    .fetch_all(p)
                    .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(SQL)
                    .bind(channel)
                    .bind(lo)
                    .bind(hi)
                    .fetch_all(p)
                    .await?
            }
        })
    }

    /// The war-room channel of an incident, once it exists.
    pub async fn channel_of(&self, incident_id: i64) -> anyhow::Result<Option<String>> {
        const SQL: &str = "SELECT channel_id FROM incidents WHERE id = $1";
        let row: Option<(Option<String>,)> = match self {
            Db::Sqlite(p) => {
                sqlx::query_as(SQL)
                    .bind(incident_id)
                    .fetch_optional(p)
                    .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(SQL)
                    .bind(incident_id)
                    .fetch_optional(p)
                    .await?
            }
        };
        Ok(row.and_then(|r| r.0))
    }

    /// How many incidents exist, whatever their status.
    pub async fn incident_count(&self) -> anyhow::Result<i64> {
        const SQL: &str = "SELECT COUNT(*) FROM incidents";
        let row: (i64,) = match self {
            Db::Sqlite(p) => sqlx::query_as(SQL).fetch_one(p).await?,
            Db::Postgres(p) => sqlx::query_as(SQL).fetch_one(p).await?,
        };
        Ok(row.0)
    }

    /// The ids of the pages of `user` for an incident, oldest first.
    pub async fn page_ids(&self, incident_id: i64, user: &str) -> anyhow::Result<Vec<i64>> {
        const SQL: &str =
            "SELECT id FROM pages WHERE incident_id = $1 AND user_id = $2 ORDER BY id";
        let rows: Vec<(i64,)> = match self {
            Db::Sqlite(p) => {
                sqlx::query_as(SQL)
                    .bind(incident_id)
                    .bind(user)
                    .fetch_all(p)
                    .await?
            }
            Db::Postgres(p) => {
                sqlx::query_as(SQL)
                    .bind(incident_id)
                    .bind(user)
                    .fetch_all(p)
                    .await?
            }
        };
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Outbox items still to send (pending or in flight), and failed ones.
    pub async fn outbox(&self) -> anyhow::Result<(i64, i64)> {
        const SQL: &str = "SELECT \
             COALESCE(SUM(CASE WHEN status IN ('pending', 'in_flight') THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) FROM outbox";
        let row: (i64, i64) = match self {
            Db::Sqlite(p) => sqlx::query_as(SQL).fetch_one(p).await?,
            Db::Postgres(p) => sqlx::query_as(SQL).fetch_one(p).await?,
        };
        Ok(row)
    }

    /// Waits until `incident_id` has a war-room channel.
    pub async fn wait_for_channel(
        &self,
        incident_id: i64,
        timeout: Duration,
    ) -> anyhow::Result<String> {
        let start = std::time::Instant::now();
        loop {
            if let Some(c) = self.channel_of(incident_id).await? {
                return Ok(c);
            }
            if start.elapsed() > timeout {
                anyhow::bail!("incident #{incident_id} got no war room within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Waits until nothing is pending or in flight in the outbox; returns failed items.
    pub async fn wait_outbox_drained(&self, timeout: Duration) -> anyhow::Result<i64> {
        let start = std::time::Instant::now();
        loop {
            let (open, failed) = self.outbox().await?;
            if open == 0 {
                return Ok(failed);
            }
            if start.elapsed() > timeout {
                anyhow::bail!("the outbox still had {open} items after {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}
