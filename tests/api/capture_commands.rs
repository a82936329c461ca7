//! Capturing the postmortem's words from the war room: the summary, roles and impact,
//! each a system entry in the timeline that can be corrected; a closed incident's are
//! settled. Action items are in `action_items`, the shortcut in `action_shortcut`.

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app};
use crate::on_both_backends;
use warroom::domain::EntryKind;

const IC: &str = "U06SREONCL";
const COMMS: &str = "U02BSPARRO";
const SCRIBE: &str = "U04KHOUSE0";

/// The texts of the incident's system entries of `kind`, in order.
pub async fn entries_of(app: &TestApp, incident_id: i64, kind: &str) -> Vec<String> {
    app.entries(incident_id)
        .await
        .into_iter()
        .filter(|e| e.kind == EntryKind::System(kind.to_string()))
        .map(|e| e.text)
        .collect()
}

/// The pinned summary's blocks, as JSON text.
async fn pinned_summary(app: &TestApp, channel: &str) -> String {
    app.outbox_drained().await;
    let pinned = app.slack.pins_in(channel)[0].clone();
    let message = app
        .slack
        .messages_in(channel)
        .into_iter()
        .find(|m| m.ts == pinned)
        .expect("the pinned summary is in the channel");
    message.blocks.map(|b| b.to_string()).unwrap_or_default()
}

/// An in-channel answer's text, failing the test on any other answer.
async fn said(app: &TestApp, user: &str, channel: &str, text: &str) -> String {
    let (_, json) = app.command(user, channel, text).await;
    assert_eq!(
        json["response_type"], "in_channel",
        "`/incident {text}` answered {json}"
    );
    json["text"].as_str().unwrap_or_default().to_string()
}

async fn the_last_summary_wins_and_every_one_stays_in_the_timeline(backend: Backend) {
    let app = spawn_app(backend).await;
    let room = app.declare(IC, "Card payments fail").await;
    said(
        &app,
        IC,
        &room.channel,
        "summary Card payments fail at checkout",
    )
    .await;
    let answer = said(
        &app,
        IC,
        &room.channel,
        "summary Card payments fail for Visa cards since 09:10",
    )
    .await;
    assert!(
        answer.contains("Summary: Card payments fail for Visa"),
        "{answer}"
    );

    let incident = app.incident(room.incident_id).await;
    assert_eq!(
        incident.summary.as_deref(),
        Some("Card payments fail for Visa cards since 09:10")
    );
    assert_eq!(
        entries_of(&app, room.incident_id, "summary").await,
        [
            "Summary: Card payments fail at checkout",
            "Summary: Card payments fail for Visa cards since 09:10"
        ]
    );
    let pinned = pinned_summary(&app, &room.channel).await;
    assert!(
        pinned.contains("Card payments fail for Visa cards since 09:10")
            && !pinned.contains("fail at checkout"),
        "{pinned}"
    );
}
on_both_backends!(
    the_last_summary_wins_and_every_one_stays_in_the_timeline,
    the_last_summary_wins_and_every_one_stays_in_the_timeline
);

#[tokio::test]
async fn roles_show_in_the_topic_and_the_pinned_summary_and_lead_names_the_commander() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare(IC, "Search is down").await;
    let ch = room.channel.as_str();
    let answer = said(&app, IC, ch, &format!("role comms <@{COMMS}|bsparrow>")).await;
    assert!(
        answer.contains(&format!("Comms set to <@{COMMS}>")),
        "{answer}"
    );
    said(&app, IC, ch, &format!("role scribe <@{SCRIBE}|khouse>")).await;
    said(&app, IC, ch, &format!("lead <@{SCRIBE}|khouse>")).await;

    app.outbox_drained().await;
    let topic = app.slack.topic_of(ch).unwrap();
    assert_eq!(
        topic,
        format!(
            "SEV3 | INVESTIGATING | Search is down | Lead: <@{SCRIBE}> | Comms: <@{COMMS}> | Scribe: <@{SCRIBE}>"
        )
    );
    let pinned = pinned_summary(&app, ch).await;
    for role in [
        format!("*Commander*\\n<@{SCRIBE}>"),
        format!("*Comms*\\n<@{COMMS}>"),
        format!("*Scribe*\\n<@{SCRIBE}>"),
    ] {
        assert!(pinned.contains(&role), "{role} not in {pinned}");
    }
    assert_eq!(
        entries_of(&app, room.incident_id, "role").await,
        [
            format!("Comms set to <@{COMMS}>"),
            format!("Scribe set to <@{SCRIBE}>"),
            format!("Commander changed from <@{IC}> to <@{SCRIBE}>"),
        ]
    );
}

async fn impact_statements_are_numbered_listed_and_withdrawn_on_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let room = app.declare(IC, "Checkout down").await;
    let ch = room.channel.as_str();
    let first = said(&app, IC, ch, "impact customers: could not pay by card").await;
    assert!(
        first.contains("impact #1 (Customers): could not pay by card"),
        "{first}"
    );
    let second = said(&app, COMMS, ch, "impact checkout was slow").await;
    assert!(second.contains("impact #2 (no heading)"), "{second}");
    said(&app, IC, ch, "impact Business: 1h 15m without orders").await;

    let listed = app.ephemeral(IC, ch, "impact").await;
    assert!(
        listed.contains("#3 Business: 1h 15m without orders")
            && listed.contains("#1 Customers: could not pay by card")
            && listed.contains("#2 checkout was slow"),
        "{listed}"
    );

    let dropped = said(&app, IC, ch, "impact drop 2").await;
    assert!(
        dropped.contains("withdrew impact #2: checkout was slow"),
        "{dropped}"
    );
    let listed = app.ephemeral(IC, ch, "impact").await;
    assert!(!listed.contains("checkout was slow"), "{listed}");
    let again = app.ephemeral(IC, ch, "impact drop 2").await;
    assert!(again.contains("no impact statement #2 in force"), "{again}");

    let mut tx = app.store.read().await.unwrap();
    let kept = tx.impacts(room.incident_id).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(kept.len(), 3, "the withdrawn statement is kept");
    assert!(kept[1].removed_at.is_some());
    assert_eq!(
        entries_of(&app, room.incident_id, "impact").await,
        [
            "Impact #1 (customers): could not pay by card",
            "Impact #2: checkout was slow",
            "Impact #3 (business): 1h 15m without orders",
            "Impact #2 withdrawn: checkout was slow",
        ]
    );
}
on_both_backends!(
    impact_statements_are_numbered_listed_and_withdrawn_on_record,
    impact_statements_are_numbered_listed_and_withdrawn_on_record
);

#[tokio::test]
async fn a_closed_incident_keeps_its_summary_impact_and_roles_but_takes_action_items() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare(IC, "Queue backlog").await;
    let ch = room.channel.as_str();
    said(&app, IC, ch, "close").await;
    let before = app.entries(room.incident_id).await.len();
    for text in [
        "summary It was the queue".to_string(),
        "impact customers: late emails".to_string(),
        "impact drop 1".to_string(),
        format!("role scribe <@{SCRIBE}>"),
    ] {
        let answer = app.ephemeral(IC, ch, &text).await;
        assert!(answer.contains("is already closed"), "`{text}`: {answer}");
    }
    assert_eq!(app.entries(room.incident_id).await.len(), before);

    let added = said(&app, IC, ch, "action Alert on queue depth").await;
    assert!(added.contains("added action item #1"), "{added}");
    let done = said(&app, IC, ch, "action done 1").await;
    assert!(done.contains("marked action item #1 done"), "{done}");
}

#[tokio::test]
async fn every_bad_capture_command_gets_a_usage_answer_and_changes_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare(IC, "Search is slow").await;
    let ch = room.channel.as_str();
    said(&app, IC, ch, "impact systems: db at 100% CPU").await;
    app.outbox_drained().await;
    let calls_before = app.slack.calls().len();
    let entries_before = app.entries(room.incident_id).await.len();

    let cases: &[(&str, &str)] = &[
        ("summary", "A summary needs some text"),
        ("role", "Which role, and who?"),
        (
            "role captain <@U02BSPARRO>",
            "`captain` is not a role: use commander (or lead), comms or scribe",
        ),
        ("role comms", "Who should be the comms?"),
        ("role comms bob", "`bob` is not a Slack user"),
        ("impact business:", "Say what was affected"),
        ("impact drop", "Which statement?"),
        ("impact drop one", "`one` is not a statement number"),
        ("impact drop 9", "no impact statement #9 in force"),
        ("lead", "Who should be the commander?"),
    ];
    for (text, expected) in cases {
        let answer = app
            .ephemeral(IC, ch, text)
            .await
            .replace("&lt;", "<")
            .replace("&gt;", ">");
        assert!(
            answer.contains(expected),
            "`/incident {text}` answered `{answer}`, expected `{expected}`"
        );
    }
    let outside = app.ephemeral(IC, "C0GENERAL", "impact").await;
    assert!(outside.contains("not an incident war room"), "{outside}");
    assert_eq!(app.entries(room.incident_id).await.len(), entries_before);
    app.outbox_drained().await;
    assert_eq!(
        app.slack.calls().len(),
        calls_before,
        "nothing reached Slack"
    );
}
