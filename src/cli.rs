//! The offline commands: `import` a Slack export, print a `postmortem`, show `status`,
//! list `actions`, print the on-call `report`. They need only the database, not Slack
//! credentials.

use crate::config::escalation::EscalationConfig;
use crate::domain::{IdKind, is_slack_id, user_mention};
use crate::import;
use crate::postmortem::{Style, gather};
use crate::report::{self, TimeArg, Window};
use crate::store::{ListedAction, MessageWrite, Store};
use anyhow::{Context, bail};
use chrono::Utc;
use std::fmt::Write;
use std::path::Path;

/// Imports `channel` from the export at `dir` as a closed incident; returns its id and
/// draft, written in `style`. Importing the same channel again returns the incident
/// already stored.
pub async fn import(
    store: &Store,
    dir: &Path,
    channel: &str,
    style: &Style,
) -> anyhow::Result<(i64, String)> {
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
    let draft = draft_markdown(store, id, &EscalationConfig::empty(), style).await?;
    Ok((id, draft))
}

/// The postmortem draft of a stored incident, as Markdown in `style`'s template.
pub async fn draft_markdown(
    store: &Store,
    id: i64,
    config: &EscalationConfig,
    style: &Style,
) -> anyhow::Result<String> {
    let mut tx = store.read().await?;
    let Some(incident) = tx.incident(id).await? else {
        bail!("there is no incident #{id} in this database (`warroom status` lists the open ones)");
    };
    let gathered = gather::gather(&mut tx, id)
        .await
        .context("reading the timeline")?;
    tx.commit().await?;
    let draft = gather::draft(&incident, &gathered, config, &style.phrases);
    Ok(style.render(&draft)?)
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

/// `--since` and `--until`: one of [`report::TIME_FORMS`]; clap names the flag in
/// the error.
pub fn parse_time(raw: &str) -> Result<TimeArg, String> {
    TimeArg::parse(raw)
}

/// The window `--since` and `--until` (default: now) give, read at `now`; an empty
/// or backwards one is an error that names both flags.
pub fn report_window(
    since: TimeArg,
    until: Option<TimeArg>,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<Window> {
    let until = until.unwrap_or(TimeArg::Now);
    Ok(Window::new(since.at(now), until.at(now))?)
}

/// The on-call report of `window` as Markdown; `escalation` names the teams.
pub async fn report(
    store: &Store,
    window: Window,
    escalation: &EscalationConfig,
) -> anyhow::Result<String> {
    let report = report::build(store, window, Utc::now(), escalation)
        .await
        .context("reading the window's incidents and pages")?;
    Ok(report::render_markdown(&report))
}

/// `--owner`: a Slack user id (`U02BSPARRO`), or a mention copied from Slack
/// (`<@U02BSPARRO>`). Anything else is refused with what to give instead.
pub fn parse_owner(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if is_slack_id(trimmed, IdKind::User) {
        return Ok(trimmed.to_string());
    }
    user_mention(trimmed).ok_or_else(|| {
        format!(
            "`{}` is not a Slack user id; give one like U02BSPARRO (in Slack: the person's profile, ⋮, Copy member ID)",
            printable(trimmed, 40)
        )
    })
}

/// Action items across incidents, newest incident first: all, or only open ones,
/// or one owner's; one aligned line each.
pub async fn actions(
    store: &Store,
    open_only: bool,
    owner: Option<&str>,
) -> anyhow::Result<String> {
    let mut tx = store.read().await?;
    let listed = tx
        .list_actions(open_only, owner)
        .await
        .context("reading action items")?;
    tx.commit().await?;
    if listed.is_empty() {
        let which = if open_only {
            "open action items"
        } else {
            "action items"
        };
        return Ok(match owner {
            Some(o) => format!("No {which} owned by {o}.\n"),
            None => format!("No {which}.\n"),
        });
    }
    Ok(render_actions(&listed))
}

/// Longest title and item text shown; the rest is cut with `…`.
const MAX_TITLE_COLUMN: usize = 40;
const MAX_TEXT_COLUMN: usize = 60;

fn render_actions(listed: &[ListedAction]) -> String {
    let header = [
        "INCIDENT", "TITLE", "#", "TEXT", "OWNER", "DUE", "STATUS", "ISSUE",
    ];
    let rows: Vec<[String; 8]> = listed
        .iter()
        .map(|l| {
            let i = &l.item;
            [
                i.incident_id.to_string(),
                printable(&l.incident_title, MAX_TITLE_COLUMN),
                i.seq.to_string(),
                printable(&i.text, MAX_TEXT_COLUMN),
                i.owner_id.clone().unwrap_or_else(|| "-".into()),
                i.due.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                i.status.to_string(),
                i.issue_url
                    .as_deref()
                    .map(|u| printable(u, 200))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// Text from Slack made safe for one terminal line: whitespace runs (newlines
/// included) become one space, control characters (escape sequences) are dropped,
/// and it is cut at `max` characters.
fn printable(text: &str, max: usize) -> String {
    let one_line = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    crate::domain::clip(&one_line, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_owner_is_a_slack_user_id_or_a_mention_of_one() {
        assert_eq!(parse_owner("U02BSPARRO").as_deref(), Ok("U02BSPARRO"));
        assert_eq!(parse_owner("<@W0ENTERPR|bob>").as_deref(), Ok("W0ENTERPR"));
        for bad in ["bob", "@bob", "u02bsparro", "C0123ABCD", "", "U02 BS"] {
            let e = parse_owner(bad).unwrap_err();
            assert!(e.contains("not a Slack user id"), "{bad}: {e}");
        }
    }

    #[test]
    fn text_for_the_terminal_is_one_line_without_escape_sequences() {
        assert_eq!(printable("a\n  b\u{1b}[31mred", 40), "a b[31mred");
        assert_eq!(printable("abcdef", 4), "abc…");
    }
}
