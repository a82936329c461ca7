//! `/dashboard/incidents/{id}`: one incident. Its summary, status, severity, service,
//! roles and times; its key events; who was paged and who acked, how fast; its action
//! items; and the full timeline, 200 entries a page (an incident can hold 100,000),
//! with links to the neighbouring pages. An unknown id, one that is not a number, or
//! a private incident the dashboard does not show, is a 404.

use super::{
    Chrome, PageError, PageRow, Pager, PagesTable, Part, When, html, https_only, name_of, parts,
    plain, when,
};
use crate::domain::{EntrySource, Incident, Person, TimelineEntry, is_key_system_kind};
use crate::store::{Cursor, NumberedEntry, PageRecord, Tx};
use crate::web::DashboardState;
use crate::web::auth::Viewer;
use crate::web::charts::human_seconds;
use crate::web::filters::{format_cursor, timeline_query};
use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Timeline entries per page.
pub const TIMELINE_PER_PAGE: usize = 200;
/// Key events shown; a storm of pages could make thousands.
pub const KEY_EVENTS_SHOWN: usize = 100;

#[derive(Serialize)]
struct IncidentPage {
    #[serde(flatten)]
    chrome: Chrome,
    i: Summary,
    key_events: Vec<EntryView>,
    key_events_more: bool,
    pages: PagesTable,
    actions: Vec<ActionView>,
    timeline: Vec<EntryView>,
    timeline_total: i64,
    timeline_per_page: usize,
    pager: Pager,
}

#[derive(Serialize)]
struct Summary {
    id: i64,
    title: String,
    level: u8,
    severity: String,
    status: &'static str,
    private: bool,
    /// A practice incident, marked DRILL beside the title.
    drill: bool,
    service: Option<String>,
    summary: Option<String>,
    channel: Option<String>,
    roles: Vec<RoleView>,
    times: Vec<TimeView>,
    resolution: Option<String>,
    postmortem_href: String,
}

#[derive(Serialize)]
struct RoleView {
    role: &'static str,
    who: Option<String>,
}

#[derive(Serialize)]
struct TimeView {
    label: &'static str,
    at: Option<When>,
    by: Option<String>,
    /// How long after the declaration.
    after: Option<String>,
}

#[derive(Serialize)]
struct EntryView {
    anchor: String,
    at: When,
    who: String,
    kind: &'static str,
    event: Option<String>,
    parts: Vec<Part>,
    reply: bool,
    key: bool,
    /// Said in the fallback war room on IRC (tagged `IRC`).
    irc: bool,
    edited: Option<When>,
    previous: Option<String>,
    deleted: Option<When>,
    files: Vec<FileView>,
}

#[derive(Serialize)]
struct FileView {
    name: String,
    href: Option<String>,
}

#[derive(Serialize)]
struct ActionView {
    seq: i64,
    text: String,
    owner: Option<String>,
    due: Option<String>,
    status: &'static str,
    issue_url: Option<String>,
}

/// The incident `raw_id` names, when it exists and the dashboard may show it, and
/// whether it is private.
pub(super) async fn visible_incident(
    tx: &mut Tx,
    state: &DashboardState,
    raw_id: &str,
) -> Result<(Incident, bool), PageError> {
    let id = raw_id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)?;
    let private = match tx.incident_is_private(id).await? {
        None => return Err(PageError::NotFound),
        Some(true) if !state.show_private => return Err(PageError::NotFound),
        Some(private) => private,
    };
    let incident = tx.incident(id).await?.ok_or(PageError::NotFound)?;
    Ok((incident, private))
}

pub async fn show(
    State(state): State<DashboardState>,
    Extension(viewer): Extension<Viewer>,
    Path(raw_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let mut tx = state.store.read().await?;
    let (incident, private) = visible_incident(&mut tx, &state, &raw_id).await?;
    let seek = timeline_query(raw.as_deref())?;
    let id = incident.id;
    let people = tx.people().await?;
    let key = tx.key_events(id, KEY_EVENTS_SHOWN).await?;
    let page = tx.timeline_page(id, seek, TIMELINE_PER_PAGE).await?;
    let total = tx.timeline_len(id).await?;
    let pages = tx.pages(id).await?;
    let actions = tx.actions(id).await?;
    tx.commit().await?;

    let (earlier, later) = super::neighbours(seek, page.more);
    let base = format!("/dashboard/incidents/{id}");
    let at = |dir: &str, c: Option<Cursor>| {
        c.map(|c| {
            format!(
                "{base}?{}#timeline",
                serde_urlencoded::to_string([(dir, format_cursor(c))]).unwrap_or_default()
            )
        })
    };
    let pager = Pager {
        label: "Timeline pages",
        first: earlier.then(|| format!("{base}#timeline")),
        first_label: "⇤ Start",
        prev: earlier
            .then(|| at("before", page.rows.first().map(NumberedEntry::cursor)))
            .flatten(),
        prev_label: "← Earlier entries",
        next: later
            .then(|| at("after", page.rows.last().map(NumberedEntry::cursor)))
            .flatten(),
        next_label: "Later entries →",
        last: later.then(|| format!("{base}?page=last#timeline")),
        last_label: "Latest ⇥",
    };
    let first_ack = pages.iter().filter_map(|p| p.acked_at).min();
    let view = IncidentPage {
        chrome: Chrome::new(&viewer, ""),
        i: summary(&incident, private, first_ack, &people),
        key_events: key.rows.iter().map(|e| entry(e, &people)).collect(),
        key_events_more: key.more,
        pages: PagesTable {
            rows: pages.iter().map(|p| page_row(p, &state, &people)).collect(),
            via_column: false,
        },
        actions: actions
            .iter()
            .map(|a| ActionView {
                seq: a.seq,
                text: plain(&a.text, &people),
                owner: a.owner_id.as_deref().map(|o| name_of(&people, Some(o))),
                due: a.due.map(|d| d.to_string()),
                status: a.status.as_str(),
                issue_url: https_only(a.issue_url.as_deref()),
            })
            .collect(),
        timeline: page.rows.iter().map(|e| entry(e, &people)).collect(),
        timeline_total: total,
        timeline_per_page: TIMELINE_PER_PAGE,
        pager,
    };
    Ok(html(StatusCode::OK, "incident.html", &view))
}

fn summary(
    i: &Incident,
    private: bool,
    first_ack: Option<DateTime<Utc>>,
    people: &HashMap<String, Person>,
) -> Summary {
    let who = |id: &Option<String>| id.as_deref().map(|u| name_of(people, Some(u)));
    let since = |t: Option<DateTime<Utc>>| {
        t.map(|t| human_seconds((t - i.declared_at).num_seconds() as f64))
    };
    let time = |label, at: Option<DateTime<Utc>>| TimeView {
        label,
        at: at.map(when),
        by: None,
        after: since(at),
    };
    Summary {
        id: i.id,
        title: i.title.clone(),
        level: i.severity.level(),
        severity: i.severity.to_string(),
        status: i.status.as_str(),
        private,
        drill: i.drill,
        service: i.service.clone(),
        summary: i.summary.as_deref().map(|s| plain(s, people)),
        channel: i.channel_name.clone(),
        roles: vec![
            RoleView {
                role: "Commander",
                who: who(&i.lead),
            },
            RoleView {
                role: "Comms",
                who: who(&i.comms),
            },
            RoleView {
                role: "Scribe",
                who: who(&i.scribe),
            },
        ],
        times: vec![
            TimeView {
                label: "Declared",
                at: Some(when(i.declared_at)),
                by: Some(name_of(people, Some(&i.declared_by))),
                after: None,
            },
            time("First ack", first_ack),
            time("Identified", i.identified_at),
            time("Mitigated", i.mitigated_at),
            time("Resolved", i.resolved_at),
            time("Closed", i.closed_at),
        ],
        resolution: i.resolution.as_deref().map(|r| plain(r, people)),
        postmortem_href: format!("/dashboard/incidents/{}/postmortem.md", i.id),
    }
}

fn entry(n: &NumberedEntry, people: &HashMap<String, Person>) -> EntryView {
    let e: &TimelineEntry = &n.entry;
    let event = e.kind.system_kind();
    EntryView {
        anchor: format!("e{}", n.id),
        at: when(e.at),
        who: match (&e.source, &e.author_id, &e.author_nick) {
            (EntrySource::Irc, None, Some(nick)) => nick.clone(),
            _ => name_of(people, e.author_id.as_deref()),
        },
        kind: if event.is_some() { "system" } else { "message" },
        event: event.map(str::to_string),
        parts: parts(&e.text, people),
        reply: e.thread_ts.is_some() && e.thread_ts != e.ts,
        key: e.marked_key || event.is_some_and(is_key_system_kind),
        irc: e.source == EntrySource::Irc,
        edited: e.edited_at.map(when),
        previous: e.previous_text.as_deref().map(|t| plain(t, people)),
        deleted: e.deleted_at.map(when),
        files: e
            .files
            .iter()
            .map(|f| FileView {
                name: f.name.clone(),
                href: https_only(f.permalink.as_deref()),
            })
            .collect(),
    }
}

fn page_row(p: &PageRecord, state: &DashboardState, people: &HashMap<String, Person>) -> PageRow {
    PageRow {
        who: name_of(people, Some(&p.user_id)),
        team: p.team_id.as_deref().map(|t| {
            state
                .escalation
                .team(t)
                .map_or_else(|| t.to_string(), |team| team.name.clone())
        }),
        level: p
            .level
            .map_or_else(|| "manual".to_string(), |l| (l + 1).to_string()),
        paged: when(p.paged_at),
        // The incident page shows all its pages; no window leaves any out.
        in_window: true,
        acked: p.acked_at.map(when),
        acked_by: p.acked_by.as_deref().map(|u| name_of(people, Some(u))),
        how_fast: p
            .acked_at
            .map(|a| human_seconds((a - p.paged_at).num_seconds() as f64)),
        via: None,
    }
}
