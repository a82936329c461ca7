//! Reminders on the due date, from durable state: not before, once, after a restart,
//! not for an item finished before the DM went out, and once across replicas.

use super::{ANA, BEN, LEAD, add_item, day, set_status, t0};
use crate::db::{Backend, TestDb};
use crate::helpers::{Opts, TestApp, spawn_app_opts};
use crate::on_both_backends;
use std::time::Duration;
use warroom::clock::Clock;
use warroom::domain::ActionStatus;
use warroom::followup::reminders::Reminders;

const HOUR: Duration = Duration::from_secs(3600);

async fn app_at_t0(backend: Backend) -> TestApp {
    spawn_app_opts(Opts {
        backend,
        socket_mode: false,
        clock_at: Some(t0()),
    })
    .await
}

/// What the app's worker does each minute, run now.
async fn remind(app: &TestApp) -> usize {
    Reminders::new(
        app.store.clone(),
        app.clock.clone(),
        app.state.outbox_waker(),
    )
    .remind_due()
    .await
    .unwrap()
}

async fn a_reminder_goes_out_on_its_due_date_once_and_not_before(backend: Backend) {
    let app = app_at_t0(backend).await;
    let room = app.declare(LEAD, "Checkout down").await;
    let id = room.incident_id;
    add_item(&app.store, id, "Canary deploys", Some(ANA), Some(day(3))).await;
    add_item(&app.store, id, "Nobody's", None, Some(day(3))).await;
    add_item(&app.store, id, "Later", Some(BEN), Some(day(9))).await;

    assert_eq!(remind(&app).await, 0, "due tomorrow: nothing yet");
    app.clock.advance(14 * HOUR); // 23:15 on the day before
    assert_eq!(remind(&app).await, 0);
    app.outbox_drained().await;
    assert!(app.slack.dms_to(ANA).is_empty());

    app.clock.advance(HOUR); // 00:15 UTC on the due date
    assert_eq!(remind(&app).await, 1);
    app.slack
        .wait_for("the reminder", |s| !s.dms_to(ANA).is_empty())
        .await;
    app.clock.advance(48 * HOUR);
    assert_eq!(remind(&app).await, 0, "reminded already");
    app.outbox_drained().await;

    let dms = app.slack.dms_to(ANA);
    assert_eq!(dms.len(), 1);
    assert!(
        dms[0]
            .text
            .contains(&format!("action item 1 of incident #{id} is due")),
        "{}",
        dms[0].text
    );
    assert!(dms[0].text.contains("Canary deploys"), "{}", dms[0].text);
    assert!(app.slack.dms_to(BEN).is_empty(), "due on the 9th");
}
on_both_backends!(
    a_reminder_goes_out_on_its_due_date_once_and_not_before,
    a_reminder_goes_out_on_its_due_date_once_and_not_before
);

#[tokio::test]
async fn a_restart_catches_up_at_once_on_reminders_that_fell_due_while_it_was_down() {
    let app = app_at_t0(Backend::Sqlite).await;
    let room = app.declare(LEAD, "Checkout down").await;
    add_item(
        &app.store,
        room.incident_id,
        "Canary deploys",
        Some(ANA),
        Some(day(3)),
    )
    .await;
    app.outbox_drained().await;
    let stopped = app.kill().await;

    stopped.clock().advance(24 * HOUR);
    let app = stopped.start().await;

    // No one calls the worker: its pass at startup finds the item.
    app.slack
        .wait_for("the reminder after the restart", |s| {
            !s.dms_to(ANA).is_empty()
        })
        .await;
    app.outbox_drained().await;
    assert_eq!(app.slack.dms_to(ANA).len(), 1);
    assert_eq!(remind(&app).await, 0);
}

#[tokio::test]
async fn an_item_finished_before_its_reminder_is_sent_gets_no_reminder() {
    let app = app_at_t0(Backend::Sqlite).await;
    let room = app.declare(LEAD, "Checkout down").await;
    let id = room.incident_id;
    let done = add_item(&app.store, id, "Finished", Some(ANA), Some(day(2))).await;
    let dropped = add_item(&app.store, id, "Abandoned", Some(BEN), Some(day(2))).await;
    app.outbox_drained().await;
    app.slack.set_down(true);

    assert_eq!(remind(&app).await, 2, "both are due today");
    // The DMs wait for Slack; meanwhile the items are finished.
    tokio::time::sleep(Duration::from_millis(300)).await;
    set_status(&app.store, &done, ActionStatus::Done).await;
    set_status(&app.store, &dropped, ActionStatus::Dropped).await;
    app.slack.set_down(false);
    app.outbox_drained().await;

    assert!(app.slack.dms_to(ANA).is_empty());
    assert!(app.slack.dms_to(BEN).is_empty());
    let backlog = app.store.outbox_backlog().await.unwrap();
    assert_eq!(backlog.failed, 0, "nothing to send is not a failure");
    assert!(
        !app.slack.calls_to("conversations.open").is_empty(),
        "the reminders were tried while Slack was down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_racing_on_postgresql_queue_each_reminder_once() {
    let db = TestDb::new(Backend::Postgres).await;
    // Two replicas: two connection pools on one database.
    let (one, two) = (db.store().await, db.store().await);
    let incident = super::incident_in(&one, "C0RACE001", "Race").await;
    const ITEMS: usize = 120;
    for n in 0..ITEMS {
        let owner = if n % 2 == 0 { ANA } else { BEN };
        add_item(
            &one,
            incident,
            &format!("item {n}"),
            Some(owner),
            Some(day(2)),
        )
        .await;
    }
    let clock = Clock::manual(t0());
    let workers: Vec<_> = [&one, &two, &one, &two]
        .into_iter()
        .map(|store| {
            let worker = Reminders::new(store.clone(), clock.clone(), Default::default());
            tokio::spawn(async move {
                let mut queued = 0;
                for _ in 0..5 {
                    queued += worker.remind_due().await.unwrap();
                }
                queued
            })
        })
        .collect();

    let mut queued = Vec::new();
    for w in workers {
        queued.push(w.await.unwrap());
    }

    assert_eq!(
        queued.iter().sum::<usize>(),
        ITEMS,
        "per worker: {queued:?}"
    );
    let backlog = one.outbox_backlog().await.unwrap();
    assert_eq!(
        backlog.pending as usize, ITEMS,
        "one outbox item per reminder"
    );
    let mut tx = two.begin().await.unwrap();
    assert!(
        tx.claim_due_reminders(day(30), 500)
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_running_replicas_on_postgresql_send_each_reminder_once() {
    let app = app_at_t0(Backend::Postgres).await;
    let room = app.declare(LEAD, "Checkout down").await;
    for text in ["Canary deploys", "Rollback drill", "Alert on p99"] {
        add_item(&app.store, room.incident_id, text, Some(ANA), Some(day(3))).await;
    }
    app.outbox_drained().await;
    app.clock.advance(24 * HOUR);

    // A second replica starts (its pass at startup) while the first one's worker
    // and a pass of its own race it.
    let (other, mine) = tokio::join!(app.replica(), remind(&app));
    app.slack
        .wait_for("three reminders", |s| s.dms_to(ANA).len() >= 3)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    other.outbox_drained().await;

    assert!(mine <= 3);
    let texts: Vec<String> = app.slack.dms_to(ANA).into_iter().map(|m| m.text).collect();
    assert_eq!(texts.len(), 3, "{texts:#?}");
    for item in ["Canary deploys", "Rollback drill", "Alert on p99"] {
        assert_eq!(
            texts.iter().filter(|t| t.contains(item)).count(),
            1,
            "{item}: {texts:#?}"
        );
    }
}
