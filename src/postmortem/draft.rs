//! What the postmortem says, as data: every section computed from the incident, its
//! timeline and the people in it. Renderers only decide how it looks.
//!
//! The wording is blameless on purpose: the draft records what happened and who took
//! part, and its prompts ask about conditions and systems, never about who is at fault.

use super::duration::{format_datetime, shown_span};
use super::rich_text::RichText;
use crate::domain::{FileRef, Incident, Person, Severity, Status, TimelineEntry};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::{HashMap, HashSet};

pub const SUMMARY_PROMPT: &str =
    "To fill in: what happened, who was affected and how it was resolved, in a few sentences.";
pub const RESOLUTION_PROMPT: &str =
    "To fill in: what restored service, and what is still temporary.";
pub const ROOT_CAUSE_PROMPT: &str = "To fill in: the conditions and contributing factors that \
     made this possible. Ask \"how did our systems and processes allow this?\", not \"who did it?\".";
pub const ACTION_PLAN_PROMPT: &str = "To fill in: changes that make this less likely or less harmful, each with an owner and a due date.";
/// Shown where a time or duration was never captured.
pub const NOT_RECORDED: &str = "not recorded";

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub incident_id: i64,
    /// `Postmortem: <incident title>`, plain text.
    pub title: String,
    pub declared_at: DateTime<Utc>,
    pub status: Status,
    /// `None` means the team still has to write it; renderers show [`SUMMARY_PROMPT`].
    pub summary: Option<RichText>,
    pub stakeholders: Vec<Stakeholder>,
    pub timeline: Vec<Line>,
    pub impact: Impact,
    /// In display order. A list rather than fields so new metrics (per-page
    /// time-to-acknowledge, say) are added without touching the renderers.
    pub metrics: Vec<Metric>,
    pub resolution: Option<RichText>,
    /// Name of the Markdown attachment, see [`file_name`].
    pub file_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stakeholder {
    pub user_id: String,
    /// Display name, or the raw id when the person is unknown.
    pub name: String,
    /// Their team, from the profile title.
    pub title: Option<String>,
    /// How a paged person answered, e.g. `paged, acknowledged after 3m`.
    pub paging: Option<String>,
}

impl Stakeholder {
    /// `Susan Vega — Customer Support`
    pub fn label(&self) -> String {
        let base = match &self.title {
            Some(t) => format!("{} — {t}", self.name),
            None => self.name.clone(),
        };
        match &self.paging {
            Some(p) => format!("{base} ({p})"),
            None => base,
        }
    }
}

/// One timeline entry, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub at: DateTime<Utc>,
    /// True on the first line and whenever the UTC date differs from the line before,
    /// so incidents that cross midnight stay readable with `HH:MM` times.
    pub starts_day: bool,
    pub author: String,
    pub system: bool,
    pub reply: bool,
    /// The current (or, when deleted, last known) text.
    pub text: RichText,
    pub change: LineChange,
    pub files: Vec<FileRef>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LineChange {
    Unchanged,
    /// `earlier` holds every earlier version that was captured, oldest first, with the
    /// time it was written (possibly none: an export keeps only the final text).
    Edited {
        earlier: Vec<(DateTime<Utc>, RichText)>,
    },
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    pub severity: Severity,
    pub service: Option<String>,
    pub start: DateTime<Utc>,
    /// `None` while open with no timeline to go by.
    pub end: Option<DateTime<Utc>>,
    pub duration: Option<TimeDelta>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// Stable identifier, e.g. `first_response`.
    pub key: String,
    /// What the reader sees, e.g. `Time to first response`.
    pub label: String,
    pub at: Option<DateTime<Utc>>,
    /// From the declaration to `at`; `None` when `at` was not recorded.
    pub elapsed: Option<TimeDelta>,
}

impl Metric {
    fn since(key: &str, label: &str, from: DateTime<Utc>, at: Option<DateTime<Utc>>) -> Self {
        Metric {
            key: key.to_string(),
            label: label.to_string(),
            at,
            elapsed: at.map(|t| shown_span(from, t)),
        }
    }
}

/// Builds the draft. `entries` may come in any order; they are sorted by time, then ts.
pub fn build(
    incident: &Incident,
    entries: &[TimelineEntry],
    people: &HashMap<String, Person>,
) -> Draft {
    let mut sorted: Vec<&TimelineEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.ts.cmp(&b.ts)));

    let start = sorted
        .first()
        .map_or(incident.declared_at, |e| e.at.min(incident.declared_at));
    let end = incident
        .closed_at
        .or(incident.resolved_at)
        .or(sorted.last().map(|e| e.at));

    Draft {
        incident_id: incident.id,
        title: format!("Postmortem: {}", one_line(&plain(&incident.title, people))),
        declared_at: incident.declared_at,
        status: incident.status,
        summary: rich(incident.summary.as_deref(), people),
        stakeholders: stakeholders(incident, &sorted, people),
        timeline: timeline(&sorted, people),
        impact: Impact {
            severity: incident.severity,
            service: incident.service.clone().filter(|s| !s.trim().is_empty()),
            start,
            end,
            duration: end.map(|e| shown_span(start, e)),
        },
        metrics: metrics(incident, &sorted),
        resolution: rich(incident.resolution.as_deref(), people),
        file_name: file_name(incident),
    }
}

/// `postmortem-inc-42-checkout-down.md`: lowercase ASCII letters, digits and `-` only,
/// so it is safe as an upload name on any file system.
pub fn file_name(incident: &Incident) -> String {
    const MAX_SLUG: usize = 60;
    let slug = crate::domain::slugify(&incident.title);
    // Slugs are ASCII, so bytes are characters.
    let slug = slug[..slug.len().min(MAX_SLUG)].trim_end_matches('-');
    let id = incident.id;
    if slug.is_empty() {
        format!("postmortem-inc-{id}.md")
    } else {
        format!("postmortem-inc-{id}-{slug}.md")
    }
}

impl Draft {
    /// `2021-03-09 09:15 UTC`
    pub fn declared(&self) -> String {
        format_datetime(self.declared_at)
    }
}

fn rich(text: Option<&str>, people: &HashMap<String, Person>) -> Option<RichText> {
    text.map(|t| RichText::parse(t, people))
        .filter(|t| !t.is_blank())
}

fn plain(text: &str, people: &HashMap<String, Person>) -> String {
    RichText::parse(text, people).plain()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn display_name(id: &str, people: &HashMap<String, Person>) -> String {
    people
        .get(id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

/// Everyone who took part, each once, in order of first appearance. The declarer
/// appears at `declared_at`, after anything posted at or before it; the lead, who has
/// no time of their own, comes last if not seen already.
fn stakeholders(
    incident: &Incident,
    sorted: &[&TimelineEntry],
    people: &HashMap<String, Person>,
) -> Vec<Stakeholder> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut add = |id: &str| {
        if is_person(id, people) && seen.insert(id.to_string()) {
            let person = people.get(id);
            out.push(Stakeholder {
                user_id: id.to_string(),
                name: person.map_or_else(|| id.to_string(), |p| p.name.clone()),
                title: person
                    .and_then(|p| p.title.clone())
                    .filter(|t| !t.trim().is_empty()),
                paging: None,
            });
        }
    };
    let mut declarer_added = false;
    for entry in sorted {
        if !declarer_added && entry.at > incident.declared_at {
            add(&incident.declared_by);
            declarer_added = true;
        }
        if let Some(id) = &entry.author_id {
            add(id);
        }
    }
    add(&incident.declared_by);
    if let Some(lead) = &incident.lead {
        add(lead);
    }
    out
}

fn timeline(sorted: &[&TimelineEntry], people: &HashMap<String, Person>) -> Vec<Line> {
    let mut lines = Vec::with_capacity(sorted.len());
    let mut previous_day = None;
    for entry in sorted {
        let day = entry.at.date_naive();
        let author = match &entry.author_id {
            Some(id) => display_name(id, people),
            None if entry.is_system() => "Warroom".to_string(),
            None => "unknown".to_string(),
        };
        let change = if entry.deleted_at.is_some() {
            LineChange::Deleted
        } else if entry.edited_at.is_some() || entry.previous_text.is_some() {
            LineChange::Edited {
                earlier: earlier_versions(entry, people),
            }
        } else {
            LineChange::Unchanged
        };
        lines.push(Line {
            at: entry.at,
            starts_day: previous_day != Some(day),
            author,
            system: entry.is_system(),
            reply: entry.is_thread_reply(),
            text: RichText::parse(&entry.text, people),
            change,
            files: entry.files.clone(),
        });
        previous_day = Some(day);
    }
    lines
}

/// The versions an edited entry had, oldest first. Rows written before versions were
/// kept know only the text before the latest edit, at an unknown time (the
/// message's own stands in).
fn earlier_versions(
    entry: &TimelineEntry,
    people: &HashMap<String, Person>,
) -> Vec<(DateTime<Utc>, RichText)> {
    if entry.versions.is_empty() {
        return rich(entry.previous_text.as_deref(), people)
            .map(|t| vec![(entry.at, t)])
            .unwrap_or_default();
    }
    entry
        .versions
        .iter()
        .map(|v| (v.at, RichText::parse(&v.text, people)))
        .collect()
}

fn metrics(incident: &Incident, sorted: &[&TimelineEntry]) -> Vec<Metric> {
    let from = incident.declared_at;
    let human_messages = || {
        sorted
            .iter()
            .filter(|e| !e.is_system() && e.author_id.as_deref().is_some_and(is_human))
    };
    // A response is someone answering the declaration: the declarer's own messages
    // come first only when nobody else ever spoke.
    let after = || human_messages().filter(|e| e.at >= from);
    let first_response = after()
        .find(|e| e.author_id.as_deref() != Some(incident.declared_by.as_str()))
        .or_else(|| after().next())
        .or_else(|| human_messages().next())
        .map(|e| e.at);
    vec![
        Metric::since(
            "first_response",
            "Time to first response",
            from,
            first_response,
        ),
        Metric::since(
            "identified",
            "Time to identified",
            from,
            incident.identified_at,
        ),
        Metric::since("resolved", "Time to resolved", from, incident.resolved_at),
    ]
}

/// Stakeholders are people: a user id that is not Slackbot's, and, once looked up, not
/// a bot user or an id Slack does not know. Bots' posts stay in the timeline.
fn is_person(id: &str, people: &HashMap<String, Person>) -> bool {
    use crate::domain::{IdKind, PersonKind, is_slack_id};
    is_slack_id(id, IdKind::User)
        && id != "USLACKBOT"
        && people.get(id).is_none_or(|p| p.kind == PersonKind::Human)
}

/// Slack bot ids start with `B`; messages from apps are not a human response.
fn is_human(author_id: &str) -> bool {
    !author_id.is_empty() && !author_id.starts_with('B')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonKind;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2021, 3, 9, h, m, 0).unwrap()
    }

    fn incident() -> Incident {
        Incident {
            id: 42,
            title: "Checkout down!".into(),
            severity: Severity::SEV2,
            status: Status::Closed,
            service: None,
            summary: None,
            lead: Some("U3".into()),
            comms: None,
            scribe: None,
            declared_by: "U2".into(),
            declared_at: at(9, 15),
            identified_at: Some(at(9, 45)),
            mitigated_at: None,
            resolved_at: None,
            closed_at: None,
            resolution: None,
            channel_id: None,
            channel_name: None,
        }
    }

    fn msg(at: DateTime<Utc>, author: &str, text: &str) -> TimelineEntry {
        TimelineEntry::message(
            42,
            at,
            Some(author.into()),
            text.into(),
            format!("{}.000000", at.timestamp()),
        )
    }

    fn people() -> HashMap<String, Person> {
        [
            ("U1", "Susan Vega", Some("Customer Support")),
            ("U2", "Glen Hammer", None),
        ]
        .into_iter()
        .map(|(id, name, title)| {
            let p = Person {
                user_id: id.into(),
                name: name.into(),
                title: title.map(Into::into),
                kind: crate::domain::PersonKind::Human,
            };
            (id.to_string(), p)
        })
        .collect()
    }

    #[test]
    fn bots_and_ids_nobody_knows_are_not_stakeholders() {
        let mut people = people();
        for (id, kind) in [
            ("U0BOTUSER1", PersonKind::Bot),
            ("U0GHOST001", PersonKind::Unknown),
        ] {
            let p = Person {
                user_id: id.into(),
                name: id.into(),
                title: None,
                kind,
            };
            people.insert(id.into(), p);
        }
        let entries = [
            msg(at(9, 16), "U1", "on it"),
            msg(at(9, 17), "B0GRAFANA1", "CPU 99%"),
            msg(at(9, 18), "U0BOTUSER1", "deploy finished"),
            msg(at(9, 19), "U0GHOST001", "who"),
            msg(at(9, 20), "USLACKBOT", "reminder"),
        ];
        let draft = build(&incident(), &entries, &people);
        let ids: Vec<_> = draft
            .stakeholders
            .iter()
            .map(|s| s.user_id.as_str())
            .collect();
        assert_eq!(ids, ["U2", "U1", "U3"]);
        assert_eq!(draft.timeline.len(), 5, "their posts stay in the timeline");
    }

    #[test]
    fn entries_are_sorted_by_time_then_ts_whatever_order_they_arrive_in() {
        let mut a = msg(at(9, 20), "U1", "second");
        a.ts = Some("1615281600.000002".into());
        let mut b = msg(at(9, 20), "U1", "first");
        b.ts = Some("1615281600.000001".into());
        let c = msg(at(9, 16), "U1", "zeroth");
        let draft = build(&incident(), &[a, b, c], &people());
        let texts: Vec<_> = draft.timeline.iter().map(|l| l.text.plain()).collect();
        assert_eq!(texts, ["zeroth", "first", "second"]);
    }

    #[test]
    fn stakeholders_are_deduplicated_with_titles_in_order_of_first_appearance() {
        let entries = [
            msg(at(9, 10), "U1", "early report"),
            msg(at(9, 20), "U9", "who am i"),
            msg(at(9, 21), "U1", "again"),
        ];
        let draft = build(&incident(), &entries, &people());
        let labels: Vec<_> = draft.stakeholders.iter().map(Stakeholder::label).collect();
        assert_eq!(
            labels,
            ["Susan Vega — Customer Support", "Glen Hammer", "U9", "U3"]
        );
    }

    #[test]
    fn impact_runs_from_the_earliest_of_declaration_and_first_entry_to_the_last_entry() {
        let entries = [msg(at(9, 10), "U1", "a"), msg(at(10, 25), "U1", "b")];
        let draft = build(&incident(), &entries, &people());
        assert_eq!(draft.impact.start, at(9, 10));
        assert_eq!(draft.impact.end, Some(at(10, 25)));
        assert_eq!(draft.impact.duration, Some(TimeDelta::minutes(75)));
    }

    #[test]
    fn impact_ends_at_close_before_resolve_before_last_entry() {
        let mut inc = incident();
        inc.resolved_at = Some(at(11, 0));
        let entries = [msg(at(12, 0), "U1", "late chatter")];
        assert_eq!(build(&inc, &entries, &people()).impact.end, Some(at(11, 0)));
        inc.closed_at = Some(at(13, 0));
        assert_eq!(build(&inc, &entries, &people()).impact.end, Some(at(13, 0)));
    }

    #[test]
    fn first_response_skips_system_entries_bots_and_messages_before_the_declaration() {
        let entries = [
            msg(at(9, 0), "U1", "before"),
            TimelineEntry::system(42, at(9, 15), "declared", Some("U2"), "Declared".into()),
            msg(at(9, 16), "B123", "bot says hi"),
            msg(at(9, 18), "U1", "on it"),
        ];
        let draft = build(&incident(), &entries, &people());
        let first = &draft.metrics[0];
        assert_eq!(first.key, "first_response");
        assert_eq!(first.elapsed, Some(TimeDelta::minutes(3)));
    }

    #[test]
    fn first_response_falls_back_to_the_first_message_when_none_follow_the_declaration() {
        let draft = build(&incident(), &[msg(at(9, 0), "U1", "before")], &people());
        assert_eq!(draft.metrics[0].at, Some(at(9, 0)));
    }

    #[test]
    fn metrics_not_captured_are_none() {
        let draft = build(&incident(), &[], &people());
        let elapsed: Vec<_> = draft.metrics.iter().map(|m| m.elapsed).collect();
        assert_eq!(elapsed, [None, Some(TimeDelta::minutes(30)), None]);
    }

    #[test]
    fn days_are_marked_where_the_timeline_crosses_midnight() {
        let late = Utc.with_ymd_and_hms(2021, 3, 9, 23, 55, 0).unwrap();
        let early = Utc.with_ymd_and_hms(2021, 3, 10, 0, 5, 0).unwrap();
        let entries = [
            msg(late, "U1", "a"),
            msg(late, "U1", "b"),
            msg(early, "U1", "c"),
        ];
        let draft = build(&incident(), &entries, &people());
        let starts: Vec<_> = draft.timeline.iter().map(|l| l.starts_day).collect();
        assert_eq!(starts, [true, false, true]);
    }

    #[test]
    fn file_names_are_slugged_and_safe() {
        let mut inc = incident();
        assert_eq!(file_name(&inc), "postmortem-inc-42-checkout-down.md");
        inc.title = "💥 ../../etc/passwd".into();
        assert_eq!(file_name(&inc), "postmortem-inc-42-etc-passwd.md");
        inc.title = "💥".into();
        assert_eq!(file_name(&inc), "postmortem-inc-42.md");
    }

    #[test]
    fn the_duration_agrees_with_the_start_and_end_times_shown() {
        let mut inc = incident();
        inc.declared_at = Utc.with_ymd_and_hms(2021, 3, 9, 13, 1, 5).unwrap();
        inc.identified_at = Some(Utc.with_ymd_and_hms(2021, 3, 9, 13, 4, 0).unwrap());
        inc.closed_at = Some(Utc.with_ymd_and_hms(2021, 3, 9, 13, 10, 0).unwrap());
        let markdown = super::super::render_markdown(&build(&inc, &[], &people()));
        for shown in [
            "**Start:** 2021-03-09 13:01 UTC",
            "**End:** 2021-03-09 13:10 UTC",
            "**Duration:** 9m",
            "**Time to identified:** 3m (at 2021-03-09 13:04 UTC)",
        ] {
            assert!(
                markdown.contains(shown),
                "{shown} missing from:\n{markdown}"
            );
        }
    }

    #[test]
    fn a_missing_summary_is_left_for_the_team_to_fill() {
        let mut inc = incident();
        inc.summary = Some("  ".into());
        assert_eq!(build(&inc, &[], &people()).summary, None);
    }
}
