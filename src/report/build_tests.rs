//! The report assembled from stored rows: who was paged and who answered how fast,
//! what is left out, and the names used.

use super::*;
use crate::domain::Severity;
use crate::report::fixtures::{BOB, GLEN, KAREN, at, incident, now, page, stored, window};

fn report() -> OncallReport {
    assemble(&stored(), window(), now(), &EscalationConfig::empty())
}

#[test]
fn each_page_says_who_was_paged_who_answered_and_how_fast() {
    let r = report();
    let checkout = &r.incidents[0];
    assert_eq!(checkout.pages.len(), 2);
    let (karen, bob) = (&checkout.pages[0], &checkout.pages[1]);
    assert_eq!(
        (karen.person.name.as_str(), karen.level),
        ("Karen House", Some(1))
    );
    assert_eq!(karen.acked_at, None);
    assert_eq!(karen.ack_after, None);
    assert_eq!(
        (bob.person.name.as_str(), bob.level),
        ("Bob Sparrow", Some(2))
    );
    assert_eq!(bob.acked_by.as_ref().map(|p| p.id.as_str()), Some(BOB));
    assert_eq!(bob.ack_after.as_ref().map(|e| e.seconds), Some(250));
    assert_eq!(
        bob.ack_after.as_ref().map(|e| e.text.as_str()),
        Some("4m 10s")
    );
    assert_eq!(bob.ack_via.as_deref(), Some("Slack button"));
    assert!(bob.in_window);
}

#[test]
fn the_first_ack_is_timed_from_the_declaration() {
    let r = report();
    let first = r.incidents[0].first_ack.as_ref().expect("acknowledged");
    assert_eq!(first.by.name, "Bob Sparrow");
    assert_eq!(first.at, at(1, 10, 9, 15));
    assert_eq!(first.after_declared.text, "9m 15s");
    assert_eq!(r.incidents[1].first_ack, None, "nobody acked #8");
}

#[test]
fn times_resolution_and_names_come_from_the_record() {
    let r = report();
    let checkout = &r.incidents[0];
    assert_eq!(
        checkout.title, "Checkout & payments down",
        "Slack's entities undone"
    );
    assert_eq!(
        checkout.resolution.as_deref(),
        Some("Rolled back the QA build with @Karen House")
    );
    assert_eq!(
        checkout.time_to_resolve.as_ref().map(|e| e.text.as_str()),
        Some("1h 15m")
    );
    assert_eq!(
        checkout.commander.as_ref().map(|p| p.name.as_str()),
        Some("Karen House")
    );
    assert!(!checkout.open);
    assert!(r.incidents[1].open);
    // Glen is not in the people cache: his id stands in for his name.
    assert_eq!(checkout.declared_by.name, GLEN);
}

#[test]
fn escalations_and_key_events_are_told_apart() {
    let r = report();
    let checkout = &r.incidents[0];
    let escalations: Vec<&str> = checkout
        .escalations
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        escalations,
        [
            "Escalation started: the app-down policy for SEV1",
            "Escalated to level 2: nobody acknowledged within 5m"
        ]
    );
    let kinds: Vec<&str> = checkout
        .key_events
        .iter()
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(kinds, ["message", "status"]);
    assert_eq!(
        checkout.key_events[0]
            .author
            .as_ref()
            .map(|p| p.name.as_str()),
        Some("Bob Sparrow")
    );
}

#[test]
fn open_action_items_keep_owner_and_due_date_and_say_when_overdue() {
    let r = report();
    let items = &r.incidents[0].open_actions;
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0].owner.as_ref().map(|p| p.name.as_str()),
        Some("Bob Sparrow")
    );
    assert!(!items[0].overdue);
    assert_eq!(items[1].text, "Write the runbook", "one line");
    assert!(items[1].overdue, "due 2026-11-30, before the report");
    assert!(r.incidents[1].open_actions.is_empty());
}

#[test]
fn totals_count_what_happened_within_the_window() {
    let mut rows = stored();
    // An incident declared the day before, open all through the window, paged before it.
    rows.incidents
        .push(incident(6, "Old and open", Severity::SEV2, at(1, 3, 0, 0)));
    rows.pages.push(page(9, 6, KAREN, Some(0), at(1, 3, 0, 0)));
    let r = assemble(&rows, window(), now(), &EscalationConfig::empty());
    assert_eq!(
        r.totals,
        Totals {
            incidents: 3,
            declared: 2,
            resolved: 1,
            open_at_end: 2,
            pages: 3,
            pages_acked: 1,
        }
    );
    let old = r.incidents.iter().find(|i| i.id == 6).unwrap();
    assert!(!old.pages[0].in_window, "paged before the window");
}

#[test]
fn a_page_acked_at_a_provider_names_the_provider_and_its_user() {
    let mut rows = stored();
    let p = &mut rows.pages[0];
    p.acked_at = Some(at(1, 10, 1, 0));
    p.acked_by = Some("karen@pagerduty".into());
    p.ack_source = Some("pagerduty".into());
    let r = assemble(&rows, window(), now(), &EscalationConfig::empty());
    let page = &r.incidents[0].pages[0];
    assert_eq!(page.ack_via.as_deref(), Some("PagerDuty"));
    assert_eq!(
        page.acked_by.as_ref().map(|p| p.name.as_str()),
        Some("karen@pagerduty")
    );
    assert_eq!(
        r.incidents[0]
            .first_ack
            .as_ref()
            .unwrap()
            .after_declared
            .text,
        "1m"
    );
}

#[test]
fn the_report_serializes_with_rfc3339_times_and_durations_as_seconds_and_text() {
    let json = serde_json::to_value(report()).unwrap();
    assert_eq!(json["since"], "2026-12-01T09:00:00Z");
    let bob = &json["incidents"][0]["pages"][1];
    assert_eq!(bob["ack_after"]["seconds"], 250);
    assert_eq!(bob["ack_after"]["text"], "4m 10s");
    assert_eq!(bob["person"]["name"], "Bob Sparrow");
    assert_eq!(json["incidents"][0]["open_actions"][0]["due"], "2026-12-10");
    assert_eq!(json["totals"]["pages"], 3);
}

#[test]
fn the_kinds_read_leave_out_what_has_its_own_field() {
    let kinds = entry_kinds();
    assert!(kinds.contains(&"status") && kinds.contains(&"escalation"));
    for own in ["declared", "page", "ack", "resolved", "closed"] {
        assert!(!kinds.contains(&own), "{own}");
    }
}
