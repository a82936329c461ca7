//! The whole fallback cycle, as a team would live it: an incident in Slack, Slack
//! goes down (every call answered 503 by the fake Slack), the fallback room opens by
//! itself after `fallback.after`, people talk and run commands on a real IRC server,
//! Slack comes back and the war room is told, and the postmortem holds both sources
//! in one timeline, each line exactly once. The clock is a manual one; IRC is real.

use super::fixture::{ALICE, wait_for_irc_entries};
use super::{IrcServer, Person};
use crate::db::Backend;
use crate::fallback::back_notices;
use crate::helpers::{TestApp, irc_fallback, spawn_app_at};
use crate::on_both_backends;
use axum::http::StatusCode;
use chrono::Utc;
use std::time::Duration;
use warroom::domain::Status;
use warroom_fakes::payloads;

const AFTER: Duration = Duration::from_secs(180);
const BOB: &str = "U0BOB";

/// Moves the manual clock, then lets the fallback watch (looking every 50 ms of real
/// time) take a few looks.
async fn pass(app: &TestApp, by: Duration) {
    app.clock.advance(by);
    for _ in 0..4 {
        app.state.wake_fallback();
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

async fn room_is_open(app: &TestApp, id: i64) -> bool {
    let mut tx = app.store.read().await.unwrap();
    let room = tx.fallback_room(id).await.unwrap();
    tx.commit().await.unwrap();
    room.is_some_and(|r| r.is_open())
}

async fn slack_down_irc_up_slack_back_then_one_postmortem(backend: Backend) {
    let server = IrcServer::start().await;
    let irc = irc_fallback(server.port, &[(ALICE, "alice"), (BOB, "bob")]);
    let channel = irc.channel_of(1);
    let app = spawn_app_at(backend, Utc::now(), move |s, _| {
        s.fallback.irc = Some(irc);
        s.fallback.after = AFTER;
        s.fallback.probe_every = Duration::from_millis(50);
    })
    .await;
    let d = app.declare(ALICE, "Checkout is down sev2").await;
    assert_eq!(d.incident_id, 1, "the IRC channel was named for incident 1");
    app.say(&d.channel, BOB, "checkout returns 502s since the deploy")
        .await;
    app.outbox_drained().await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&channel).await;

    // Slack goes down: nothing opens before `after`, the room opens once it passed.
    app.slack.set_down(true);
    pass(&app, Duration::from_secs(1)).await;
    pass(&app, AFTER - Duration::from_secs(10)).await;
    assert!(!room_is_open(&app, d.incident_id).await, "opened early");
    pass(&app, Duration::from_secs(15)).await;
    for _ in 0..50 {
        if room_is_open(&app, d.incident_id).await {
            break;
        }
        pass(&app, Duration::from_secs(1)).await;
    }
    assert!(room_is_open(&app, d.incident_id).await, "never opened");

    // The bot arrives on IRC, and the war room goes on there.
    let (topic, _) = alice
        .wait_for_topic(&channel, |t| t.contains("Checkout is down"))
        .await;
    assert!(topic.contains("SEV2"), "{topic}");
    alice.say(&channel, "failing over the payments db now");
    wait_for_irc_entries(&app, d.incident_id, 1).await;
    alice.say(&channel, "!status identified");
    let answer = alice
        .wait_for_privmsg_from(&channel, "warroom", |t| {
            t.to_lowercase().contains("identified")
        })
        .await;
    assert!(
        !answer.contains("<@"),
        "a Slack mention reached IRC: {answer}"
    );
    assert_eq!(
        app.incident(d.incident_id).await.status,
        Status::Identified,
        "the IRC command changed the incident"
    );
    alice.say(&channel, "failover done, 502s gone");
    wait_for_irc_entries(&app, d.incident_id, 2).await;

    // Slack is back: the outbox drains, the war room hears once what happened.
    app.slack.set_down(false);
    pass(&app, Duration::from_secs(30)).await;
    for _ in 0..50 {
        if !back_notices(&app, &d.channel).is_empty() {
            break;
        }
        pass(&app, Duration::from_secs(1)).await;
    }
    app.outbox_drained().await;
    pass(&app, Duration::from_secs(30)).await;
    let notices = back_notices(&app, &d.channel);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("2 messages were"), "{}", notices[0]);
    assert!(notices[0].contains(&channel), "{}", notices[0]);

    // Back in Slack, the incident ends; the postmortem has both sides, once each.
    // Said now by the manual clock (`say` numbers its messages from the start).
    let now = app.clock.now();
    let ts = format!("{}.{:06}", now.timestamp(), now.timestamp_subsec_micros());
    let text = "confirmed: checkout healthy from Slack too";
    let said = payloads::message(&d.channel, BOB, text, &ts);
    assert_eq!(app.event("EvBack1", said).await, StatusCode::OK);
    app.command_text(ALICE, &d.channel, "resolve failed over the payments db")
        .await;
    app.command_text(ALICE, &d.channel, "close").await;
    app.slack
        .wait_for("the postmortem file", |s| !s.uploaded_files().is_empty())
        .await;
    let md = app.slack.uploaded_files()[0].content.clone();
    let order = [
        "checkout returns 502s since the deploy",
        "failing over the payments db now",
        "failover done, 502s gone",
        "confirmed: checkout healthy from Slack too",
    ];
    let mut at = 0;
    for line in order {
        assert_eq!(md.matches(line).count(), 1, "`{line}` not once in:\n{md}");
        let found = md.find(line).unwrap();
        assert!(found >= at, "`{line}` out of time order in:\n{md}");
        at = found;
    }
    let irc_line = md
        .lines()
        .find(|l| l.contains("failing over the payments db now"))
        .unwrap();
    assert!(
        irc_line.contains("(IRC)"),
        "not marked as said on IRC: {irc_line}"
    );
    let slack_line = md
        .lines()
        .find(|l| l.contains("checkout returns 502s since the deploy"))
        .unwrap();
    assert!(
        !slack_line.contains("(IRC)"),
        "a Slack line marked IRC: {slack_line}"
    );
    assert!(
        !room_is_open(&app, d.incident_id).await,
        "closing the incident closed its room"
    );
}

on_both_backends!(
    slack_going_down_moves_the_war_room_to_irc_and_back_with_one_postmortem_of_both,
    slack_down_irc_up_slack_back_then_one_postmortem
);
