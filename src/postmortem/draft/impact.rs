//! Impact: what the team said it cost, filed under Business, Customers and Systems
//! (unfiled statements after), then what was measured: severity, service, start, end
//! and duration.

use super::display_name;
use crate::domain::{ImpactCategory, ImpactStatement, Incident, Person, Severity, TimelineEntry};
use crate::postmortem::duration::shown_span;
use crate::postmortem::rich_text::RichText;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Impact {
    /// The team's statements in force, by heading; empty headings are left out.
    pub groups: Vec<ImpactGroup>,
    pub severity: Severity,
    pub service: Option<String>,
    pub start: DateTime<Utc>,
    /// `None` while open with no timeline to go by.
    pub end: Option<DateTime<Utc>>,
    pub duration: Option<TimeDelta>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImpactGroup {
    /// `None`: statements filed under no heading.
    pub category: Option<ImpactCategory>,
    pub statements: Vec<Statement>,
}

impl ImpactGroup {
    /// `Business`, `Customers`, `Systems`, or `Other` for the unfiled.
    pub fn title(&self) -> &'static str {
        self.category.map_or("Other", ImpactCategory::title)
    }
}

/// One statement, in its author's words.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub seq: i64,
    pub text: RichText,
    pub author: String,
    pub at: DateTime<Utc>,
}

/// The impact runs from the earlier of the declaration and the first entry, to the
/// close, else the resolve, else the last entry.
pub(super) fn impact(
    incident: &Incident,
    sorted: &[&TimelineEntry],
    statements: &[ImpactStatement],
    people: &HashMap<String, Person>,
) -> Impact {
    let start = sorted
        .first()
        .map_or(incident.declared_at, |e| e.at.min(incident.declared_at));
    let end = incident
        .closed_at
        .or(incident.resolved_at)
        .or(sorted.last().map(|e| e.at));
    Impact {
        groups: groups(statements, people),
        severity: incident.severity,
        service: incident.service.clone().filter(|s| !s.trim().is_empty()),
        start,
        end,
        duration: end.map(|e| shown_span(start, e)),
    }
}

fn groups(statements: &[ImpactStatement], people: &HashMap<String, Person>) -> Vec<ImpactGroup> {
    let headings = ImpactCategory::ALL.into_iter().map(Some).chain([None]);
    headings
        .filter_map(|category| {
            let mut in_force: Vec<&ImpactStatement> = statements
                .iter()
                .filter(|s| s.category == category && s.removed_at.is_none())
                .collect();
            in_force.sort_by_key(|s| s.seq);
            let statements: Vec<Statement> = in_force
                .into_iter()
                .map(|s| Statement {
                    seq: s.seq,
                    text: RichText::parse(&s.text, people),
                    author: display_name(&s.author_id, people),
                    at: s.added_at,
                })
                .filter(|s| !s.text.is_blank())
                .collect();
            (!statements.is_empty()).then_some(ImpactGroup {
                category,
                statements,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{at, incident, msg, people, statement};
    use super::*;
    use crate::postmortem::{Facts, build};

    #[test]
    fn statements_in_force_are_filed_business_customers_systems_then_other() {
        let mut withdrawn = statement(5, Some(ImpactCategory::Business), "wrong figure");
        withdrawn.removed_at = Some(at(11, 0));
        let statements = [
            statement(1, None, "the status page lagged"),
            statement(2, Some(ImpactCategory::Systems), "orders stopped"),
            withdrawn,
            statement(3, Some(ImpactCategory::Business), "1h 15m without orders"),
            statement(4, Some(ImpactCategory::Business), "refunds &amp; credits"),
        ];
        let (inc, people) = (incident(), people());
        let mut facts = Facts::new(&inc, &[], &people);
        facts.impacts = &statements;
        let draft = facts.build();
        let got: Vec<(&str, Vec<String>)> = draft
            .impact
            .groups
            .iter()
            .map(|g| {
                (
                    g.title(),
                    g.statements.iter().map(|s| s.text.plain()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Business",
                    vec![
                        "1h 15m without orders".to_string(),
                        "refunds & credits".to_string()
                    ]
                ),
                ("Systems", vec!["orders stopped".to_string()]),
                ("Other", vec!["the status page lagged".to_string()]),
            ]
        );
        assert_eq!(draft.impact.groups[0].statements[0].author, "Susan Vega");
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
}
