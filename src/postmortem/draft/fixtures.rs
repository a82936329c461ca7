//! Fixtures shared by the draft's tests and the renderers': an incident, people and
//! messages, [`Captured`] (everything a team can capture), and the check that a
//! generated summary states only what the record holds.

use super::*;
use crate::domain::{
    ActionItem, ActionStatus, ImpactCategory, ImpactStatement, PersonKind, Severity,
};
use chrono::{NaiveDate, TimeZone};

pub(crate) fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 3, 9, h, m, 0).unwrap()
}

pub(crate) fn incident() -> Incident {
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
        drill: false,
    }
}

pub(crate) fn msg(at: DateTime<Utc>, author: &str, text: &str) -> TimelineEntry {
    TimelineEntry::message(
        42,
        at,
        Some(author.into()),
        text.into(),
        format!("{}.000000", at.timestamp()),
    )
}

pub(crate) fn people() -> HashMap<String, Person> {
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
            kind: PersonKind::Human,
        };
        (id.to_string(), p)
    })
    .collect()
}

pub(crate) fn action(seq: i64, text: &str, status: ActionStatus) -> ActionItem {
    ActionItem {
        id: 100 + seq,
        incident_id: 42,
        seq,
        text: text.into(),
        owner_id: Some("U1".into()),
        due: NaiveDate::from_ymd_opt(2021, 3, 16),
        status,
        created_by: "U2".into(),
        created_at: at(10, 0),
        updated_at: at(10, 0),
        source_ts: None,
        issue_url: None,
    }
}

pub(crate) fn statement(seq: i64, category: Option<ImpactCategory>, text: &str) -> ImpactStatement {
    ImpactStatement {
        incident_id: 42,
        seq,
        category,
        text: text.into(),
        author_id: "U1".into(),
        added_at: at(10, seq as u32),
        removed_at: None,
    }
}

/// Everything a team can capture, once each: a closed incident with roles, a key
/// message, system events, impact under every heading, actions in every state, pages
/// and a resolution. What the renderers' tests and the template checks draw.
pub(crate) struct Captured {
    pub incident: Incident,
    pub entries: Vec<TimelineEntry>,
    pub people: HashMap<String, Person>,
    pub impacts: Vec<ImpactStatement>,
    pub actions: Vec<ActionItem>,
    pub pages: Vec<PageFact>,
}

impl Captured {
    pub(crate) fn new() -> Self {
        let mut incident = incident();
        incident.service = Some("checkout".into());
        incident.comms = Some("U1".into());
        incident.scribe = Some("U2".into());
        incident.mitigated_at = Some(at(9, 50));
        incident.resolved_at = Some(at(10, 0));
        incident.closed_at = Some(at(10, 30));
        incident.resolution = Some("Rolled back deploy v42.".into());
        let mut key = msg(
            at(9, 20),
            "U1",
            "Checkout returns 500s since the v42 deploy",
        );
        key.marked_key = true;
        let mut edited = msg(at(9, 21), "U2", "Rolling back now");
        edited.previous_text = Some("Rolling bakc".into());
        edited.edited_at = Some(at(9, 22));
        let entries = vec![
            TimelineEntry::system(
                42,
                at(9, 15),
                "declared",
                Some("U2"),
                "Incident declared: Checkout down! (SEV2)".into(),
            ),
            key,
            edited,
            msg(at(9, 40), "U2", "Glen broke it, human error"),
            TimelineEntry::system(
                42,
                at(10, 0),
                "resolved",
                Some("U2"),
                "Resolved: Rolled back deploy v42.".into(),
            ),
        ];
        let mut done = action(2, "Write the rollback runbook", ActionStatus::Done);
        done.issue_url = Some("https://github.com/acme/shop/issues/7".into());
        Captured {
            incident,
            entries,
            people: people(),
            impacts: vec![
                statement(1, Some(ImpactCategory::Business), "Orders stopped for 45m"),
                statement(2, Some(ImpactCategory::Customers), "Shoppers could not pay"),
                statement(
                    3,
                    Some(ImpactCategory::Systems),
                    "Checkout API returned 500s",
                ),
                statement(4, None, "Support answered 40 tickets"),
            ],
            actions: vec![
                action(1, "Canary deploys for checkout", ActionStatus::Open),
                done,
            ],
            pages: vec![PageFact {
                user_id: "U1".into(),
                team: Some("Customer Support".into()),
                level: Some(0),
                paged_at: at(9, 16),
                acked_at: Some(at(9, 18)),
            }],
        }
    }

    pub(crate) fn facts(&self) -> Facts<'_> {
        let mut facts = Facts::new(&self.incident, &self.entries, &self.people);
        facts.impacts = &self.impacts;
        facts.actions = &self.actions;
        facts.pages = &self.pages;
        facts
    }

    pub(crate) fn draft(&self) -> Draft {
        self.facts().build()
    }
}

/// Fails on any number, time or capitalised word in a generated summary that the
/// stored record does not hold. Numbers and times must appear among the facts as the
/// draft formats them (stored times, spans between them, counts of stakeholders and
/// of their teams, the severity) or inside the team's own text; names must appear in
/// the team's text or the people's teams; the paragraph's own few words are listed.
pub(crate) fn assert_summary_is_factual(draft: &Draft, facts: &Facts<'_>) {
    use crate::postmortem::{format_datetime, format_duration, shown_span};
    assert!(draft.summary.generated, "the team wrote this summary");
    let paragraph = draft.summary.text.plain();
    let inc = facts.incident;
    let mut times: Vec<DateTime<Utc>> = [
        Some(inc.declared_at),
        inc.identified_at,
        inc.mitigated_at,
        inc.resolved_at,
        inc.closed_at,
    ]
    .into_iter()
    .flatten()
    .collect();
    times.extend(facts.entries.iter().map(|e| e.at));
    let mut known = String::new();
    for a in &times {
        known.push_str(&format!(" {} ", format_datetime(*a)));
        for b in &times {
            known.push_str(&format!(" {} ", format_duration(shown_span(*a, *b))));
        }
    }
    let titles: std::collections::BTreeSet<String> = draft
        .stakeholders
        .iter()
        .filter_map(|s| {
            facts
                .people
                .get(&s.user_id)
                .and_then(|p| p.title.clone())
                .or_else(|| {
                    facts
                        .pages
                        .iter()
                        .find(|p| p.user_id == s.user_id)?
                        .team
                        .clone()
                })
        })
        .collect();
    for n in [draft.stakeholders.len(), titles.len()] {
        known.push_str(&format!(" {n} "));
    }
    let titled = draft
        .stakeholders
        .iter()
        .filter(|s| s.title.is_some())
        .count();
    known.push_str(&format!(" {titled} {} {} ", inc.severity, inc.status));
    for text in [
        Some(&inc.title),
        inc.service.as_ref(),
        inc.resolution.as_ref(),
    ]
    .into_iter()
    .flatten()
    .chain(titles.iter())
    {
        known.push_str(&format!(
            " {} ",
            RichText::parse(text, facts.people).plain()
        ));
    }
    let own = [
        "SEV",
        "It",
        "Resolution",
        "UTC",
        "incident",
        "affecting",
        "from",
        "to",
        "people",
        "person",
        "teams",
        "team",
        "took",
        "part",
        "of",
        "them",
        "it",
        "is",
        "was",
        "identified",
        "resolved",
        "at",
        "and",
        "in",
        "the",
        "team's",
        "words",
    ];
    let split = |text: &str| -> Vec<String> {
        text.split(|c: char| c.is_whitespace() || ",.;!?()“”\"".contains(c))
            .map(|t| t.trim_end_matches(':'))
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    };
    let known: std::collections::HashSet<String> = split(&known).into_iter().collect();
    for token in split(&paragraph) {
        let token = token.as_str();
        let has_digit = token.chars().any(|c| c.is_ascii_digit());
        let capital = token.chars().next().is_some_and(char::is_uppercase);
        if (has_digit || capital) && !own.contains(&token) {
            assert!(
                known.contains(token),
                "`{token}` in the generated summary is not in the record:\n{paragraph}\nrecord: {known:?}"
            );
        }
    }
    for invented in ["unknown", "not recorded", "N/A"] {
        assert!(!paragraph.contains(invented), "{paragraph}");
    }
}
