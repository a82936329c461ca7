//! Builds an [`OncallReport`] from what is stored, and nothing else: [`read`] takes
//! the window's incidents and, for all of them at once, their pages, open action
//! items, key events and escalations, in one snapshot; [`assemble`] turns that into
//! the report without further I/O (so it is tested without a database).

use super::format::{one_line, plain};
use super::model::{
    ActionReport, Elapsed, EventReport, FirstAck, IncidentReport, OncallReport, PageReport,
    PersonRef, Totals,
};
use super::window::Window;
use crate::config::escalation::EscalationConfig;
use crate::domain::{ActionItem, Incident, KEY_SYSTEM_KINDS, Person, Status};
use crate::store::{PageRecord, ReportEntry, Store, StoreResult, Tx};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The escalation's own entries, shown apart from the key events.
const ESCALATION_KIND: &str = "escalation";

/// Key system kinds the report shows as fields of their own (times, pages, acks,
/// escalation), so they are not repeated among the key events.
const SHOWN_ELSEWHERE: [&str; 6] = [
    "declared",
    "page",
    "ack",
    "escalation",
    "resolved",
    "closed",
];

/// What the report is made from, as read in one snapshot.
#[derive(Debug, Default)]
pub struct Stored {
    pub incidents: Vec<Incident>,
    pub pages: Vec<PageRecord>,
    pub open_actions: Vec<ActionItem>,
    pub entries: Vec<ReportEntry>,
    pub people: HashMap<String, Person>,
}

/// The report of `window`, generated at `now`; `config` names the teams pages went
/// through.
pub async fn build(
    store: &Store,
    window: Window,
    now: DateTime<Utc>,
    config: &EscalationConfig,
) -> StoreResult<OncallReport> {
    let mut tx = store.read().await?;
    let stored = read(&mut tx, window).await?;
    tx.commit().await?;
    Ok(assemble(&stored, window, now, config))
}

/// The system kinds [`read`] asks for: the key ones not shown elsewhere, and the
/// escalation's.
fn entry_kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&str> = KEY_SYSTEM_KINDS
        .into_iter()
        .filter(|k| !SHOWN_ELSEWHERE.contains(k))
        .collect();
    kinds.push(ESCALATION_KIND);
    kinds
}

/// Five reads, however many incidents the window holds.
pub async fn read(tx: &mut Tx, window: Window) -> StoreResult<Stored> {
    tx.report_snapshot().await?;
    let incidents = tx
        .incidents_in_window(window.since(), window.until())
        .await?;
    if incidents.is_empty() {
        return Ok(Stored::default());
    }
    let ids: Vec<i64> = incidents.iter().map(|i| i.id).collect();
    Ok(Stored {
        pages: tx.pages_of(&ids).await?,
        open_actions: tx.open_actions_of(&ids).await?,
        entries: tx.report_entries_of(&ids, &entry_kinds()).await?,
        people: tx.people().await?,
        incidents,
    })
}

/// The report from what was read; pure.
pub fn assemble(
    stored: &Stored,
    window: Window,
    now: DateTime<Utc>,
    config: &EscalationConfig,
) -> OncallReport {
    let mut pages: HashMap<i64, Vec<&PageRecord>> = HashMap::new();
    for p in &stored.pages {
        pages.entry(p.incident_id).or_default().push(p);
    }
    let mut actions: HashMap<i64, Vec<&ActionItem>> = HashMap::new();
    for a in &stored.open_actions {
        actions.entry(a.incident_id).or_default().push(a);
    }
    let mut entries: HashMap<i64, Vec<&ReportEntry>> = HashMap::new();
    for e in &stored.entries {
        entries.entry(e.incident_id).or_default().push(e);
    }
    let names = Names {
        people: &stored.people,
        config,
    };
    let incidents: Vec<IncidentReport> = stored
        .incidents
        .iter()
        .map(|i| {
            let parts = Parts {
                pages: pages.get(&i.id).map(Vec::as_slice).unwrap_or_default(),
                actions: actions.get(&i.id).map(Vec::as_slice).unwrap_or_default(),
                entries: entries.get(&i.id).map(Vec::as_slice).unwrap_or_default(),
            };
            incident(i, &parts, &names, window, now)
        })
        .collect();
    OncallReport {
        since: window.since(),
        until: window.until(),
        generated_at: now,
        totals: totals(&stored.incidents, &incidents, window),
        incidents,
    }
}

/// One incident's rows.
struct Parts<'a> {
    pages: &'a [&'a PageRecord],
    actions: &'a [&'a ActionItem],
    entries: &'a [&'a ReportEntry],
}

/// Where names come from: the people cache, and the escalation config for teams.
struct Names<'a> {
    people: &'a HashMap<String, Person>,
    config: &'a EscalationConfig,
}

impl Names<'_> {
    fn person(&self, id: &str) -> PersonRef {
        PersonRef {
            id: id.to_string(),
            name: self
                .people
                .get(id)
                .map(|p| p.name.clone())
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| id.to_string()),
        }
    }

    fn team(&self, id: &str) -> String {
        self.config
            .team(id)
            .map_or_else(|| id.to_string(), |t| t.name.clone())
    }

    /// Stored Slack text as one plain line.
    fn text(&self, raw: &str) -> String {
        one_line(&plain(raw, self.people))
    }
}

fn incident(
    i: &Incident,
    parts: &Parts<'_>,
    names: &Names<'_>,
    window: Window,
    now: DateTime<Utc>,
) -> IncidentReport {
    let pages: Vec<PageReport> = parts.pages.iter().map(|p| page(p, names, window)).collect();
    let first_ack = parts
        .pages
        .iter()
        .filter_map(|p| Some((p.acked_at?, p)))
        .min_by_key(|(at, p)| (*at, p.id))
        .map(|(at, p)| FirstAck {
            at,
            by: names.person(p.acked_by.as_deref().unwrap_or(&p.user_id)),
            after_declared: Elapsed::between(i.declared_at, at),
        });
    let (escalations, key_events): (Vec<&ReportEntry>, Vec<&ReportEntry>) = parts
        .entries
        .iter()
        .partition(|e| e.system_event.as_deref() == Some(ESCALATION_KIND));
    let event = |e: &&ReportEntry| EventReport {
        at: e.at,
        kind: e.system_event.clone().unwrap_or_else(|| "message".into()),
        author: e.author_id.as_deref().map(|a| names.person(a)),
        text: names.text(&e.text),
    };
    IncidentReport {
        id: i.id,
        title: names.text(&i.title),
        drill: i.drill,
        severity: i.severity.to_string(),
        severity_level: i.severity.level(),
        status: i.status.as_str().to_string(),
        open: !matches!(i.status, Status::Resolved | Status::Closed),
        service: i.service.as_deref().map(one_line),
        war_room: i.channel_name.clone(),
        channel_id: i.channel_id.clone(),
        declared_at: i.declared_at,
        declared_by: names.person(&i.declared_by),
        commander: i.lead.as_deref().map(|l| names.person(l)),
        first_ack,
        resolved_at: i.resolved_at,
        time_to_resolve: i.resolved_at.map(|at| Elapsed::between(i.declared_at, at)),
        closed_at: i.closed_at,
        resolution: i
            .resolution
            .as_deref()
            .map(|r| names.text(r))
            .filter(|r| !r.is_empty()),
        pages,
        escalations: escalations.iter().map(event).collect(),
        key_events: key_events.iter().map(event).collect(),
        open_actions: parts
            .actions
            .iter()
            .map(|a| ActionReport {
                seq: a.seq,
                text: names.text(&a.text),
                owner: a.owner_id.as_deref().map(|o| names.person(o)),
                due: a.due,
                overdue: a.due.is_some_and(|d| d < now.date_naive()),
                issue_url: a.issue_url.clone(),
            })
            .collect(),
    }
}

fn page(p: &PageRecord, names: &Names<'_>, window: Window) -> PageReport {
    PageReport {
        person: names.person(&p.user_id),
        team: p.team_id.as_deref().map(|t| names.team(t)),
        level: p.level.map(|l| l + 1),
        paged_by: p.paged_by.as_deref().map(|b| names.person(b)),
        note: p
            .note
            .as_deref()
            .map(|n| names.text(n))
            .filter(|n| !n.is_empty()),
        paged_at: p.paged_at,
        in_window: window.contains(p.paged_at),
        acked_at: p.acked_at,
        acked_by: p
            .acked_at
            .map(|_| names.person(p.acked_by.as_deref().unwrap_or(&p.user_id))),
        ack_after: p.acked_at.map(|at| Elapsed::between(p.paged_at, at)),
        ack_via: p.ack_source.as_deref().map(ack_via),
    }
}

/// How a stored ack source reads: `slack_button` → `Slack button`.
fn ack_via(source: &str) -> String {
    match source {
        "slack_button" => "Slack button".into(),
        "slash_command" => "/incident ack".into(),
        other => crate::pagers::Provider::from_name(other)
            .map_or_else(|| one_line(other), |p| p.to_string()),
    }
}

fn totals(stored: &[Incident], shown: &[IncidentReport], window: Window) -> Totals {
    let in_window = |at: Option<DateTime<Utc>>| at.is_some_and(|t| window.contains(t));
    let pages_in_window = || shown.iter().flat_map(|i| &i.pages).filter(|p| p.in_window);
    Totals {
        incidents: stored.len(),
        declared: stored
            .iter()
            .filter(|i| in_window(Some(i.declared_at)))
            .count(),
        resolved: stored.iter().filter(|i| in_window(i.resolved_at)).count(),
        open_at_end: stored
            .iter()
            .filter(|i| {
                i.declared_at < window.until()
                    && i.resolved_at
                        .or(i.closed_at)
                        .is_none_or(|end| end >= window.until())
            })
            .count(),
        pages: pages_in_window().count(),
        pages_acked: pages_in_window().filter(|p| p.acked_at.is_some()).count(),
    }
}

#[cfg(test)]
#[path = "build_tests.rs"]
mod tests;
