//! Pages in the draft: the people paged join the stakeholders with their team and
//! how they answered, and response metrics gain time to acknowledge, per page and
//! overall. Pure, like the rest of the draft.

use super::draft::{Draft, Metric, Stakeholder};
use crate::domain::Person;
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

pub fn add_pages(draft: &mut Draft, pages: &[PageFact], people: &HashMap<String, Person>) {
    if pages.is_empty() {
        return;
    }
    for page in pages {
        let answered = match page.acked_at {
            Some(at) => format!(
                "paged, acknowledged after {}",
                super::format_duration(super::shown_span(page.paged_at, at))
            ),
            None => "paged, did not acknowledge".to_string(),
        };
        match draft
            .stakeholders
            .iter_mut()
            .find(|s| s.user_id == page.user_id)
        {
            Some(existing) => {
                existing.title = existing.title.take().or_else(|| page.team.clone());
                existing.paging.get_or_insert(answered);
            }
            None => {
                let person = people.get(&page.user_id);
                draft.stakeholders.push(Stakeholder {
                    user_id: page.user_id.clone(),
                    name: person.map_or_else(|| page.user_id.clone(), |p| p.name.clone()),
                    title: person
                        .and_then(|p| p.title.clone())
                        .or_else(|| page.team.clone()),
                    paging: Some(answered),
                });
            }
        }
    }
    let first_ack = pages.iter().filter_map(|p| p.acked_at).min();
    draft.metrics.push(Metric {
        key: "first_ack".into(),
        label: "Time to first acknowledgement".into(),
        at: first_ack,
        elapsed: first_ack.map(|at| super::shown_span(draft.declared_at, at)),
    });
    for page in pages {
        let name = people
            .get(&page.user_id)
            .map_or(page.user_id.as_str(), |p| p.name.as_str());
        let how = match page.level {
            Some(level) => format!("level {}", level + 1),
            None => "manual".to_string(),
        };
        draft.metrics.push(Metric {
            key: format!("ack:{}:{}", page.user_id, page.paged_at.timestamp()),
            label: format!("Time to acknowledge, page to {name} ({how}), from the page"),
            at: page.acked_at,
            elapsed: page.acked_at.map(|at| super::shown_span(page.paged_at, at)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Declaration, Incident, IncidentTitle, Severity};
    use chrono::{TimeDelta, TimeZone};

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + TimeDelta::minutes(min)
    }

    fn draft() -> Draft {
        let (mut i, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse("Checkout down").unwrap(),
            severity: Severity::SEV1,
            service: None,
            summary: None,
            declared_by: "U1".into(),
            declared_at: t(0),
        });
        i.id = 1;
        super::super::build(&i, &[], &HashMap::new())
    }

    fn page(user: &str, team: &str, level: i64, paged: i64, acked: Option<i64>) -> PageFact {
        PageFact {
            user_id: user.into(),
            team: Some(team.into()),
            level: Some(level),
            paged_at: t(paged),
            acked_at: acked.map(t),
        }
    }

    #[test]
    fn paged_people_are_stakeholders_with_their_team_and_answer() {
        let mut d = draft();
        add_pages(
            &mut d,
            &[
                page("U6", "SRE", 0, 0, None),
                page("U2", "Networking", 1, 5, Some(8)),
            ],
            &HashMap::new(),
        );
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
        let mut d = draft();
        add_pages(
            &mut d,
            &[
                page("U6", "SRE", 0, 0, None),
                page("U2", "Networking", 1, 5, Some(8)),
            ],
            &HashMap::new(),
        );
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
}
