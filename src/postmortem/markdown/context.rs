//! What a template sees: the draft as already-safe strings (see [`super::escape`]),
//! plus the prompts. Every field is always present, so a template can use any of
//! them; what was not recorded reads `not recorded` or is empty, as noted.

use super::escape::{cell, escape_inline, in_item, paragraph, safe_url, timeline_line};
use crate::postmortem::draft::{
    ACTION_PLAN_PROMPT, Draft, GENERATED_NOTE, IMPACT_PROMPT, Line, NOT_RECORDED,
    RESOLUTION_PROMPT, ROOT_CAUSE_PROMPT,
};
use crate::postmortem::duration::{format_datetime, format_duration};
use minijinja::Value;
use minijinja::value::{Enumerator, Object};
use serde::Serialize;
use std::sync::Arc;

pub const TRIGGER_PROMPT: &str =
    "To fill in: what set it off (a change, a deploy, a spike in load) and when.";
pub const DETECTION_PROMPT: &str = "To fill in: how we found out, and how we could have sooner.";
pub const WENT_WELL_PROMPT: &str = "To fill in: what went well?";
pub const WENT_WRONG_PROMPT: &str = "To fill in: what went wrong?";
pub const LUCKY_PROMPT: &str = "To fill in: where did we get lucky?";
pub const KEY_EVENTS_NOTE: &str = "None marked. Key events are changes of status, severity and \
     role, pages and acknowledgements, stakeholder updates, and messages the team marked.";
pub const REVIEW_NOTE: &str = "A note for the author, not part of the record: these phrases look \
     at people rather than systems. Nobody's words were changed; the question beside each is \
     one to ask instead.";

#[derive(Serialize)]
pub(super) struct Context {
    title: String,
    incident_id: i64,
    status: String,
    /// When it was declared, `2021-03-09 09:15 UTC`.
    date: String,
    declared_by: String,
    file_name: String,
    summary: SummaryCtx,
    stakeholders: Vec<PersonCtx>,
    teams: Vec<TeamCtx>,
    key_events: Vec<EventCtx>,
    impact: ImpactCtx,
    actions: Vec<ActionCtx>,
    metrics: Vec<MetricCtx>,
    paging: PagingCtx,
    /// `None` when not recorded: templates show `prompts.resolution`.
    resolution: Option<String>,
    /// Who declared it and when, and the first acknowledgement when there was one.
    detection: String,
    review: Vec<FlagCtx>,
    /// Items with `starts_day`, `date` (`2021-03-09`) and `markdown` (the whole list
    /// item, earlier versions of an edited message included). Built as template
    /// values directly: a long incident has 100k of them.
    timeline: Value,
    prompts: Prompts,
}

#[derive(Serialize)]
struct SummaryCtx {
    text: String,
    generated: bool,
    note: &'static str,
}

#[derive(Serialize)]
struct PersonCtx {
    name: String,
    /// Empty when none is on record.
    team: String,
    /// `Commander, Scribe`, or empty.
    roles: String,
    /// `Commander; paged, acknowledged after 3m`, or empty.
    note: String,
    /// The name with the note in brackets.
    label: String,
}

#[derive(Serialize)]
struct TeamCtx {
    /// `No team on record` for the people without one.
    name: String,
    people: Vec<PersonCtx>,
}

#[derive(Serialize)]
struct EventCtx {
    /// `09:20`, with the date when it is not the day of the declaration.
    when: String,
    author: String,
    system: bool,
    text: String,
}

#[derive(Serialize)]
struct ImpactCtx {
    groups: Vec<GroupCtx>,
    severity: String,
    service: String,
    start: String,
    end: String,
    duration: String,
}

#[derive(Serialize)]
struct GroupCtx {
    title: &'static str,
    statements: Vec<StatementCtx>,
}

#[derive(Serialize)]
struct StatementCtx {
    text: String,
    author: String,
    when: String,
}

#[derive(Serialize)]
struct ActionCtx {
    seq: i64,
    /// One line, safe in a table cell.
    text: String,
    /// Empty when nobody owns it yet.
    owner: String,
    /// `2021-03-16`, or empty.
    due: String,
    status: &'static str,
    open: bool,
    /// A Markdown link to the issue (`[#12](…)`), or empty.
    issue: String,
}

#[derive(Serialize)]
struct MetricCtx {
    key: String,
    label: String,
    /// `1m (at 2021-03-09 09:16 UTC)` or `not recorded`.
    value: String,
}

#[derive(Serialize)]
struct PagingCtx {
    sent: usize,
    /// `level 2`, or `none` when only manual pages (or none) went out.
    highest_level: String,
}

#[derive(Serialize)]
struct FlagCtx {
    phrase: String,
    quote: String,
    question: String,
    source: String,
}

#[derive(Debug)]
struct LineCtx {
    starts_day: bool,
    date: Value,
    markdown: Value,
}

impl Object for LineCtx {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "starts_day" => Some(Value::from(self.starts_day)),
            "date" => Some(self.date.clone()),
            "markdown" => Some(self.markdown.clone()),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["starts_day", "date", "markdown"])
    }
}

#[derive(Serialize)]
struct Prompts {
    resolution: &'static str,
    root_cause: &'static str,
    action_plan: &'static str,
    impact: &'static str,
    trigger: &'static str,
    detection: &'static str,
    went_well: &'static str,
    went_wrong: &'static str,
    lucky: &'static str,
    key_events: &'static str,
    review: &'static str,
}

const PROMPTS: Prompts = Prompts {
    resolution: RESOLUTION_PROMPT,
    root_cause: ROOT_CAUSE_PROMPT,
    action_plan: ACTION_PLAN_PROMPT,
    impact: IMPACT_PROMPT,
    trigger: TRIGGER_PROMPT,
    detection: DETECTION_PROMPT,
    went_well: WENT_WELL_PROMPT,
    went_wrong: WENT_WRONG_PROMPT,
    lucky: LUCKY_PROMPT,
    key_events: KEY_EVENTS_NOTE,
    review: REVIEW_NOTE,
};

impl Context {
    pub(super) fn of(draft: &Draft) -> Self {
        let moment = |at| crate::postmortem::draft::moment(at, draft.declared_at);
        let impact = &draft.impact;
        Context {
            title: escape_inline(&draft.title),
            incident_id: draft.incident_id,
            status: draft.status.to_string(),
            date: draft.declared(),
            declared_by: escape_inline(&draft.declared_by),
            file_name: escape_inline(&draft.file_name),
            summary: SummaryCtx {
                text: paragraph(&draft.summary.text),
                generated: draft.summary.generated,
                note: GENERATED_NOTE,
            },
            stakeholders: draft.stakeholders.iter().map(person).collect(),
            teams: draft
                .teams()
                .into_iter()
                .map(|t| TeamCtx {
                    name: t
                        .name
                        .map_or_else(|| "No team on record".into(), escape_inline),
                    people: t.members.into_iter().map(person).collect(),
                })
                .collect(),
            key_events: draft
                .key_events()
                .map(|l| EventCtx {
                    when: moment(l.at),
                    author: escape_inline(&l.author),
                    system: l.system,
                    text: in_item(&l.text, "  "),
                })
                .collect(),
            impact: ImpactCtx {
                groups: impact
                    .groups
                    .iter()
                    .map(|g| GroupCtx {
                        title: g.title(),
                        statements: g
                            .statements
                            .iter()
                            .map(|s| StatementCtx {
                                text: in_item(&s.text, "  "),
                                author: escape_inline(&s.author),
                                when: moment(s.at),
                            })
                            .collect(),
                    })
                    .collect(),
                severity: impact.severity.to_string(),
                service: escape_inline(impact.service.as_deref().unwrap_or(NOT_RECORDED)),
                start: format_datetime(impact.start),
                end: or_not_recorded(impact.end.map(format_datetime)),
                duration: or_not_recorded(impact.duration.map(format_duration)),
            },
            actions: draft
                .actions
                .iter()
                .map(|a| ActionCtx {
                    seq: a.seq,
                    text: cell(&a.text),
                    owner: a.owner.as_deref().map(escape_inline).unwrap_or_default(),
                    due: a.due_date().unwrap_or_default(),
                    status: a.status.as_str(),
                    open: a.status == crate::domain::ActionStatus::Open,
                    issue: a.issue_url.as_deref().map(issue_link).unwrap_or_default(),
                })
                .collect(),
            metrics: draft
                .metrics
                .iter()
                .map(|m| MetricCtx {
                    key: m.key.clone(),
                    label: escape_inline(&m.label),
                    value: match (m.elapsed, m.at) {
                        (Some(elapsed), Some(at)) => {
                            format!("{} (at {})", format_duration(elapsed), format_datetime(at))
                        }
                        _ => m.missing.to_string(),
                    },
                })
                .collect(),
            paging: PagingCtx {
                sent: draft.paging.sent,
                highest_level: draft.paging.describe_level(),
            },
            resolution: draft.resolution.as_ref().map(paragraph),
            detection: detection(draft),
            review: draft
                .review
                .iter()
                .map(|f| FlagCtx {
                    phrase: escape_inline(&f.phrase),
                    quote: escape_inline(&f.quote),
                    question: escape_inline(&f.question),
                    source: escape_inline(&f.source),
                })
                .collect(),
            timeline: Value::from(draft.timeline.iter().map(line).collect::<Vec<Value>>()),
            prompts: PROMPTS,
        }
    }
}

fn person(s: &crate::postmortem::Stakeholder) -> PersonCtx {
    let note = s.note().unwrap_or_default();
    let label = if note.is_empty() {
        s.name.clone()
    } else {
        format!("{} ({note})", s.name)
    };
    PersonCtx {
        name: escape_inline(&s.name),
        team: s.title.as_deref().map(escape_inline).unwrap_or_default(),
        roles: s
            .roles
            .iter()
            .map(|r| r.title())
            .collect::<Vec<_>>()
            .join(", "),
        note: escape_inline(&note),
        label: escape_inline(&label),
    }
}

fn line(l: &Line) -> Value {
    let mut markdown = String::with_capacity(64 + l.text.0.len() * 32);
    timeline_line(&mut markdown, l);
    Value::from_object(LineCtx {
        starts_day: l.starts_day,
        date: Value::from(l.at.date_naive().to_string()),
        markdown: Value::from(markdown),
    })
}

/// `[#12](https://github.com/acme/shop/issues/12)`; `[issue](…)` when the URL does
/// not end in a number.
fn issue_link(url: &str) -> String {
    let number = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let label = number.map_or_else(|| "issue".to_string(), |n| format!("#{n}"));
    // `|` would end a table cell.
    format!("[{label}]({})", safe_url(url).replace('|', "%7C"))
}

/// A fact, not a guess: who declared it and when, and when a page was first
/// acknowledged.
fn detection(draft: &Draft) -> String {
    let mut out = format!(
        "Declared by {} at {}.",
        escape_inline(&draft.declared_by),
        draft.declared()
    );
    if let Some(ack) = draft.metrics.iter().find(|m| m.key == "first_ack")
        && let (Some(at), Some(elapsed)) = (ack.at, ack.elapsed)
    {
        out.push_str(&format!(
            " The first page was acknowledged at {}, {} after the declaration.",
            format_datetime(at),
            format_duration(elapsed)
        ));
    }
    out
}

fn or_not_recorded(value: Option<String>) -> String {
    value.unwrap_or_else(|| NOT_RECORDED.to_string())
}
