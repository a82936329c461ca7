//! What the IRC connection of [`crate::fallback::irc`] writes: the lease that lets one
//! replica hold the connection, and the lines people say on IRC, as timeline entries
//! of source `irc`. A line keeps the identity of a Slack message, `(channel_id, ts)`:
//! `irc:<#channel>` and the key the line was given once when it was read, so writing
//! it again (a retry after a busy database) stores nothing new.

use super::{Ingested, StoreResult, Tx, on_conn};
use chrono::{DateTime, Utc};

/// A line said in a fallback room's IRC channel.
#[derive(Debug, Clone)]
pub struct IrcLine<'a> {
    pub incident_id: i64,
    /// The IRC channel, `#<prefix>-inc-<id>`.
    pub channel: &'a str,
    /// Given once per line read: the server's `msgid` tag, or one of ours.
    pub key: &'a str,
    pub nick: &'a str,
    /// The Slack user the nick maps to, when it does.
    pub author_id: Option<&'a str>,
    /// Plain text (formatting stripped).
    pub text: &'a str,
    pub at: DateTime<Utc>,
}

/// The timeline's `channel_id` for the IRC channel `channel`.
pub fn irc_channel_id(channel: &str) -> String {
    format!("irc:{channel}")
}

impl Tx {
    /// Stores `line` as a message of the incident's timeline; a line already stored
    /// under the same channel and key is left as it is.
    pub async fn insert_irc_line(&mut self, line: &IrcLine<'_>) -> StoreResult<Ingested> {
        const SQL: &str = "INSERT INTO timeline_entries \
             (incident_id, at, kind, author_id, text, channel_id, ts, files, source, author_nick) \
             VALUES ($1, $2, 'message', $3, $4, $5, $6, '[]', 'irc', $7) \
             ON CONFLICT (channel_id, ts) DO NOTHING RETURNING id";
        let id: Option<i64> = on_conn!(self.conn(), c => sqlx::query_scalar(SQL)
            .bind(line.incident_id)
            .bind(line.at)
            .bind(line.author_id)
            .bind(line.text)
            .bind(irc_channel_id(line.channel))
            .bind(line.key)
            .bind(line.nick)
            .fetch_optional(c)
            .await?);
        Ok(match id {
            Some(_) => Ingested::Stored,
            None => Ingested::Duplicate,
        })
    }

    /// Takes or renews the IRC connection's lease for `holder` until `until`: granted
    /// when nobody holds it, `holder` does, or the holder's lease ran out before `now`.
    pub async fn take_fallback_lease(
        &mut self,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        const SQL: &str = "INSERT INTO fallback_lease (id, holder, expires_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET holder = $1, expires_at = $2 \
             WHERE fallback_lease.holder = $1 OR fallback_lease.expires_at < $3 \
             RETURNING holder";
        let got: Option<String> = on_conn!(self.conn(), c => sqlx::query_scalar(SQL)
            .bind(holder)
            .bind(until)
            .bind(now)
            .fetch_optional(c)
            .await?);
        Ok(got.is_some())
    }

    /// Gives the lease up, if `holder` has it, so another replica takes over at once.
    pub async fn release_fallback_lease(&mut self, holder: &str) -> StoreResult<bool> {
        const SQL: &str = "DELETE FROM fallback_lease WHERE id = 1 AND holder = $1";
        let n = on_conn!(self.conn(), c => sqlx::query(SQL).bind(holder).execute(c).await?.rows_affected());
        Ok(n == 1)
    }

    /// Who holds the lease, and until when.
    pub async fn fallback_lease(&mut self) -> StoreResult<Option<(String, DateTime<Utc>)>> {
        const SQL: &str = "SELECT holder, expires_at FROM fallback_lease WHERE id = 1";
        Ok(on_conn!(self.conn(), c => sqlx::query_as(SQL).fetch_optional(c).await?))
    }
}
