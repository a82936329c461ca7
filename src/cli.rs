//! The offline commands: `import` a Slack export, print a `postmortem`, show `status`.
//! They need only the database, not Slack credentials.

use crate::config::escalation::EscalationConfig;
use crate::import;
use crate::postmortem;
use crate::postmortem::gather;
use crate::store::{MessageWrite, Store};
use anyhow::{Context, bail};
use chrono::Utc;
use std::fmt::Write;
use std::path::Path;

/// Imports `channel` from the export at `dir` as a closed incident; returns its id and
/// draft. Importing the same channel again returns the incident already stored.
pub async fn import(store: &Store, dir: &Path, channel: &str) -> anyhow::Result<(i64, String)> {
    let exported = import::read_export(dir, channel)?;
    let incident = import::incident_from(&exported);
    let now = Utc::now();
    let mut tx = store.begin().await?;
    let id = match tx.incident_by_channel(&exported.channel_id).await? {
        Some(existing) => {
            tracing::info!(
                incident_id = existing.id,
                "this channel was imported before; showing it"
            );
            existing.id
        }
        None => {
            let id = tx.insert_incident(&incident).await?;
            for e in &exported.entries {
                let Some(ts) = e.ts.as_deref() else { continue };
                let write = MessageWrite {
                    incident_id: id,
                    channel_id: &exported.channel_id,
                    ts,
                    thread_ts: e.thread_ts.as_deref(),
                    author_id: e.author_id.as_deref(),
                    text: &e.text,
                    files: &e.files,
                    at: e.at,
                };
                // An export holds only the final text; an edit is kept as "edited".
                match e.edited_at {
                    Some(edited_at) => tx.apply_edit(&write, edited_at).await?,
                    None => tx.insert_message(&write).await?,
                };
            }
            // Pins and 📌s, as live events would have marked them.
            for m in &exported.key_marks {
                tx.add_key_mark(&exported.channel_id, &m.ts, m.source, &m.user_id, m.at)
                    .await?;
            }
            id
        }
    };
    for person in &exported.people {
        tx.upsert_person(person, now).await?;
    }
    tx.commit().await?;
    let draft = draft_markdown(store, id, &EscalationConfig::empty()).await?;
    Ok((id, draft))
}

/// The postmortem draft of a stored incident, as Markdown.
pub async fn draft_markdown(
    store: &Store,
    id: i64,
    config: &EscalationConfig,
) -> anyhow::Result<String> {
    let mut tx = store.read().await?;
    let Some(incident) = tx.incident(id).await? else {
        bail!("there is no incident #{id} in this database (`warroom status` lists the open ones)");
    };
    let gathered = gather::gather(&mut tx, id)
        .await
        .context("reading the timeline")?;
    tx.commit().await?;
    Ok(postmortem::render_markdown(&gather::draft(
        &incident, &gathered, config,
    )))
}

/// Open incidents, the outbox backlog and recent failed writes.
pub async fn status(store: &Store) -> anyhow::Result<String> {
    let mut tx = store.read().await?;
    let open = tx.open_incidents().await?;
    tx.commit().await?;
    let backlog = store.outbox_backlog().await?;
    let failed = store.failed_outbox(10).await?;

    let mut out = format!("Open incidents: {}\n", open.len());
    for i in &open {
        let room = i
            .channel_name
            .as_deref()
            .map(|n| format!("#{n}"))
            .unwrap_or_else(|| "(no war room yet)".into());
        let _ = writeln!(
            out,
            "  #{:<5} {} {:<13} {room}  {}  (declared {} UTC)",
            i.id,
            i.severity,
            i.status.as_str(),
            i.title,
            i.declared_at.format("%Y-%m-%d %H:%M")
        );
    }
    let _ = writeln!(
        out,
        "Outbox: {} pending, {} in flight, {} failed",
        backlog.pending, backlog.in_flight, backlog.failed
    );
    for f in &failed {
        let _ = writeln!(
            out,
            "  failed #{} ({}, {} attempts): {} -- {}",
            f.id,
            f.lane,
            f.attempts,
            f.last_error.as_deref().unwrap_or("?"),
            f.payload
        );
    }
    Ok(out)
}
