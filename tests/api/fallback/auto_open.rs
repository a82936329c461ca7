//! Slack down with an incident open: the fallback room opens by itself once every
//! call has failed for `fallback.after`, and not before; once Slack answers again the
//! war room hears it once, with how many lines were said on IRC and a link to them,
//! even with two replicas on one PostgreSQL database. The clock is a manual one.

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
