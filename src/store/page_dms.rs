//! Which Slack DM carries which page. A person paged for several incidents at once
//! gets one DM covering every page of theirs still waiting to go out, so the DMs
//! keep under Slack's one-post-a-second-per-channel limit; each page remembers the
//! DM (`pages.dm_channel`, `pages.dm_ts`) so the DM can be re-rendered later (the
//! war room's link, an ack) and a page already carried is not sent again.

use super::paging::PAGE_COLUMNS;
use super::{StoreResult, Tx, on_conn};

impl Tx {
    /// `user`'s pages not yet carried by a DM and not acknowledged, whose own DM is
    /// still queued (an outbox item keyed `key_prefix` + page id, pending or in
    /// flight), oldest first, at most `limit`. Pages whose DM went out before DMs
    /// were recorded have no queued item, so they are never sent again.
    pub async fn unsent_pages(
        &mut self,
        user: &str,
        key_prefix: &str,
        limit: i64,
    ) -> StoreResult<Vec<super::PageRecord>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PAGE_COLUMNS} FROM pages p WHERE p.user_id = $1 AND p.acked_at IS NULL \
             AND p.dm_ts IS NULL AND EXISTS (SELECT 1 FROM outbox o \
             WHERE o.idem_key = $2 || CAST(p.id AS TEXT) AND o.status IN ('pending', 'in_flight')) \
             ORDER BY p.id LIMIT $3"
        ));
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(user).bind(key_prefix).bind(limit).fetch_all(c).await?),
        )
    }

    /// Records that the DM `(channel, ts)` carries page `id`. `false` when another
    /// DM carries it already (that one stays its record).
    pub async fn set_page_dm(&mut self, id: i64, channel: &str, ts: &str) -> StoreResult<bool> {
        const SQL: &str =
            "UPDATE pages SET dm_channel = $2, dm_ts = $3 WHERE id = $1 AND dm_ts IS NULL";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(id).bind(channel).bind(ts).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// `user`'s most recent page DM `(channel, ts)`, if any: the newest by Slack's
    /// timestamp (all of them have ten digits of seconds, so they sort as text).
    pub async fn latest_page_dm(&mut self, user: &str) -> StoreResult<Option<(String, String)>> {
        const SQL: &str = "SELECT dm_channel, dm_ts FROM pages WHERE user_id = $1 \
             AND dm_channel IS NOT NULL AND dm_ts IS NOT NULL ORDER BY dm_ts DESC LIMIT 1";
        Ok(on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(user).fetch_optional(c).await?))
    }

    /// Every page the DM `(channel, ts)` carries, in the order it shows them.
    pub async fn pages_in_dm(
        &mut self,
        channel: &str,
        ts: &str,
    ) -> StoreResult<Vec<super::PageRecord>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PAGE_COLUMNS} FROM pages WHERE dm_channel = $1 AND dm_ts = $2 ORDER BY id"
        ));
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(sql).bind(channel).bind(ts).fetch_all(c).await?),
        )
    }

    /// The DMs `(channel, ts)` that carry `user`'s pages in `incident_id`.
    pub async fn page_dms(
        &mut self,
        incident_id: i64,
        user: &str,
    ) -> StoreResult<Vec<(String, String)>> {
        const SQL: &str = "SELECT DISTINCT dm_channel, dm_ts FROM pages WHERE incident_id = $1 \
             AND user_id = $2 AND dm_channel IS NOT NULL AND dm_ts IS NOT NULL ORDER BY dm_ts";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_as(SQL).bind(incident_id).bind(user).fetch_all(c).await?),
        )
    }

    /// The people paged in `incident_id`, once each.
    pub async fn paged_users(&mut self, incident_id: i64) -> StoreResult<Vec<String>> {
        const SQL: &str =
            "SELECT user_id FROM pages WHERE incident_id = $1 GROUP BY user_id ORDER BY MIN(id)";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_all(c).await?),
        )
    }

    /// The people with a page in `incident_id` that a DM carries already, acknowledged
    /// or not, once each: whose DMs may name the fallback room, to re-render when it
    /// closes (an acknowledged DM was rendered with it too).
    pub async fn sent_page_users(&mut self, incident_id: i64) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT user_id FROM pages WHERE incident_id = $1 \
             AND dm_ts IS NOT NULL GROUP BY user_id ORDER BY MIN(id)";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_all(c).await?),
        )
    }

    /// The people with a page in `incident_id` that a DM carries already and nobody
    /// acknowledged, once each: whose DMs must be re-rendered when what the incident
    /// shows changes (its fallback room opens).
    pub async fn unacked_sent_page_users(&mut self, incident_id: i64) -> StoreResult<Vec<String>> {
        const SQL: &str = "SELECT user_id FROM pages WHERE incident_id = $1 \
             AND acked_at IS NULL AND dm_ts IS NOT NULL GROUP BY user_id ORDER BY MIN(id)";
        Ok(
            on_conn!(self.conn(), c => sqlx::query_scalar(SQL).bind(incident_id).fetch_all(c).await?),
        )
    }
}
