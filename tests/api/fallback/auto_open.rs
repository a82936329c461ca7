//! Slack down with an incident open: the fallback room opens by itself once every
//! call has failed for `fallback.after`, and not before; once Slack answers again the
//! war room hears it once, with how many lines were said on IRC and a link to them,
//! even with two replicas on one PostgreSQL database. Drills and resolved incidents
//! get no room by themselves, and alone they start no probe. The clock is a manual one.

use super::irc_settings;
use super::{back_notices, irc_line, message};
use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app_at};
use chrono::Utc;
use std::time::Duration;
use warroom::store::FallbackRoom;

const AFTER: Duration = Duration::from_secs(180);

async fn spawn(backend: Backend) -> TestApp {
    spawn_app_at(backend, Utc::now(), |s, _| {
        irc_settings(s);
        s.fallback.after = AFTER;
        s.fallback.probe_every = Duration::from_millis(50);
        s.dashboard.public_url = Some("https://warroom.example".parse().unwrap());
    })
    .await
}

async fn room(app: &TestApp, id: i64) -> Option<FallbackRoom> {
    let mut tx = app.store.read().await.unwrap();
    let room = tx.fallback_room(id).await.unwrap();
    tx.commit().await.unwrap();
    room
}

/// Moves the manual clock, then gives the watch (probing every 50 ms of real time)
/// a few looks.
async fn pass(app: &TestApp, by: Duration) {
    app.clock.advance(by);
    for _ in 0..4 {
        app.state.wake_fallback();
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Waits (real time) until `check` holds, or fails saying what.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn slack_down_then_back(backend: Backend, replicas: bool) {
    let app = spawn(backend).await;
    let other = if replicas {
        Some(app.replica().await)
    } else {
        None
    };
    let d = app.declare("U0ALICE", "Checkout down sev2").await;
    app.outbox_drained().await;

    app.slack.set_down(true);
    pass(&app, Duration::from_secs(1)).await;
    assert!(
        app.state.slack.health().view().failing_since.is_some(),
        "the idle probe noticed"
    );
    pass(&app, AFTER - Duration::from_secs(10)).await;
    assert_eq!(
        room(&app, d.incident_id).await,
        None,
        "opened before `after`"
    );

    pass(&app, Duration::from_secs(15)).await;
    until("the room opens", || async {
        room(&app, d.incident_id).await.is_some()
    })
    .await;
    let opened = room(&app, d.incident_id).await.unwrap();
    assert_eq!(opened.reason, "slack_down");
    let down_at = opened.slack_down_at.expect("marked: Slack is down");

    // Said while Slack was down: two lines on IRC (counted) and a Slack entry (not).
    irc_line(
        &app.store,
        d.incident_id,
        down_at + chrono::Duration::seconds(5),
        Some("U0ALICE"),
        "alice",
        "db failover started",
    )
    .await;
    irc_line(
        &app.store,
        d.incident_id,
        down_at + chrono::Duration::seconds(9),
        None,
        "bob",
        "replica is up",
    )
    .await;
    message(
        &app.store,
        d.incident_id,
        down_at + chrono::Duration::seconds(7),
        None,
        Some("U0ALICE"),
        "written in Slack, stored late",
    )
    .await;

    app.slack.set_down(false);
    pass(&app, Duration::from_secs(30)).await;
    until("the war room hears Slack is back", || async {
        !back_notices(&app, &d.channel).is_empty()
    })
    .await;
    // More looks, by both replicas: nothing more is said.
    pass(&app, Duration::from_secs(30)).await;
    app.outbox_drained().await;

    let notices = back_notices(&app, &d.channel);
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = &notices[0];
    assert!(notice.contains(&opened.channel), "{notice}");
    assert!(notice.contains("2 messages were exchanged"), "{notice}");
    assert!(
        notice.contains(&format!(
            "https://warroom.example/dashboard/incidents/{}?after=",
            d.incident_id
        )),
        "{notice}"
    );
    let now_room = room(&app, d.incident_id).await.unwrap();
    assert!(now_room.is_open(), "the IRC room stays open");
    assert_eq!(now_room.slack_down_at, None);
    if let Some(other) = other {
        other.stop().await;
    }
}

#[tokio::test]
async fn the_room_opens_after_slack_fails_for_after_and_the_war_room_hears_once_when_it_is_back() {
    slack_down_then_back(Backend::Sqlite, false).await;
}

#[tokio::test]
async fn two_replicas_on_postgres_tell_the_war_room_once() {
    slack_down_then_back(Backend::Postgres, true).await;
}

#[tokio::test]
async fn a_rate_limit_never_opens_a_room() {
    let app = spawn(Backend::Sqlite).await;
    let d = app.declare("U0ALICE", "Checkout down sev2").await;
    app.outbox_drained().await;
    app.slack.fail_next(
        "auth.test",
        20,
        warroom_fakes::Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    pass(&app, Duration::from_secs(1)).await;
    pass(&app, AFTER * 2).await;
    assert_eq!(room(&app, d.incident_id).await, None);
    assert!(app.state.slack.health().view().failing_since.is_none());
}

/// Declares a drill as Alice; its number and war room.
async fn drill(app: &TestApp, title: &str) -> (i64, String) {
    crate::drills::drill_by(app, "U0ALICE", title).await
}

/// A drill and a resolved incident, both not closed: no room of their own when Slack
/// goes down.
async fn drill_and_resolved(app: &TestApp) -> (i64, String, i64) {
    let (drill_id, drill_room) = drill(app, "Database failover sev2").await;
    let resolved = app.declare("U0ALICE", "Search slow sev3").await;
    let (_, json) = app
        .command(
            "U0ALICE",
            &resolved.channel,
            "resolve Rolled back the deploy",
        )
        .await;
    assert_eq!(json["response_type"], "in_channel", "{json}");
    app.outbox_drained().await;
    let inc = app.incident(resolved.incident_id).await;
    assert_eq!(inc.status, warroom::domain::Status::Resolved);
    assert!(app.incident(drill_id).await.drill);
    (drill_id, drill_room, resolved.incident_id)
}

#[tokio::test]
async fn slack_down_opens_a_room_for_a_real_open_incident_but_not_for_a_drill_or_a_resolved_one() {
    let app = spawn(Backend::Sqlite).await;
    let (drill_id, drill_room, resolved_id) = drill_and_resolved(&app).await;
    let real = app.declare("U0ALICE", "Checkout down sev2").await;
    app.outbox_drained().await;

    app.slack.set_down(true);
    pass(&app, Duration::from_secs(1)).await;
    pass(&app, AFTER + Duration::from_secs(10)).await;
    until("the real incident's room opens", || async {
        room(&app, real.incident_id).await.is_some()
    })
    .await;
    // More looks while Slack stays down: still none for the others.
    pass(&app, Duration::from_secs(30)).await;
    assert_eq!(room(&app, drill_id).await, None, "a drill got a room");
    assert_eq!(
        room(&app, resolved_id).await,
        None,
        "a resolved one got a room"
    );

    // By hand, a drill's room still opens.
    app.slack.set_down(false);
    let reply = app.command_text("U0ALICE", &drill_room, "fallback").await;
    assert!(reply.contains("is open on IRC"), "{reply}");
    assert!(room(&app, drill_id).await.is_some_and(|r| r.is_open()));
}

#[tokio::test]
async fn the_idle_probe_stays_quiet_when_no_incident_would_get_a_room() {
    let app = spawn(Backend::Sqlite).await;
    drill_and_resolved(&app).await;
    app.outbox_drained().await;

    app.slack.set_down(true);
    pass(&app, Duration::from_secs(1)).await;
    pass(&app, AFTER * 2).await;
    assert!(
        app.state.slack.health().view().failing_since.is_none(),
        "something asked Slack"
    );
}
