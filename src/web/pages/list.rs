//! `/dashboard/`: incidents, newest declared first, filtered by status, severity and
//! declare date, a page at a time (keyset links, so the 200th page costs what the
//! first does). Incidents of private war rooms are left out unless shown by config.

use super::{Chrome, PageError, html, when_minutes};
use crate::store::Cursor;
use crate::web::DashboardState;
use crate::web::auth::Viewer;
use crate::web::filters::{ListQuery, format_cursor, list_query};
use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

/// Incidents per page.
pub const PER_PAGE: usize = 50;

#[derive(Serialize)]
struct ListPage {
    #[serde(flatten)]
    chrome: Chrome,
    status_options: Vec<Choice>,
    severity_options: Vec<Choice>,
    from: String,
    to: String,
    filtered: bool,
    hidden_private: bool,
    total: i64,
    incidents: Vec<Row>,
    pager: super::Pager,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    href: String,
    title: String,
    level: u8,
    severity: String,
    status: &'static str,
    service: Option<String>,
    declared: super::When,
    /// A practice incident: listed, marked DRILL (the trends leave it out).
    drill: bool,
}

pub async fn show(
    State(state): State<DashboardState>,
    Extension(viewer): Extension<Viewer>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = list_query(raw.as_deref(), state.show_private)?;
    let mut tx = state.store.read().await?;
    let page = tx.list_incidents(&q.filter, q.seek, PER_PAGE).await?;
    let total = tx.count_incidents(&q.filter).await?;
    tx.commit().await?;

    let cursor = |i: &crate::domain::Incident| Cursor {
        at: i.declared_at,
        id: i.id,
    };
    let (first, last) = (page.rows.first().map(cursor), page.rows.last().map(cursor));
    let (newer, older) = super::neighbours(q.seek, page.more);
    let pager = super::Pager {
        label: "Incident pages",
        prev: newer
            .then(|| first.map(|c| link(&q, "before", c)))
            .flatten(),
        prev_label: "← Newer incidents",
        next: older.then(|| last.map(|c| link(&q, "after", c))).flatten(),
        next_label: "Older incidents →",
        ..Default::default()
    };
    let view = ListPage {
        chrome: Chrome::new(&viewer, "/dashboard/"),
        status_options: choices(
            &[
                ("", "Any"),
                ("open", "Open (not closed)"),
                ("investigating", "Investigating"),
                ("identified", "Identified"),
                ("monitoring", "Monitoring"),
                ("resolved", "Resolved"),
                ("closed", "Closed"),
            ],
            q.status.as_deref().unwrap_or(""),
        ),
        severity_options: choices(
            &[
                ("", "Any"),
                ("1", "SEV1"),
                ("2", "SEV2"),
                ("3", "SEV3"),
                ("4", "SEV4"),
            ],
            &q.severity.map(|s| s.to_string()).unwrap_or_default(),
        ),
        from: q.from.map(|d| d.to_string()).unwrap_or_default(),
        to: q.to.map(|d| d.to_string()).unwrap_or_default(),
        filtered: q.status.is_some() || q.severity.is_some() || q.from.is_some() || q.to.is_some(),
        hidden_private: !state.show_private,
        total,
        incidents: page
            .rows
            .iter()
            .map(|i| Row {
                id: i.id,
                href: format!("/dashboard/incidents/{}", i.id),
                title: i.title.clone(),
                level: i.severity.level(),
                severity: i.severity.to_string(),
                status: i.status.as_str(),
                service: i.service.clone(),
                declared: when_minutes(i.declared_at),
                drill: i.drill,
            })
            .collect(),
        pager,
    };
    Ok(html(StatusCode::OK, "list.html", &view))
}

fn choices(options: &[(&str, &str)], chosen: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(value, label)| Choice {
            value: value.to_string(),
            label: label.to_string(),
            selected: *value == chosen,
        })
        .collect()
}

/// This list, same filters, from `cursor` in direction `dir` (`after` or `before`).
fn link(q: &ListQuery, dir: &str, cursor: Cursor) -> String {
    let mut params: Vec<(&str, String)> = Vec::new();
    if let Some(s) = &q.status {
        params.push(("status", s.clone()));
    }
    if let Some(s) = q.severity {
        params.push(("severity", s.to_string()));
    }
    if let Some(d) = q.from {
        params.push(("from", d.to_string()));
    }
    if let Some(d) = q.to {
        params.push(("to", d.to_string()));
    }
    params.push((dir, format_cursor(cursor)));
    format!(
        "/dashboard/?{}",
        serde_urlencoded::to_string(&params).unwrap_or_default()
    )
}
