//! Pages in the draft: the people paged join the stakeholders with their team and
//! how they answered; response metrics gain time to acknowledge, overall and per
//! page, how many pages went out and how far escalation went.

use super::Metric;
use crate::domain::Person;
use crate::postmortem::duration::{format_duration, shown_span};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A page as the postmortem tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFact {
    pub user_id: String,
    /// The team they were paged through, by its display name.
    pub team: Option<String>,
    /// 0-based escalation level; `None` for a manual page.
    pub level: Option<i64>,
    pub paged_at: DateTime<Utc>,
    pub acked_at: Option<DateTime<Utc>>,
}

/// How many pages went out and the highest escalation level they reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PagingTally {
    pub sent: usize,
    /// 1-based, as people count levels; `None` when no page came from a policy
    /// (only manual pages, or none).
    pub highest_level: Option<i64>,
}

impl PagingTally {
    pub fn of(pages: &[PageFact]) -> Self {
        PagingTally {
            sent: pages.len(),
            highest_level: pages.iter().filter_map(|p| p.level).max().map(|l| l + 1),
        }
    }

    /// `level 2`, or `none` when only manual pages went out.
    pub fn describe_level(&self) -> String {
        match self.highest_level {
            Some(level) => format!("level {level}"),
            None => "none".to_string(),
        }
    }
}

/// `paged, acknowledged after 3m` or `paged, did not acknowledge`.
pub(super) fn answered(page: &PageFact) -> String {
    match page.acked_at {
        Some(at) => format!(
            "paged, acknowledged after {}",
            format_duration(shown_span(page.paged_at, at))
        ),
        None => "paged, did not acknowledge".to_string(),
    }
}

/// Said of a page nobody acknowledged: a fact, not a gap in the record.
pub const NOT_ACKNOWLEDGED: &str = "not acknowledged";

/// Time to acknowledge of each page, from the page.
pub(super) fn per_page(pages: &[PageFact], people: &HashMap<String, Person>) -> Vec<Metric> {
    pages
        .iter()
        .map(|page| {
            let name = people
                .get(&page.user_id)
                .map_or(page.user_id.as_str(), |p| p.name.as_str());
            let how = match page.level {
                Some(level) => format!("level {}", level + 1),
                None => "manual".to_string(),
            };
            Metric {
                key: format!("ack:{}:{}", page.user_id, page.paged_at.timestamp()),
                label: format!("Time to acknowledge, page to {name} ({how}), from the page"),
                at: page.acked_at,
                elapsed: page.acked_at.map(|at| shown_span(page.paged_at, at)),
                missing: NOT_ACKNOWLEDGED,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Declaration, Incident, IncidentTitle, Severity};
    use crate::postmortem::{Draft, Facts, Stakeholder};
    use chrono::{TimeDelta, TimeZone};

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + TimeDelta::minutes(min)
    }

    fn draft(pages: &[PageFact]) -> Draft {
        let (mut i, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse("Checkout down").unwrap(),
            severity: Severity::SEV1,
            service: None,
            summary: None,
            declared_by: "U1".into(),
            declared_at: t(0),
        });
        i.id = 1;
        let people = HashMap::new();
        let mut facts = Facts::new(&i, &[], &people);
        facts.pages = pages;
        facts.build()
    }

    fn page(
        user: &str,
        team: &str,
        level: Option<i64>,
        paged: i64,
        acked: Option<i64>,
    ) -> PageFact {
        PageFact {
            user_id: user.into(),
            team: Some(team.into()),
            level,
            paged_at: t(paged),
            acked_at: acked.map(t),
        }
    }

    fn two_pages() -> Vec<PageFact> {
        vec![
            page("U6", "SRE", Some(0), 0, None),
            page("U2", "Networking", Some(1), 5, Some(8)),
        ]
    }

    #[test]
    fn paged_people_are_stakeholders_with_their_team_and_answer() {
        let d = draft(&two_pages());
        let labels: Vec<String> = d.stakeholders.iter().map(Stakeholder::label).collect();
        assert!(
            labels.contains(&"U6 — SRE (paged, did not acknowledge)".to_string()),
            "{labels:?}"
        );
        assert!(
            labels.contains(&"U2 — Networking (paged, acknowledged after 3m)".to_string()),
            "{labels:?}"
        );
    }

    #[test]
    fn time_to_acknowledge_is_reported_per_page_and_overall() {
        let d = draft(&two_pages());
        let first = d.metrics.iter().find(|m| m.key == "first_ack").unwrap();
        assert_eq!(first.elapsed, Some(TimeDelta::minutes(8)));
        let per_page: Vec<_> = d
            .metrics
            .iter()
            .filter(|m| m.key.starts_with("ack:"))
            .map(|m| m.elapsed)
            .collect();
        assert_eq!(per_page, [None, Some(TimeDelta::minutes(3))]);
    }

    #[test]
    fn pages_sent_and_the_highest_level_reached_are_counted() {
        let d = draft(&two_pages());
        assert_eq!(
            d.paging,
            PagingTally {
                sent: 2,
                highest_level: Some(2)
            }
        );
        assert_eq!(d.paging.describe_level(), "level 2");
    }

    #[test]
    fn only_manual_pages_reach_no_escalation_level() {
        let d = draft(&[page("U6", "SRE", None, 1, Some(2))]);
        assert_eq!(d.paging.sent, 1);
        assert_eq!(d.paging.describe_level(), "none");
        assert_eq!(draft(&[]).paging, PagingTally::default());
    }
}
