//! The people cache: names and titles from `users.info` or an export's `users.json`.

use super::{StoreResult, Tx, on_conn};
use crate::domain::{Person, PersonKind};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

impl Tx {
    pub async fn upsert_person(&mut self, p: &Person, at: DateTime<Utc>) -> StoreResult<()> {
        const SQL: &str = "INSERT INTO people (user_id, name, title, fetched_at, kind) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, title = excluded.title, \
             fetched_at = excluded.fetched_at, kind = excluded.kind";
        on_conn!(self.conn(), c => sqlx::query(SQL).bind(&p.user_id).bind(&p.name).bind(&p.title).bind(at).bind(p.kind.as_str()).execute(c).await?.rows_affected());
        Ok(())
    }

    /// Every known person, by user id. The cache holds a workspace's worth at most.
    pub async fn people(&mut self) -> StoreResult<HashMap<String, Person>> {
        const SQL: &str = "SELECT user_id, name, title, kind FROM people";
        let rows: Vec<(String, String, Option<String>, String)> =
            on_conn!(self.conn(), c => sqlx::query_as(SQL).fetch_all(c).await?);
        Ok(rows
            .into_iter()
            .map(|(user_id, name, title, kind)| {
                (
                    user_id.clone(),
                    Person {
                        user_id,
                        name,
                        title,
                        kind: PersonKind::from_stored(&kind),
                    },
                )
            })
            .collect())
    }
}
