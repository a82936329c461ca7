//! The store keeps each incident's fallback room on IRC: opened once however many
//! times it is asked, briefed once per opening, reopened after a close, and told
//! when Slack went down, on SQLite and PostgreSQL from the same bodies.

use crate::db::{Backend, TestDb};
use crate::fallback::stored_incident;
use crate::on_both_backends;
use chrono::{Duration, TimeZone, Utc};
use warroom::store::{FallbackOpened, FallbackReason};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 9, 15, 0).unwrap()
}

async fn a_room_opens_once_and_reopens_after_a_close(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = stored_incident(&store, t0()).await;
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .open_fallback_room(
            id,
            "#warroom-inc-1",
            FallbackReason::Command,
            Some("U1"),
            t0(),
        )
        .await
        .unwrap();
    let FallbackOpened::Opened(room) = first else {
        panic!("the first open did not open: {first:?}")
    };
    assert_eq!(room.reason, "command");
    assert_eq!(room.opened_by.as_deref(), Some("U1"));
    assert_eq!(room.slack_down_at, None);
    let again = tx
        .open_fallback_room(
            id,
            "#warroom-inc-1",
            FallbackReason::SlackDown,
            None,
            t0() + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert!(
        matches!(again, FallbackOpened::AlreadyOpen(ref r) if r.opened_at == t0()),
        "{again:?}"
    );
    assert!(tx.mark_fallback_briefed(id, t0(), t0()).await.unwrap());
    assert!(
        !tx.mark_fallback_briefed(id, t0(), t0()).await.unwrap(),
        "briefed twice"
    );
    assert!(
        tx.close_fallback_room(id, t0() + Duration::minutes(5))
            .await
            .unwrap()
    );
    assert!(
        !tx.close_fallback_room(id, t0() + Duration::minutes(6))
            .await
            .unwrap()
    );
    assert!(tx.open_fallback_rooms().await.unwrap().is_empty());

    let later = t0() + Duration::minutes(10);
    let reopened = tx
        .open_fallback_room(id, "#warroom-inc-1", FallbackReason::SlackDown, None, later)
        .await
        .unwrap();
    let FallbackOpened::Opened(room) = reopened else {
        panic!("a closed room did not reopen: {reopened:?}")
    };
    assert_eq!(
        (room.opened_at, room.reason.as_str()),
        (later, "slack_down")
    );
    assert_eq!((room.closed_at, room.briefed_at), (None, None));
    assert_eq!(
        room.slack_down_at,
        Some(later),
        "opened because Slack is down"
    );
    tx.commit().await.unwrap();
}

on_both_backends!(
    a_fallback_room_opens_once_is_briefed_once_and_reopens_after_a_close,
    a_room_opens_once_and_reopens_after_a_close
);

async fn slack_going_down_is_marked_once_on_open_rooms_only(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let (open, closed) = (
        stored_incident(&store, t0()).await,
        stored_incident(&store, t0()).await,
    );
    let mut tx = store.begin().await.unwrap();
    for id in [open, closed] {
        tx.open_fallback_room(id, &format!("#w-inc-{id}"), FallbackReason::Cli, None, t0())
            .await
            .unwrap();
    }
    tx.close_fallback_room(closed, t0()).await.unwrap();
    let down = t0() + Duration::minutes(3);
    assert_eq!(tx.mark_slack_down(down).await.unwrap(), 1);
    assert_eq!(
        tx.mark_slack_down(down + Duration::minutes(1))
            .await
            .unwrap(),
        0
    );
    let rooms = tx.open_fallback_rooms().await.unwrap();
    assert_eq!(rooms.len(), 1);
    assert_eq!(
        (rooms[0].incident_id, rooms[0].slack_down_at),
        (open, Some(down))
    );
    assert!(tx.clear_slack_down(open, down).await.unwrap());
    assert!(
        !tx.clear_slack_down(open, down).await.unwrap(),
        "told twice"
    );
    tx.commit().await.unwrap();
}

on_both_backends!(
    slack_going_down_is_noted_once_and_only_on_open_fallback_rooms,
    slack_going_down_is_marked_once_on_open_rooms_only
);
