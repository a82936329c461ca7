//! Response metrics, each measured from the declaration with the moment it was
//! reached: first response, first acknowledgement, identified, mitigated, resolved;
//! then time to acknowledge per page.

use super::paging::per_page;
use super::{PageFact, is_person};
use crate::domain::{Incident, Person, TimelineEntry};
use crate::postmortem::duration::shown_span;
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// Stable identifier, e.g. `first_response`.
    pub key: String,
    /// What the reader sees, e.g. `Time to first response`.
    pub label: String,
    pub at: Option<DateTime<Utc>>,
    /// From the declaration (or, per page, from the page) to `at`; `None` when `at`
    /// was not recorded.
    pub elapsed: Option<TimeDelta>,
    /// What to say when `at` is `None`: [`NOT_RECORDED`](super::NOT_RECORDED) for a
    /// moment nobody recorded, or a fact (a page nobody acknowledged).
    pub missing: &'static str,
}

impl Metric {
    fn since(key: &str, label: &str, from: DateTime<Utc>, at: Option<DateTime<Utc>>) -> Self {
        Metric {
            key: key.to_string(),
            label: label.to_string(),
            at,
            elapsed: at.map(|t| shown_span(from, t)),
            missing: super::NOT_RECORDED,
        }
    }
}

pub(super) fn metrics(
    incident: &Incident,
    sorted: &[&TimelineEntry],
    pages: &[PageFact],
    people: &HashMap<String, Person>,
) -> Vec<Metric> {
    let from = incident.declared_at;
    let first_ack = pages.iter().filter_map(|p| p.acked_at).min();
    let mut out = vec![
        Metric::since(
            "first_response",
            "Time to first response",
            from,
            first_response(incident, sorted, people),
        ),
        Metric::since(
            "first_ack",
            "Time to first acknowledgement",
            from,
            first_ack,
        ),
        Metric::since(
            "identified",
            "Time to identified",
            from,
            incident.identified_at,
        ),
        Metric::since(
            "mitigated",
            "Time to mitigated",
            from,
            incident.mitigated_at,
        ),
        Metric::since("resolved", "Time to resolved", from, incident.resolved_at),
    ];
    out.extend(per_page(pages, people));
    out
}

/// The first message a person wrote after the declaration: someone answering it, so
/// the declarer's own messages count only when nobody else spoke. Apps do not
/// respond, whether they post as a bot (`B…`) or as a bot user (`U…`).
fn first_response(
    incident: &Incident,
    sorted: &[&TimelineEntry],
    people: &HashMap<String, Person>,
) -> Option<DateTime<Utc>> {
    let after = || {
        sorted.iter().filter(|e| {
            !e.is_system()
                && e.at >= incident.declared_at
                && e.author_id.as_deref().is_some_and(|a| is_person(a, people))
        })
    };
    after()
        .find(|e| e.author_id.as_deref() != Some(incident.declared_by.as_str()))
        .or_else(|| after().next())
        .map(|e| e.at)
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{at, incident, msg, people};
    use crate::domain::{Person, PersonKind, TimelineEntry};
    use crate::postmortem::build;
    use chrono::TimeDelta;

    #[test]
    fn first_response_skips_system_entries_bots_and_messages_before_the_declaration() {
        let mut people = people();
        people.insert(
            "U0ALERTBOT".into(),
            Person {
                user_id: "U0ALERTBOT".into(),
                name: "Grafana".into(),
                title: None,
                kind: PersonKind::Bot,
            },
        );
        let entries = [
            msg(at(9, 0), "U1", "before"),
            TimelineEntry::system(42, at(9, 15), "declared", Some("U2"), "Declared".into()),
            msg(at(9, 16), "B123", "bot says hi"),
            msg(at(9, 17), "U0ALERTBOT", "CPU 99%"),
            msg(at(9, 18), "U1", "on it"),
        ];
        let draft = build(&incident(), &entries, &people);
        let first = &draft.metrics[0];
        assert_eq!(first.key, "first_response");
        assert_eq!(first.elapsed, Some(TimeDelta::minutes(3)));
    }

    #[test]
    fn the_declarer_is_a_first_response_only_when_nobody_else_spoke_after() {
        let entries = [msg(at(9, 0), "U1", "before"), msg(at(9, 20), "U2", "me")];
        let draft = build(&incident(), &entries, &people());
        assert_eq!(draft.metrics[0].at, Some(at(9, 20)));
    }

    #[test]
    fn no_response_after_the_declaration_is_not_recorded() {
        let draft = build(&incident(), &[msg(at(9, 0), "U1", "before")], &people());
        assert_eq!(draft.metrics[0].at, None);
    }

    #[test]
    fn metrics_run_response_ack_identified_mitigated_resolved_and_uncaptured_ones_are_none() {
        let mut inc = incident();
        inc.mitigated_at = Some(at(9, 50));
        let draft = build(&inc, &[], &people());
        let got: Vec<_> = draft
            .metrics
            .iter()
            .map(|m| (m.key.as_str(), m.elapsed))
            .collect();
        assert_eq!(
            got,
            [
                ("first_response", None),
                ("first_ack", None),
                ("identified", Some(TimeDelta::minutes(30))),
                ("mitigated", Some(TimeDelta::minutes(35))),
                ("resolved", None),
            ]
        );
    }
}
