//! Action items from `/incident action`: owner and due date taken from the text and
//! said back, corrections, the list, usage answers, and the same over Socket Mode.

use crate::capture_commands::entries_of;
use crate::db::Backend;
use crate::helpers::{Opts, TestApp, spawn_app_opts};
use crate::on_both_backends;
use chrono::{NaiveDate, TimeZone, Utc};
use warroom::domain::{ActionItem, ActionStatus};

const IC: &str = "U06SREONCL";
const GLEN: &str = "U02GLENOPS";
const ANNA: &str = "U03ANNADEV";

/// An app whose clock stands on Wednesday 2026-12-02, 10:00 UTC.
pub async fn app_on_a_wednesday(backend: Backend, socket_mode: bool) -> TestApp {
    spawn_app_opts(Opts {
        backend,
        socket_mode,
        clock_at: Some(Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap()),
    })
    .await
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub async fn items(app: &TestApp, incident_id: i64) -> Vec<ActionItem> {
    let mut tx = app.store.read().await.unwrap();
    let items = tx.actions(incident_id).await.unwrap();
    tx.commit().await.unwrap();
    items
}

async fn said(app: &TestApp, channel: &str, text: &str) -> String {
    let (_, json) = app.command(IC, channel, text).await;
    assert_eq!(
        json["response_type"], "in_channel",
        "`{text}` answered {json}"
    );
    json["text"].as_str().unwrap_or_default().to_string()
}

async fn an_item_takes_its_owner_and_due_date_and_says_back_the_date_understood(backend: Backend) {
    let app = app_on_a_wednesday(backend, false).await;
    let room = app.declare(IC, "Checkout down").await;
    let answer = said(
        &app,
        &room.channel,
        &format!("action Ask <@{ANNA}|anna> for canary deploys <@{GLEN}|glen> due fri"),
    )
    .await;
    assert_eq!(
        answer,
        format!(
            "<@{IC}> added action item #1: Ask <@{ANNA}> for canary deploys · owner <@{GLEN}> · due Fri 2026-12-04 (in 2 days)"
        )
    );
    let past = said(&app, &room.channel, "action Renew the cert due 2026-11-30").await;
    assert!(
        past.contains(
            "no owner yet · due Mon 2026-11-30 (2 days ago)\n:warning: that date is in the past."
        ),
        "{past}"
    );

    let stored = items(&app, room.incident_id).await;
    assert_eq!(stored.len(), 2);
    assert_eq!(
        stored[0].text,
        format!("Ask <@{ANNA}|anna> for canary deploys")
    );
    assert_eq!(stored[0].owner_id.as_deref(), Some(GLEN));
    assert_eq!(stored[0].due, Some(day("2026-12-04")));
    assert_eq!(
        (
            stored[0].created_by.as_str(),
            stored[0].source_ts.as_deref()
        ),
        (IC, None)
    );
    assert_eq!(
        stored[1].due,
        Some(day("2026-11-30")),
        "a past date is taken"
    );
    assert_eq!(
        entries_of(&app, room.incident_id, "action").await,
        [
            format!(
                "Action item #1: Ask <@{ANNA}|anna> for canary deploys · owner <@{GLEN}> · due 2026-12-04"
            ),
            "Action item #2: Renew the cert · due 2026-11-30".to_string(),
        ]
    );
}
on_both_backends!(
    an_item_takes_its_owner_and_due_date_and_says_back_the_date_understood,
    an_item_takes_its_owner_and_due_date_and_says_back_the_date_understood
);

async fn each_correction_changes_the_item_and_is_a_timeline_entry(backend: Backend) {
    let app = app_on_a_wednesday(backend, false).await;
    let room = app.declare(IC, "Disk full").await;
    let ch = room.channel.as_str();
    for text in ["Add disk alerts", "Rotate logs", "Write the runbook"] {
        said(&app, ch, &format!("action {text}")).await;
    }
    let owner = said(&app, ch, &format!("action owner 1 <@{GLEN}|glen>")).await;
    assert!(
        owner.contains(&format!("gave action item #1 to <@{GLEN}>")),
        "{owner}"
    );
    let moved = said(&app, ch, "action due #1 tomorrow").await;
    assert!(moved.contains("due Thu 2026-12-03 (tomorrow)"), "{moved}");
    said(&app, ch, "action due 1 in 2w").await;
    said(&app, ch, "action done 2").await;
    said(&app, ch, "action drop 3").await;
    said(&app, ch, "action reopen 3").await;
    said(&app, ch, "action drop 3").await;
    let again = app.ephemeral(IC, ch, "action drop 3").await;
    assert!(
        again.contains("Action item #3 is already dropped"),
        "{again}"
    );

    let stored = items(&app, room.incident_id).await;
    let statuses: Vec<ActionStatus> = stored.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        [
            ActionStatus::Open,
            ActionStatus::Done,
            ActionStatus::Dropped
        ]
    );
    assert_eq!(stored[0].owner_id.as_deref(), Some(GLEN));
    assert_eq!(stored[0].due, Some(day("2026-12-16")));
    let entries = entries_of(&app, room.incident_id, "action").await;
    assert_eq!(
        entries[3..],
        [
            format!("Action item #1 owner set to <@{GLEN}>"),
            "Action item #1 due date set to 2026-12-03".to_string(),
            "Action item #1 due date changed from 2026-12-03 to 2026-12-16".to_string(),
            "Action item #2 done: Rotate logs".to_string(),
            "Action item #3 dropped: Write the runbook".to_string(),
            "Action item #3 reopened: Write the runbook".to_string(),
            "Action item #3 dropped: Write the runbook".to_string(),
        ]
    );

    let listed = app.ephemeral(IC, ch, "actions").await;
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines[0], "*Action items of incident #1* (1 open of 3)");
    assert_eq!(
        lines[1..],
        [
            format!("• #1 Add disk alerts · <@{GLEN}> · due Wed 2026-12-16 (in 14 days) · *open*"),
            "• #2 Rotate logs · no owner · no due date · *done*".to_string(),
            "• #3 Write the runbook · no owner · no due date · *dropped*".to_string(),
        ]
    );
}
on_both_backends!(
    each_correction_changes_the_item_and_is_a_timeline_entry,
    each_correction_changes_the_item_and_is_a_timeline_entry
);

#[tokio::test]
async fn every_bad_action_command_gets_a_usage_answer_and_changes_nothing() {
    let app = app_on_a_wednesday(Backend::Sqlite, false).await;
    let room = app.declare(IC, "Search is slow").await;
    let ch = room.channel.as_str();
    said(&app, ch, "action Add a search SLO").await;
    app.outbox_drained().await;
    let calls_before = app.slack.calls().len();
    let entries_before = app.entries(room.incident_id).await.len();
    let items_before = items(&app, room.incident_id).await;

    let cases: &[(&str, &str)] = &[
        ("action", "An action item needs some text"),
        ("action done 7", "There is no action item #7 here"),
        (
            "action owner 7 <@U02GLENOPS>",
            "There is no action item #7 here",
        ),
        (
            "action Fix it due 2026-02-30",
            "`2026-02-30` is not a real date: February 2026 has 28 days",
        ),
        (
            "action Fix it due fri day",
            "`fri day` is not a date I understand",
        ),
        (
            "action due 1 someday",
            "`someday` is not a date I understand",
        ),
        ("action due 1 in 9999d", "more than 5 years from today"),
        (
            "action owner 1 glen",
            "`glen` is not a Slack user; mention them with @",
        ),
        ("action Fix it @glen", "`@glen` is not a Slack user"),
        ("action owner 2", "Who should own item #2?"),
        ("action done two", "`two` is not an action item number"),
        ("action done", "Which item?"),
        ("action done 1 now", "takes only the item's number"),
    ];
    for (text, expected) in cases {
        let answer = app.ephemeral(IC, ch, text).await;
        assert!(
            answer.contains(expected),
            "`/incident {text}` answered `{answer}`, expected `{expected}`"
        );
    }
    let outside = app.ephemeral(IC, "C0GENERAL", "action Fix it").await;
    assert!(outside.contains("not an incident war room"), "{outside}");
    assert_eq!(items(&app, room.incident_id).await, items_before);
    assert_eq!(app.entries(room.incident_id).await.len(), entries_before);
    app.outbox_drained().await;
    assert_eq!(
        app.slack.calls().len(),
        calls_before,
        "nothing reached Slack"
    );
}

#[tokio::test]
async fn captures_over_socket_mode_answer_in_the_ack_and_are_stored_once() {
    let app = app_on_a_wednesday(Backend::Sqlite, true).await;
    let answer = app
        .command_text(IC, "C0INCIDENTS", "declare Socket capture sev2")
        .await;
    assert!(answer.contains("Declared incident #1"), "{answer}");
    let room = app.war_room_of(1).await;

    let added = app
        .command_text(IC, &room, &format!("action Add canaries <@{GLEN}> due fri"))
        .await;
    assert!(
        added.contains("added action item #1: Add canaries · owner")
            && added.contains("due Fri 2026-12-04 (in 2 days)"),
        "{added}"
    );
    let summary = app
        .command_text(IC, &room, "summary Payments fail over the socket")
        .await;
    assert!(summary.contains("Summary: Payments fail"), "{summary}");
    let impact = app
        .command_text(IC, &room, "impact customers: could not pay")
        .await;
    assert!(impact.contains("impact #1 (Customers)"), "{impact}");

    // Slack sends the action's envelope again: the same answer, no second item.
    let delivery = app
        .slack
        .socket_deliveries()
        .into_iter()
        .find(|d| d.envelope.to_string().contains("Add canaries"))
        .expect("the action's envelope");
    let id = app.slack.push_envelope(delivery.envelope.clone());
    app.slack
        .wait_for("the redelivery's ack", |s| {
            s.socket_acks()
                .iter()
                .filter(|a| a.envelope_id == id)
                .count()
                == 2
        })
        .await;
    assert_eq!(items(&app, 1).await.len(), 1, "added once");
    assert_eq!(entries_of(&app, 1, "action").await.len(), 1);
    assert_eq!(entries_of(&app, 1, "summary").await.len(), 1);
}
