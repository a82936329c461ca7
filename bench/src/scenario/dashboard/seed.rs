//! Writes a planned history into a fresh database before the app starts, in three
//! transactions: the incidents through the store's own `insert_incident` (which
//! gives their ids); then, in one transaction of multi-row `INSERT`s naming the
//! migrations' columns ([`Batch`]), their system entries, messages as first written,
//! pages with their acks, action items, impact statements and pins; then the edits
//! and deletions through the store's `write_messages`, which keeps every version.
//! The schema stays the one the app migrated. Seeding is timed apart and never
//! counted in a page's time. On PostgreSQL the tables are then analyzed, as
//! autovacuum would soon after such a load.

use super::batch::{Batch, V};
use super::history::Planned;
use serde::Serialize;
use std::time::Instant;
use warroom::store::{Change, MessageWrite, Store};

/// What was written, counted back from the database.
#[derive(Debug, Clone, Serialize)]
pub struct Rows {
    pub incidents: i64,
    pub open_incidents: i64,
    pub timeline_entries: i64,
    pub big_incident_entries: i64,
    pub pages: i64,
    pub acked_pages: i64,
    pub action_items: i64,
}

#[derive(Debug, Clone)]
pub struct Seeded {
    /// The store's id of each planned incident, in plan order.
    pub ids: Vec<i64>,
    pub big_id: i64,
    pub secs: f64,
    pub rows: Rows,
}

/// Writes `plan` (`big` is the index of the big incident) and counts it back.
pub async fn seed(store: &Store, plan: &[Planned], big: usize) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let mut tx = store.begin().await?;
    let mut ids = Vec::with_capacity(plan.len());
    for p in plan {
        ids.push(tx.insert_incident(&p.incident).await?);
    }
    tx.commit().await?;
    let mut tx = Batch::begin(store).await?;
    let planned = || plan.iter().zip(ids.iter().copied());
    let mut v = Vec::new();
    for (p, id) in planned() {
        for l in &p.system {
            v.extend([
                V::Int(id),
                V::Time(l.at),
                V::Text("system"),
                V::Text(l.kind),
            ]);
            v.extend([V::OptText(l.author.as_deref()), V::Text(&l.text)]);
        }
    }
    let into = "timeline_entries (incident_id, at, kind, system_event, author_id, text)";
    tx.insert(into, 6, &v).await?;
    let later = write_messages(&mut tx, plan, &ids).await?;
    let mut v = Vec::new();
    for (p, id) in planned() {
        for pg in &p.pages {
            let key = format!("policy:{id}:{}:{}", pg.level, pg.user);
            let (acked_at, acked_by) = match &pg.ack {
                Some((at, by)) => (Some(*at), Some(by.as_str())),
                None => (None, None),
            };
            v.extend([
                V::Int(id),
                V::Owned(key),
                V::Text(&pg.user),
                V::Text(pg.team),
            ]);
            v.extend([V::Int(pg.level), V::Time(pg.at), V::OptTime(acked_at)]);
            v.extend([
                V::OptText(acked_by),
                V::OptText(acked_by.map(|_| "slack_button")),
            ]);
        }
    }
    let into = "pages (incident_id, page_key, user_id, team_id, level, paged_at, acked_at, acked_by, ack_source)";
    tx.insert(into, 9, &v).await?;
    write_follow_ups(&mut tx, plan, &ids).await?;
    tx.commit().await?;
    let mut tx = store.begin().await?;
    // Small runs, so each statement stays inside one TLS record (see [`Batch`]).
    for chunk in later.chunks(24) {
        tx.write_messages(chunk).await?;
    }
    tx.commit().await?;
    if let Store::Postgres(pool) = store {
        sqlx::query("ANALYZE").execute(pool).await?;
    }
    let secs = started.elapsed().as_secs_f64();
    let big_id = ids[big];
    let rows = count(store, big_id).await?;
    Ok(Seeded {
        ids,
        big_id,
        secs,
        rows,
    })
}

/// Every message as first written; returns the edits and deletions to write after.
async fn write_messages<'p>(
    tx: &mut Batch,
    plan: &'p [Planned],
    ids: &[i64],
) -> anyhow::Result<Vec<(MessageWrite<'p>, Change)>> {
    let files: Vec<Vec<String>> = plan
        .iter()
        .map(|p| {
            p.messages
                .iter()
                .map(|m| serde_json::to_string(&m.files))
                .collect()
        })
        .collect::<Result<_, _>>()?;
    let mut news = Vec::new();
    let mut later = Vec::new();
    for ((p, &id), files) in plan.iter().zip(ids).zip(&files) {
        let channel = p.incident.channel_id.as_deref().unwrap_or_default();
        for (m, files_json) in p.messages.iter().zip(files) {
            news.extend([
                V::Int(id),
                V::Time(m.at),
                V::Text("message"),
                V::Text(&m.author),
            ]);
            news.extend([V::Text(&m.text), V::Text(channel), V::Text(&m.ts)]);
            news.extend([V::OptText(m.thread_ts.as_deref()), V::Text(files_json)]);
            let w = MessageWrite {
                incident_id: id,
                channel_id: channel,
                ts: &m.ts,
                thread_ts: m.thread_ts.as_deref(),
                author_id: Some(&m.author),
                text: &m.text,
                files: &m.files,
                at: m.at,
            };
            if let Some((at, text)) = &m.edit {
                later.push((MessageWrite { text, ..w.clone() }, Change::Edit(*at)));
            }
            if let Some(at) = m.deleted_at {
                later.push((w, Change::Delete(at)));
            }
        }
    }
    let into = "timeline_entries (incident_id, at, kind, author_id, text, channel_id, ts, thread_ts, files)";
    tx.insert(into, 9, &news).await?;
    Ok(later)
}

/// Action items, impact statements and the pins that make messages key events.
async fn write_follow_ups(tx: &mut Batch, plan: &[Planned], ids: &[i64]) -> anyhow::Result<()> {
    let (mut actions, mut impacts, mut pins) = (Vec::new(), Vec::new(), Vec::new());
    for (p, &id) in plan.iter().zip(ids) {
        for (seq, a) in (1..).zip(&p.actions) {
            actions.extend([V::Int(id), V::Int(seq), V::Text(&a.text), V::Text(&a.owner)]);
            actions.extend([V::Date(a.due), V::Text(a.status), V::Text(&a.created_by)]);
            actions.extend([V::Time(a.created_at), V::Time(a.updated_at)]);
        }
        for (seq, i) in (1..).zip(&p.impacts) {
            impacts.extend([
                V::Int(id),
                V::Int(seq),
                V::Text(i.category),
                V::Text(&i.text),
            ]);
            impacts.extend([V::Text(&i.author), V::Time(i.at)]);
        }
        let channel = p.incident.channel_id.as_deref().unwrap_or_default();
        for ts in &p.pins {
            let at = p
                .messages
                .iter()
                .find(|m| &m.ts == ts)
                .map_or(p.incident.declared_at, |m| m.at);
            pins.extend([
                V::Text(channel),
                V::Text(ts),
                V::Text("pin"),
                V::Text(""),
                V::Time(at),
            ]);
        }
    }
    let into = "action_items (incident_id, seq, text, owner_id, due_date, status, created_by, created_at, updated_at)";
    tx.insert(into, 9, &actions).await?;
    let into = "impact_statements (incident_id, seq, category, text, author_id, added_at)";
    tx.insert(into, 6, &impacts).await?;
    tx.insert(
        "key_marks (channel_id, ts, source, user_id, marked_at)",
        5,
        &pins,
    )
    .await?;
    Ok(())
}

/// Counts what the database now holds.
async fn count(store: &Store, big_id: i64) -> anyhow::Result<Rows> {
    const SQL: &str = "SELECT \
         (SELECT COUNT(*) FROM incidents), \
         (SELECT COUNT(*) FROM incidents WHERE status <> 'closed'), \
         (SELECT COUNT(*) FROM timeline_entries), \
         (SELECT COUNT(*) FROM timeline_entries WHERE incident_id = $1), \
         (SELECT COUNT(*) FROM pages), \
         (SELECT COUNT(*) FROM pages WHERE acked_at IS NOT NULL), \
         (SELECT COUNT(*) FROM action_items)";
    type Counts = (i64, i64, i64, i64, i64, i64, i64);
    let c: Counts = match store {
        Store::Sqlite(p, _) => sqlx::query_as(SQL).bind(big_id).fetch_one(p).await?,
        Store::Postgres(p) => sqlx::query_as(SQL).bind(big_id).fetch_one(p).await?,
    };
    Ok(Rows {
        incidents: c.0,
        open_incidents: c.1,
        timeline_entries: c.2,
        big_incident_entries: c.3,
        pages: c.4,
        acked_pages: c.5,
        action_items: c.6,
    })
}
