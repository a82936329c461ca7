//! What the postmortem says, as data: every section computed from what was stored
//! about the incident (its record, timeline, people, pages, impact statements and
//! action items). Renderers only decide how it looks.
//!
//! Warroom never invents: every sentence is either the team's own words, captured
//! during the incident, or a fact the bot recorded. Where neither exists, the draft
//! leaves a prompt for the team. The wording is blameless on purpose: prompts ask
//! about conditions and systems, never about who is at fault.

mod actions;
mod flags;
mod impact;
mod metrics;
mod paging;
mod people;
mod summary;
mod timeline;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

pub use actions::Action;
pub use impact::{Impact, ImpactGroup, Statement};
pub use metrics::Metric;
pub use paging::{PageFact, PagingTally};
pub use people::{Stakeholder, Team};
pub use summary::{Summary, generated_summary};
pub use timeline::{Line, LineChange};

use super::duration::format_datetime;
use super::review::{BlamePhrase, Flag, default_phrases};
use super::rich_text::RichText;
use crate::domain::{ActionItem, ImpactStatement, Incident, Person, Status, TimelineEntry};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Shown beside a summary the draft composed from the record.
pub const GENERATED_NOTE: &str = "Generated from the record; edit freely.";
pub const RESOLUTION_PROMPT: &str =
    "To fill in: what restored service, and what is still temporary.";
pub const ROOT_CAUSE_PROMPT: &str = "To fill in: the conditions and contributing factors that \
     made this possible. Ask \"how did our systems and processes allow this?\", not \"who did it?\".";
pub const ACTION_PLAN_PROMPT: &str = "To fill in: changes that make this less likely or less harmful, each with an owner and a due date.";
pub const IMPACT_PROMPT: &str = "To fill in: what it cost the business, what customers saw, \
     and which systems were affected.";
/// Shown where a time or duration was never captured.
pub const NOT_RECORDED: &str = "not recorded";

#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub incident_id: i64,
    /// `Postmortem: <incident title>`, plain text; `Postmortem: [DRILL] <title>` for
    /// a drill.
    pub title: String,
    pub declared_at: DateTime<Utc>,
    /// Who declared it, by name (the raw id when unknown).
    pub declared_by: String,
    pub status: Status,
    /// The team's own summary, or one composed from the record.
    pub summary: Summary,
    /// In order of first appearance; [`Draft::teams`] groups them.
    pub stakeholders: Vec<Stakeholder>,
    /// Every entry, in order; the key events are those with [`Line::key`] set.
    pub timeline: Vec<Line>,
    pub impact: Impact,
    /// Open items first, then done, then dropped.
    pub actions: Vec<Action>,
    /// In display order. A list rather than fields so new metrics are added without
    /// touching the renderers.
    pub metrics: Vec<Metric>,
    pub paging: PagingTally,
    pub resolution: Option<RichText>,
    /// Phrases in the captured text that point at people, each with a systems
    /// question: a note for the author, never a change to anyone's words.
    pub review: Vec<Flag>,
    /// Name of the Markdown attachment, see [`file_name`].
    pub file_name: String,
}

impl Draft {
    /// `2021-03-09 09:15 UTC`
    pub fn declared(&self) -> String {
        format_datetime(self.declared_at)
    }

    /// The curated part of the timeline: system events of
    /// [`crate::domain::KEY_SYSTEM_KINDS`] and messages the team marked.
    pub fn key_events(&self) -> impl Iterator<Item = &Line> {
        self.timeline.iter().filter(|l| l.key)
    }
}

/// Everything stored about an incident that its draft is made from.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub incident: &'a Incident,
    /// In any order: the draft sorts them by time, then ts.
    pub entries: &'a [TimelineEntry],
    pub people: &'a HashMap<String, Person>,
    /// Withdrawn statements too: the draft leaves them out.
    pub impacts: &'a [ImpactStatement],
    pub actions: &'a [ActionItem],
    pub pages: &'a [PageFact],
    /// What the blameless review looks for.
    pub phrases: &'a [BlamePhrase],
}

static DEFAULT_PHRASES: LazyLock<Vec<BlamePhrase>> = LazyLock::new(default_phrases);

impl<'a> Facts<'a> {
    /// An incident with its timeline and people, and nothing else captured; the
    /// review uses [`default_phrases`].
    pub fn new(
        incident: &'a Incident,
        entries: &'a [TimelineEntry],
        people: &'a HashMap<String, Person>,
    ) -> Self {
        Facts {
            incident,
            entries,
            people,
            impacts: &[],
            actions: &[],
            pages: &[],
            phrases: &DEFAULT_PHRASES,
        }
    }

    pub fn build(&self) -> Draft {
        let incident = self.incident;
        let people = self.people;
        let mut sorted: Vec<&TimelineEntry> = self.entries.iter().collect();
        sorted.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.ts.cmp(&b.ts)));

        let stakeholders = people::stakeholders(incident, &sorted, self.pages, people);
        let impact = impact::impact(incident, &sorted, self.impacts, people);
        let resolution = rich(incident.resolution.as_deref(), people);
        let summary = match rich(incident.summary.as_deref(), people) {
            Some(text) => Summary {
                text,
                generated: false,
            },
            None => generated_summary(incident, &impact, &stakeholders, resolution.as_ref()),
        };
        let mut draft = Draft {
            incident_id: incident.id,
            title: format!(
                "Postmortem: {}{}",
                incident.drill_mark(),
                one_line(&plain(&incident.title, people))
            ),
            declared_at: incident.declared_at,
            declared_by: display_name(&incident.declared_by, people),
            status: incident.status,
            summary,
            stakeholders,
            timeline: timeline::timeline(&sorted, people),
            impact,
            actions: actions::actions(self.actions, people),
            metrics: metrics::metrics(incident, &sorted, self.pages, people),
            paging: PagingTally::of(self.pages),
            resolution,
            review: Vec::new(),
            file_name: file_name(incident),
        };
        draft.review = flags::review(self, &sorted, &draft);
        draft
    }
}

/// The draft of an incident with its timeline and people only (no impact statements,
/// action items or pages); see [`Facts`] for the whole record.
pub fn build(
    incident: &Incident,
    entries: &[TimelineEntry],
    people: &HashMap<String, Person>,
) -> Draft {
    Facts::new(incident, entries, people).build()
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
    if let Some(source) = crate::domain::alert::source_title(id) {
        return source.to_string();
    }
    people
        .get(id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

/// `10:10` on the day the incident was declared, else `2021-03-10 00:05`: how the
/// draft points at a moment in a sentence.
pub(crate) fn moment(at: DateTime<Utc>, declared_at: DateTime<Utc>) -> String {
    if at.date_naive() == declared_at.date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// People, as opposed to apps: a user id that is not Slackbot's and, once looked up,
/// not a bot user or an id Slack does not know. Bots' posts stay in the timeline, but
/// bots are neither stakeholders nor a response.
fn is_person(id: &str, people: &HashMap<String, Person>) -> bool {
    use crate::domain::{IdKind, PersonKind, is_slack_id};
    is_slack_id(id, IdKind::User)
        && id != "USLACKBOT"
        && people.get(id).is_none_or(|p| p.kind == PersonKind::Human)
}
