//! `/dashboard/report`: the on-call report of a window (`?since=24h&until=now` by
//! default), the same [`crate::report::OncallReport`] that `warroom report` prints
//! and `/incident report` answers, drawn as a page: a summary line, then each
//! incident with its times, pages and acks, key events, resolution and open action
//! items. Incidents of private war rooms are counted in the totals but not shown,
//! unless `[dashboard] show_private` is set, as on the other pages.

use super::{Chrome, PageError, PageRow, PagesTable, When, html, when};
use crate::report::{self, EventReport, IncidentReport, OncallReport, PageReport};
use crate::web::DashboardState;
use crate::web::auth::Viewer;
use crate::web::filters::{MAX_REPORT_DAYS, report_query};
use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use std::collections::HashSet;

pub const PATH: &str = "/dashboard/report";

#[derive(Serialize)]
struct ReportPage {
    #[serde(flatten)]
    chrome: Chrome,
    since: When,
    until: When,
    /// The form's values as given, to show them back.
    since_arg: String,
    until_arg: String,
    max_days: i64,
    summary: String,
    incidents: Vec<IncidentView>,
    /// Private incidents counted in the summary and left out below.
    hidden: usize,
}

#[derive(Serialize)]
struct IncidentView {
    id: i64,
    href: String,
    title: String,
    severity: String,
    level: u8,
    status: String,
    service: Option<String>,
    war_room: Option<String>,
    declared: When,
    declared_by: String,
    commander: Option<String>,
    first_ack: Option<String>,
    resolved: Option<When>,
    resolved_note: &'static str,
    time_to_resolve: Option<String>,
    closed: Option<When>,
    resolution: Option<String>,
    pages: PagesTable,
    events: Vec<EventView>,
    actions: Vec<ActionView>,
}

#[derive(Serialize)]
struct EventView {
    at: When,
    kind: String,
    who: Option<String>,
    text: String,
}

#[derive(Serialize)]
struct ActionView {
    seq: i64,
    text: String,
    owner: Option<String>,
    due: Option<String>,
    overdue: bool,
}

pub async fn show(
    State(state): State<DashboardState>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let window = report_query(raw.as_deref(), now)?;
    let report = report::build(&state.store, window, now, &state.escalation).await?;
    let hidden_ids = if state.show_private {
        HashSet::new()
    } else {
        private_ids(&state, &report).await?
    };
    let args = crate::web::filters::Params::parse(raw.as_deref(), &["since", "until"])?;
    let page = ReportPage {
        chrome: Chrome::new(&viewer, PATH),
        since: when(report.since),
        until: when(report.until),
        since_arg: args.get("since").unwrap_or("24h").to_string(),
        until_arg: args.get("until").unwrap_or("now").to_string(),
        max_days: MAX_REPORT_DAYS,
        summary: report::markdown::summary(&report.totals),
        hidden: hidden_ids.len(),
        incidents: report
            .incidents
            .iter()
            .filter(|i| !hidden_ids.contains(&i.id))
            .map(incident_view)
            .collect(),
    };
    Ok(html(StatusCode::OK, "report.html", &page))
}

/// The ids of the report's incidents that ran in private war rooms, read at once.
async fn private_ids(
    state: &DashboardState,
    report: &OncallReport,
) -> Result<HashSet<i64>, PageError> {
    let ids: Vec<i64> = report.incidents.iter().map(|i| i.id).collect();
    let mut tx = state.store.read().await?;
    let private = tx.private_incidents(&ids).await?;
    tx.commit().await?;
    Ok(private)
}

fn incident_view(i: &IncidentReport) -> IncidentView {
    IncidentView {
        id: i.id,
        href: format!("/dashboard/incidents/{}", i.id),
        title: i.title.clone(),
        severity: i.severity.clone(),
        level: i.severity_level,
        status: i.status.clone(),
        service: i.service.clone(),
        war_room: i.war_room.clone(),
        declared: when(i.declared_at),
        declared_by: i.declared_by.name.clone(),
        commander: i.commander.as_ref().map(|p| p.name.clone()),
        first_ack: i.first_ack.as_ref().map(|a| {
            format!(
                "{} by {} ({} after the declaration)",
                when(a.at).text,
                a.by.name,
                a.after_declared.text
            )
        }),
        resolved: i.resolved_at.map(when),
        // A closed incident without a resolve time was closed straight away (or
        // imported): its resolve is unknown, not pending.
        resolved_note: if i.open { "not yet" } else { "not recorded" },
        time_to_resolve: i.time_to_resolve.as_ref().map(|e| e.text.clone()),
        closed: i.closed_at.map(when),
        resolution: i.resolution.clone(),
        pages: PagesTable {
            rows: i.pages.iter().map(page_row).collect(),
            via_column: true,
        },
        events: events_in_order(i),
        actions: i
            .open_actions
            .iter()
            .map(|a| ActionView {
                seq: a.seq,
                text: a.text.clone(),
                owner: a.owner.as_ref().map(|p| p.name.clone()),
                due: a.due.map(|d| d.to_string()),
                overdue: a.overdue,
            })
            .collect(),
    }
}

/// The escalation's record and the key events, as one list in time order.
fn events_in_order(i: &IncidentReport) -> Vec<EventView> {
    let mut events: Vec<&EventReport> = i.escalations.iter().chain(&i.key_events).collect();
    events.sort_by_key(|e| e.at);
    events.into_iter().map(event_view).collect()
}

fn page_row(p: &PageReport) -> PageRow {
    PageRow {
        who: p.person.name.clone(),
        team: p.team.clone(),
        level: p
            .level
            .map(|l| l.to_string())
            .unwrap_or_else(|| "by hand".into()),
        paged: when(p.paged_at),
        in_window: p.in_window,
        acked: p.acked_at.map(when),
        acked_by: p.acked_by.as_ref().map(|a| a.name.clone()),
        how_fast: p.ack_after.as_ref().map(|e| e.text.clone()),
        via: p.ack_via.clone(),
    }
}

fn event_view(e: &EventReport) -> EventView {
    EventView {
        at: when(e.at),
        kind: e.kind.replace('_', " "),
        who: e.author.as_ref().map(|p| p.name.clone()),
        text: e.text.clone(),
    }
}
