//! A group's life: declared with its context, updated by later notifications,
//! resolved at the source (told, never closed), flapping back into its incident, and
//! groups no rule declares going to triage.

use super::*;
use crate::on_both_backends;
use chrono::SubsecRound;
use warroom::domain::{Severity, Status};

fn kinds(entries: &[warroom::domain::TimelineEntry], kind: &str) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.kind.system_kind() == Some(kind))
        .map(|e| e.text.clone())
        .collect()
}

async fn a_critical_alert_declares_pages_and_opens_a_war_room_with_the_alert_inside(
    backend: Backend,
) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let started = ago(now, 4);
    let answer = app
        .alertmanager(&alertmanager(
            "CheckoutDown",
            &[A::firing("CheckoutDown", "c0ffee01", started)],
            now,
        ))
        .await;
    assert_eq!(answer["declared"], true, "{answer}");
    let id = answer["incident_id"].as_i64().unwrap();

    let incident = app.incident(id).await;
    assert_eq!(
        incident.title, "CheckoutDown on checkout",
        "annotations.summary is the title"
    );
    assert_eq!(
        incident.severity,
        Severity::SEV1,
        "severity=critical maps to sev1"
    );
    assert_eq!(incident.service.as_deref(), Some("checkout"));
    assert_eq!(incident.lead, None, "an alert names no commander");

    // Paged by the severity's policy: PagerDuty and a DM, without waiting for the room.
    let pd = app.pagers().pagerduty.clone();
    pd.wait_for("the PagerDuty trigger", |p| p.events().len() == 1)
        .await;
    app.slack
        .wait_for("the DM page", |s| !s.dms_to(SRE).is_empty())
        .await;

    let room = app.war_room_of(id).await;
    app.slack
        .wait_for("the alert pinned beside the summary", |s| {
            s.pins_in(&room).len() == 2
        })
        .await;
    let posts: String = app
        .slack
        .messages_in(&room)
        .iter()
        .map(|m| format!("{} {}", m.text, m.blocks.clone().unwrap_or_default()))
        .collect();
    assert!(
        posts.contains("prometheus.example:9090/graph"),
        "links the source: {posts}"
    );
    app.slack
        .wait_for("the paged person invited to the room", |s| {
            s.members_of(&room).contains(&SRE.to_string())
        })
        .await;

    let entries = app.entries(id).await;
    let firing: Vec<_> = entries
        .iter()
        .filter(|e| e.kind.system_kind() == Some("alert_firing"))
        .collect();
    assert_eq!(firing.len(), 1, "{entries:#?}");
    assert_eq!(
        firing[0].at,
        started.trunc_subsecs(6),
        "the entry is at the alert's startsAt (in whole microseconds, as stored)"
    );
    assert!(
        entries
            .iter()
            .any(|e| e.kind.system_kind() == Some("declared") && e.text.contains("shop-critical"))
    );
    app.stop().await;
}
on_both_backends!(
    a_critical_alert_declares_pages_and_opens_a_war_room_with_the_alert_inside,
    a_critical_alert_declares_pages_and_opens_a_war_room_with_the_alert_inside
);

async fn later_notifications_update_the_incident_and_resolving_never_closes_it(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let down = A::firing("CheckoutDown", "f-down", ago(now, 5));
    let first = app
        .alertmanager(&alertmanager("Checkout", std::slice::from_ref(&down), now))
        .await;
    let id = first["incident_id"].as_i64().unwrap();
    let room = app.war_room_of(id).await;

    // A second alert joins the group: same incident, a new entry, the room is told.
    let slow = A::firing("CheckoutLatency", "f-slow", ago(now, 1));
    let second = app
        .alertmanager(&alertmanager(
            "Checkout",
            &[down.clone(), slow.clone()],
            now,
        ))
        .await;
    assert_eq!(
        (second["incident_id"].as_i64(), &second["declared"]),
        (Some(id), &json!(false))
    );
    app.slack
        .wait_for("the new alert said in the room", |s| {
            s.messages_in(&room)
                .iter()
                .any(|m| m.text.contains("CheckoutLatency"))
        })
        .await;

    // One resolves: an entry; the group still fires, so nothing is said about resolving.
    app.alertmanager(&alertmanager(
        "Checkout",
        &[down.clone().resolved(), slow.clone()],
        now,
    ))
    .await;
    // Both resolved: the room is told, with a button; the incident stays open.
    let last = app
        .alertmanager(&alertmanager(
            "Checkout",
            &[down.resolved(), slow.resolved()],
            now,
        ))
        .await;
    assert_eq!(last["changed"], 1, "{last}");
    app.outbox_drained().await;
    let incident = app.incident(id).await;
    assert_eq!(
        incident.status,
        Status::Investigating,
        "never resolved by itself"
    );
    let told: Vec<String> = app
        .slack
        .messages_in(&room)
        .iter()
        .filter(|m| {
            m.blocks
                .as_ref()
                .is_some_and(|b| b.to_string().contains("button"))
        })
        .map(|m| m.text.clone())
        .collect();
    assert!(
        told.iter().any(|t| t.to_lowercase().contains("resolved")),
        "a resolve button is offered: {told:?}"
    );

    let entries = app.entries(id).await;
    assert_eq!(kinds(&entries, "alert_firing").len(), 2, "{entries:#?}");
    assert_eq!(kinds(&entries, "alert_resolved").len(), 2, "{entries:#?}");
    assert_eq!(app.incident_count().await, 1);
    app.stop().await;
}
on_both_backends!(
    later_notifications_update_the_incident_and_resolving_never_closes_it,
    later_notifications_update_the_incident_and_resolving_never_closes_it
);

fn db_alert(now: DateTime<Utc>) -> A {
    A::firing("ReplicationLag", "f-db", ago(now, 3))
        .label("team", "db")
        .label("severity", "warning")
        .label("instance", "db-7")
}

async fn auto_resolve_marks_resolved_and_a_flap_within_the_window_reopens(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let first = app
        .alertmanager(&alertmanager("Db", &[db_alert(now)], now))
        .await;
    let id = first["incident_id"].as_i64().unwrap();
    let incident = app.incident(id).await;
    assert_eq!(
        incident.title, "Database: ReplicationLag on db-7",
        "the rule's template"
    );
    assert_eq!(
        incident.severity,
        Severity::SEV1,
        "the rule's fixed severity wins"
    );

    app.alertmanager(&alertmanager("Db", &[db_alert(now).resolved()], now))
        .await;
    let resolved = app.incident(id).await;
    assert_eq!(resolved.status, Status::Resolved, "auto_resolve");
    assert_eq!(resolved.closed_at, None, "never closed");

    // Fires again five minutes later: inside the 10-minute window, same incident.
    app.advance(std::time::Duration::from_secs(5 * 60)).await;
    let later = app.clock.now();
    let mut again = db_alert(later);
    again.starts_at = later;
    let answer = app
        .alertmanager(&alertmanager("Db", std::slice::from_ref(&again), later))
        .await;
    assert_eq!(
        (answer["incident_id"].as_i64(), &answer["reopened"]),
        (Some(id), &json!(true)),
        "{answer}"
    );
    assert_eq!(app.incident(id).await.status, Status::Investigating);

    // Resolves, then fires again after the window: a new incident.
    app.alertmanager(&alertmanager("Db", &[again.resolved()], app.clock.now()))
        .await;
    app.advance(std::time::Duration::from_secs(11 * 60)).await;
    let late = app.clock.now();
    let mut third = db_alert(late);
    third.starts_at = late;
    let answer = app.alertmanager(&alertmanager("Db", &[third], late)).await;
    assert_eq!(answer["declared"], true, "{answer}");
    assert_ne!(answer["incident_id"].as_i64(), Some(id));
    assert_eq!(
        app.incident(id).await.status,
        Status::Resolved,
        "the old one awaits its close"
    );
    app.stop().await;
}
on_both_backends!(
    auto_resolve_marks_resolved_and_a_flap_within_the_window_reopens,
    auto_resolve_marks_resolved_and_a_flap_within_the_window_reopens
);

#[tokio::test]
async fn a_resend_at_repeat_interval_or_a_stale_retry_adds_nothing() {
    let now = Utc::now();
    let app = alerting_app(Backend::Sqlite, now).await;
    let down = A::firing("CheckoutDown", "f1", ago(now, 5));
    let firing = alertmanager("Checkout", std::slice::from_ref(&down), now);
    let id = app.alertmanager(&firing).await["incident_id"]
        .as_i64()
        .unwrap();
    app.advance(std::time::Duration::from_secs(4 * 3600)).await;
    app.alertmanager(&firing).await; // repeat_interval
    let resolved = alertmanager("Checkout", &[down.resolved()], app.clock.now());
    app.alertmanager(&resolved).await;
    // A retry of the older firing notification arrives after the resolution.
    let stale = app.alertmanager(&firing).await;
    assert_eq!(stale["changed"], 0, "{stale}");
    let entries = app.entries(id).await;
    assert_eq!(kinds(&entries, "alert_firing").len(), 1, "{entries:#?}");
    assert_eq!(kinds(&entries, "alert_resolved").len(), 1, "{entries:#?}");
    app.stop().await;
}

async fn a_group_no_rule_declares_goes_to_triage_once_and_its_button_declares_it(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let noise = A::firing("HighMemory", "f-mem", ago(now, 2))
        .label("team", "search")
        .label("severity", "warning");
    let answer = app
        .alertmanager(&alertmanager("Mem", std::slice::from_ref(&noise), now))
        .await;
    assert_eq!(
        (&answer["declared"], &answer["triaged"]),
        (&json!(false), &json!(true)),
        "{answer}"
    );
    let again = app.alertmanager(&alertmanager("Mem", &[noise], now)).await;
    assert_eq!(
        again["triaged"], false,
        "one triage post per firing episode"
    );
    let triage = app
        .slack
        .channel_by_name("alerts-triage")
        .expect("seeded")
        .id;
    app.slack
        .wait_for("the triage post", |s| !s.messages_in(&triage).is_empty())
        .await;
    app.outbox_drained().await;
    assert_eq!(app.slack.messages_in(&triage).len(), 1);
    assert_eq!(app.incident_count().await, 0);

    let group_id = 1;
    let declared = warroom::alerts::triage::declare_from_triage(&app.state, group_id, SRE)
        .await
        .unwrap();
    let warroom::alerts::triage::TriageDeclare::Declared { incident_id } = declared else {
        panic!("declared: {declared:?}")
    };
    let twice = warroom::alerts::triage::declare_from_triage(&app.state, group_id, SRE)
        .await
        .unwrap();
    assert!(
        matches!(twice, warroom::alerts::triage::TriageDeclare::Already { incident_id: i, .. } if i == incident_id),
        "{twice:?}"
    );
    let incident = app.incident(incident_id).await;
    assert_eq!(
        (incident.severity, incident.lead.as_deref()),
        (Severity::SEV3, Some(SRE)),
        "severity from the label map; the one who pressed leads"
    );
    assert_eq!(
        kinds(&app.entries(incident_id).await, "alert_firing").len(),
        1
    );
    app.war_room_of(incident_id).await;
    app.stop().await;
}
on_both_backends!(
    a_group_no_rule_declares_goes_to_triage_once_and_its_button_declares_it,
    a_group_no_rule_declares_goes_to_triage_once_and_its_button_declares_it
);
