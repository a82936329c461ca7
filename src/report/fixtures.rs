//! A shift's worth of stored rows for the report's unit tests: a resolved SEV1 that
//! escalated once, paged by policy and acknowledged; an open SEV3 nobody has
//! acknowledged yet; the people cache knowing some of those involved.

use super::build::Stored;
use super::window::Window;
use crate::domain::{ActionItem, ActionStatus, Incident, Person, PersonKind, Severity, Status};
use crate::store::{PageRecord, ReportEntry};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub const KAREN: &str = "U1KAREN00";
pub const BOB: &str = "U2BOBSPAR";
pub const GLEN: &str = "U3GLENHAM";

pub fn at(day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, h, m, s).unwrap()
}

/// 2026-12-01 09:00 to 2026-12-02 09:00 UTC.
pub fn window() -> Window {
    Window::new(at(1, 9, 0, 0), at(2, 9, 0, 0)).unwrap()
}

pub fn now() -> DateTime<Utc> {
    at(2, 9, 0, 0)
}

pub fn incident(id: i64, title: &str, severity: Severity, declared: DateTime<Utc>) -> Incident {
    Incident {
        id,
        title: title.into(),
        severity,
        status: Status::Investigating,
        service: None,
        summary: None,
        lead: None,
        comms: None,
        scribe: None,
        declared_by: GLEN.into(),
        declared_at: declared,
        identified_at: None,
        mitigated_at: None,
        resolved_at: None,
        closed_at: None,
        resolution: None,
        channel_id: Some(format!("C0INC{id:04}")),
        channel_name: Some(format!("inc-{id}")),
        drill: false,
    }
}

pub fn page(
    id: i64,
    incident_id: i64,
    user: &str,
    level: Option<i64>,
    at: DateTime<Utc>,
) -> PageRecord {
    PageRecord {
        id,
        incident_id,
        user_id: user.into(),
        team_id: Some("sre".into()),
        level,
        note: None,
        paged_by: None,
        paged_at: at,
        acked_at: None,
        acked_by: None,
        ack_source: None,
        dm_channel: None,
        dm_ts: None,
    }
}

pub fn entry(
    incident_id: i64,
    at: DateTime<Utc>,
    kind: Option<&str>,
    author: Option<&str>,
    text: &str,
) -> ReportEntry {
    ReportEntry {
        incident_id,
        at,
        system_event: kind.map(Into::into),
        author_id: author.map(Into::into),
        text: text.into(),
    }
}

pub fn action(
    incident_id: i64,
    seq: i64,
    text: &str,
    owner: Option<&str>,
    due: Option<NaiveDate>,
) -> ActionItem {
    ActionItem {
        id: incident_id * 100 + seq,
        incident_id,
        seq,
        text: text.into(),
        owner_id: owner.map(Into::into),
        due,
        status: ActionStatus::Open,
        created_by: GLEN.into(),
        created_at: at(1, 12, 0, 0),
        updated_at: at(1, 12, 0, 0),
        source_ts: None,
        issue_url: None,
    }
}

fn person(id: &str, name: &str) -> (String, Person) {
    (
        id.to_string(),
        Person {
            user_id: id.into(),
            name: name.into(),
            title: None,
            kind: PersonKind::Human,
        },
    )
}

/// #7 "Checkout &amp; payments down" (SEV1, resolved): Karen paged at 10:00:05 and
/// not answering, Bob paged at level 2 at 10:05:05 and acking by button at 10:09:15;
/// #8 "Search slow" (SEV3, open): Karen paged at 20:00, no answer yet.
pub fn stored() -> Stored {
    let mut checkout = incident(
        7,
        "Checkout &amp; payments down",
        Severity::SEV1,
        at(1, 10, 0, 0),
    );
    checkout.status = Status::Resolved;
    checkout.service = Some("checkout".into());
    checkout.lead = Some(KAREN.into());
    checkout.resolved_at = Some(at(1, 11, 15, 0));
    checkout.resolution = Some("Rolled back the QA build with <@U1KAREN00>".into());
    let search = incident(8, "Search slow", Severity::SEV3, at(1, 20, 0, 0));

    let mut bob = page(2, 7, BOB, Some(1), at(1, 10, 5, 5));
    bob.acked_at = Some(at(1, 10, 9, 15));
    bob.acked_by = Some(BOB.into());
    bob.ack_source = Some("slack_button".into());
    Stored {
        incidents: vec![checkout, search],
        pages: vec![
            page(1, 7, KAREN, Some(0), at(1, 10, 0, 5)),
            bob,
            page(3, 8, KAREN, Some(0), at(1, 20, 0, 0)),
        ],
        open_actions: vec![
            action(
                7,
                1,
                "Add a canary stage",
                Some(BOB),
                NaiveDate::from_ymd_opt(2026, 12, 10),
            ),
            action(
                7,
                3,
                "Write the\nrunbook",
                None,
                NaiveDate::from_ymd_opt(2026, 11, 30),
            ),
        ],
        entries: vec![
            entry(
                7,
                at(1, 10, 0, 0),
                Some("escalation"),
                None,
                "Escalation started: the app-down policy for SEV1",
            ),
            entry(
                7,
                at(1, 10, 5, 5),
                Some("escalation"),
                None,
                "Escalated to level 2: nobody acknowledged within 5m",
            ),
            entry(
                7,
                at(1, 10, 20, 0),
                None,
                Some(BOB),
                "Restarted the app servers, no change",
            ),
            entry(
                7,
                at(1, 10, 40, 0),
                Some("status"),
                Some(KAREN),
                "Status changed from investigating to identified",
            ),
        ],
        people: [person(KAREN, "Karen House"), person(BOB, "Bob Sparrow")]
            .into_iter()
            .collect(),
    }
}
