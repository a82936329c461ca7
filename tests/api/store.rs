//! The store's guarantees, run against SQLite and PostgreSQL from the same bodies.

use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use chrono::{Duration, TimeZone, Utc};
use warroom::domain::{Declaration, Incident, IncidentTitle, Severity, Status, TimelineEntry};
use warroom::store::{Change, Ingested, MessageWrite, Store};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 23, 50, 0).unwrap()
}

async fn incident_in(store: &Store, channel: &str) -> i64 {
    let (mut i, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse("Checkout down").unwrap(),
        severity: Severity::SEV2,
        service: Some("checkout".into()),
        summary: None,
        declared_by: "U1".into(),
        declared_at: t0(),
    });
    i.channel_id = Some(channel.into());
    i.channel_name = Some(format!("inc-{channel}"));
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_incident(&i).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn msg<'a>(incident_id: i64, channel: &'a str, ts: &'a str, text: &'a str) -> MessageWrite<'a> {
    MessageWrite {
        incident_id,
        channel_id: channel,
        ts,
        thread_ts: None,
        author_id: Some("U1"),
        text,
        files: &[],
        at: warroom::domain::SlackTs::parse(ts).unwrap().to_datetime(),
    }
}

async fn entries(store: &Store, id: i64) -> Vec<TimelineEntry> {
    let mut tx = store.read().await.unwrap();
    let e = tx.entries(id).await.unwrap();
    tx.commit().await.unwrap();
    e
}

async fn a_message_delivered_twice_is_stored_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C1").await;
    let mut tx = store.begin().await.unwrap();
    assert_eq!(
        tx.insert_message(&msg(id, "C1", "1700000000.000100", "hello"))
            .await
            .unwrap(),
        Ingested::Stored
    );
    assert_eq!(
        tx.insert_message(&msg(id, "C1", "1700000000.000100", "hello"))
            .await
            .unwrap(),
        Ingested::Duplicate
    );
    tx.commit().await.unwrap();
    assert_eq!(entries(&store, id).await.len(), 1);
}
on_both_backends!(
    a_message_delivered_twice_is_stored_once,
    a_message_delivered_twice_is_stored_once
);

async fn the_same_ts_in_another_channel_is_another_message(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let a = incident_in(&store, "C1").await;
    let b = incident_in(&store, "C2").await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_message(&msg(a, "C1", "1700000000.000100", "in one"))
        .await
        .unwrap();
    assert_eq!(
        tx.insert_message(&msg(b, "C2", "1700000000.000100", "in two"))
            .await
            .unwrap(),
        Ingested::Stored
    );
    tx.commit().await.unwrap();
    assert_eq!(entries(&store, b).await[0].text, "in two");
}
on_both_backends!(
    the_same_ts_in_another_channel_is_another_message,
    the_same_ts_in_another_channel_is_another_message
);

async fn an_event_id_is_handled_only_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.record_event("Ev1", t0()).await.unwrap());
    assert!(!tx.record_event("Ev1", t0()).await.unwrap());
    assert!(tx.record_event("Ev2", t0()).await.unwrap());
    tx.commit().await.unwrap();
}
on_both_backends!(
    an_event_id_is_handled_only_once,
    an_event_id_is_handled_only_once
);

async fn an_edit_keeps_the_text_it_replaced_and_a_repeat_changes_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C1").await;
    let edited_at = t0() + Duration::minutes(1);
    let mut tx = store.begin().await.unwrap();
    tx.insert_message(&msg(id, "C1", "1700000000.000100", "db is fine"))
        .await
        .unwrap();
    assert_eq!(
        tx.apply_edit(
            &msg(id, "C1", "1700000000.000100", "db is NOT fine"),
            edited_at
        )
        .await
        .unwrap(),
        Ingested::Stored
    );
    assert_eq!(
        tx.apply_edit(
            &msg(id, "C1", "1700000000.000100", "db is NOT fine"),
            edited_at
        )
        .await
        .unwrap(),
        Ingested::Duplicate
    );
    tx.commit().await.unwrap();
    let e = &entries(&store, id).await[0];
    assert_eq!(e.text, "db is NOT fine");
    assert_eq!(e.previous_text.as_deref(), Some("db is fine"));
    assert_eq!(e.edited_at, Some(edited_at));
}
on_both_backends!(
    an_edit_keeps_the_text_it_replaced_and_a_repeat_changes_nothing,
    an_edit_keeps_the_text_it_replaced_and_a_repeat_changes_nothing
);

async fn an_edit_that_overtakes_its_message_wins_over_the_late_original(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C1").await;
    let mut tx = store.begin().await.unwrap();
    tx.apply_edit(&msg(id, "C1", "1700000000.000100", "edited"), t0())
        .await
        .unwrap();
    assert_eq!(
        tx.insert_message(&msg(id, "C1", "1700000000.000100", "original"))
            .await
            .unwrap(),
        Ingested::Duplicate
    );
    tx.commit().await.unwrap();
    let all = entries(&store, id).await;
    assert_eq!((all.len(), all[0].text.as_str()), (1, "edited"));
}
on_both_backends!(
    an_edit_that_overtakes_its_message_wins_over_the_late_original,
    an_edit_that_overtakes_its_message_wins_over_the_late_original
);

async fn a_deleted_message_stays_in_the_timeline_marked_deleted(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C1").await;
    let deleted_at = t0() + Duration::minutes(2);
    let mut tx = store.begin().await.unwrap();
    tx.insert_message(&msg(id, "C1", "1700000000.000100", "wrong channel, sorry"))
        .await
        .unwrap();
    assert_eq!(
        tx.apply_delete(
            &msg(id, "C1", "1700000000.000100", "wrong channel, sorry"),
            deleted_at
        )
        .await
        .unwrap(),
        Ingested::Stored
    );
    assert_eq!(
        tx.apply_delete(
            &msg(id, "C1", "1700000000.000100", "wrong channel, sorry"),
            deleted_at
        )
        .await
        .unwrap(),
        Ingested::Duplicate
    );
    tx.commit().await.unwrap();
    let e = &entries(&store, id).await[0];
    assert_eq!(
        (e.text.as_str(), e.deleted_at),
        ("wrong channel, sorry", Some(deleted_at))
    );
}
on_both_backends!(
    a_deleted_message_stays_in_the_timeline_marked_deleted,
    a_deleted_message_stays_in_the_timeline_marked_deleted
);

async fn an_incident_round_trips_with_every_field(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C9").await;
    let mut tx = store.begin().await.unwrap();
    let mut i = tx.incident_for_update(id).await.unwrap().unwrap();
    i.apply(
        warroom::domain::Change::Resolve("rolled back".into()),
        t0() + Duration::minutes(75),
    )
    .unwrap();
    tx.update_incident(&i).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let back = tx.incident_by_channel("C9").await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(back, i);
    assert_eq!(back.status, Status::Resolved);
    assert_eq!(back.resolved_at, Some(t0() + Duration::minutes(75)));
}
on_both_backends!(
    an_incident_round_trips_with_every_field,
    an_incident_round_trips_with_every_field
);

async fn a_channel_can_be_the_war_room_of_only_one_incident(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    incident_in(&store, "C7").await;
    let (mut dup, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse("again").unwrap(),
        severity: Severity::SEV4,
        service: None,
        summary: None,
        declared_by: "U2".into(),
        declared_at: t0(),
    });
    dup.channel_id = Some("C7".into());
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_incident(&dup).await.is_err());
}
on_both_backends!(
    a_channel_can_be_the_war_room_of_only_one_incident,
    a_channel_can_be_the_war_room_of_only_one_incident
);

async fn closed_incidents_are_not_listed_as_open(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let open = incident_in(&store, "C1").await;
    let closed = incident_in(&store, "C2").await;
    let mut tx = store.begin().await.unwrap();
    let mut i = tx.incident(closed).await.unwrap().unwrap();
    i.apply(warroom::domain::Change::Close, t0()).unwrap();
    tx.update_incident(&i).await.unwrap();
    let ids: Vec<i64> = tx
        .open_incidents()
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    tx.commit().await.unwrap();
    assert_eq!(ids, vec![open]);
}
on_both_backends!(
    closed_incidents_are_not_listed_as_open,
    closed_incidents_are_not_listed_as_open
);

async fn outbox_items_in_one_lane_go_out_in_order_while_other_lanes_proceed(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    tx.enqueue("incident:1", "a1", "first", now).await.unwrap();
    tx.enqueue("incident:1", "a2", "second", now).await.unwrap();
    tx.enqueue("incident:2", "b1", "other lane", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let lease = now + Duration::minutes(2);
    let first = store.claim_outbox(now, lease).await.unwrap().unwrap();
    assert_eq!(first.payload, "first");
    // "second" must wait for "first"; the other lane need not.
    let next = store.claim_outbox(now, lease).await.unwrap().unwrap();
    assert_eq!(next.payload, "other lane");
    assert!(store.claim_outbox(now, lease).await.unwrap().is_none());
    store
        .finish_outbox(first.id, &first.claim, now)
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_outbox(now, lease)
            .await
            .unwrap()
            .unwrap()
            .payload,
        "second"
    );
}
on_both_backends!(
    outbox_items_in_one_lane_go_out_in_order_while_other_lanes_proceed,
    outbox_items_in_one_lane_go_out_in_order_while_other_lanes_proceed
);

async fn an_outbox_key_is_queued_once_and_a_retry_waits_its_turn(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.enqueue("incident:1", "k", "x", now).await.unwrap());
    assert!(!tx.enqueue("incident:1", "k", "x", now).await.unwrap());
    tx.commit().await.unwrap();
    let item = store
        .claim_outbox(now, now + Duration::minutes(2))
        .await
        .unwrap()
        .unwrap();
    store
        .retry_outbox(
            item.id,
            &item.claim,
            now + Duration::seconds(30),
            "HTTP 503",
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_outbox(now, now + Duration::minutes(2))
            .await
            .unwrap()
            .is_none()
    );
    let later = now + Duration::seconds(31);
    let again = store
        .claim_outbox(later, later + Duration::minutes(2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((again.id, again.attempts), (item.id, 2));
}
on_both_backends!(
    an_outbox_key_is_queued_once_and_a_retry_waits_its_turn,
    an_outbox_key_is_queued_once_and_a_retry_waits_its_turn
);

async fn an_abandoned_claim_is_taken_over_after_its_lease(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    tx.enqueue("incident:1", "k", "x", now).await.unwrap();
    tx.commit().await.unwrap();
    let held = store
        .claim_outbox(now, now + Duration::seconds(60))
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .claim_outbox(now + Duration::seconds(59), now)
            .await
            .unwrap()
            .is_none()
    );
    let taken = store
        .claim_outbox(now + Duration::seconds(61), now + Duration::seconds(200))
        .await
        .unwrap();
    assert_eq!(taken.map(|t| t.id), Some(held.id));
}
on_both_backends!(
    an_abandoned_claim_is_taken_over_after_its_lease,
    an_abandoned_claim_is_taken_over_after_its_lease
);

async fn a_claim_taken_over_can_no_longer_finish_retry_fail_or_renew_its_item(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    tx.enqueue("incident:1", "k", "x", now).await.unwrap();
    tx.enqueue("incident:1", "k2", "after it", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stale = store
        .claim_outbox(now, now + Duration::seconds(15))
        .await
        .unwrap()
        .unwrap();
    let later = now + Duration::seconds(16);
    let fresh = store
        .claim_outbox(later, later + Duration::seconds(15))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fresh.id, stale.id, "taken over after the lease");
    assert_ne!(fresh.claim, stale.claim);

    assert!(
        !store
            .finish_outbox(stale.id, &stale.claim, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .retry_outbox(stale.id, &stale.claim, later, "503")
            .await
            .unwrap()
    );
    assert!(
        !store
            .fail_outbox(stale.id, &stale.claim, later, "400")
            .await
            .unwrap()
    );
    assert!(
        !store
            .renew_outbox(stale.id, &stale.claim, later + Duration::minutes(1))
            .await
            .unwrap()
    );
    assert!(!store.release_outbox(stale.id, &stale.claim).await.unwrap());
    let backlog = store.outbox_backlog().await.unwrap();
    assert_eq!(
        (backlog.in_flight, backlog.failed),
        (1, 0),
        "still the new holder's"
    );
    assert!(
        store.claim_outbox(later, later).await.unwrap().is_none(),
        "the lane stays behind the new holder"
    );

    assert!(
        store
            .renew_outbox(fresh.id, &fresh.claim, later + Duration::minutes(1))
            .await
            .unwrap()
    );
    assert!(
        store
            .finish_outbox(fresh.id, &fresh.claim, later)
            .await
            .unwrap()
    );
    let next = store.claim_outbox(later, later).await.unwrap().unwrap();
    assert_eq!(next.payload, "after it");
}
on_both_backends!(
    a_claim_taken_over_can_no_longer_finish_retry_fail_or_renew_its_item,
    a_claim_taken_over_can_no_longer_finish_retry_fail_or_renew_its_item
);

async fn concurrent_claims_never_hand_out_the_same_item(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    for lane in 0..40 {
        tx.enqueue(&format!("incident:{lane}"), &format!("k{lane}"), "x", now)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let claimers: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(item) = store
                    .claim_outbox(now, now + Duration::minutes(5))
                    .await
                    .unwrap()
                {
                    got.push(item.id);
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for c in claimers {
        all.extend(c.await.unwrap());
    }
    let claimed = all.len();
    all.sort();
    all.dedup();
    assert_eq!(
        (claimed, all.len()),
        (40, 40),
        "every item claimed exactly once"
    );
}
on_both_backends!(
    concurrent_claims_never_hand_out_the_same_item,
    concurrent_claims_never_hand_out_the_same_item
);

async fn an_older_edit_arriving_late_does_not_overwrite_a_newer_one(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C1").await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_message(&msg(id, "C1", "1700000000.000100", "v1"))
        .await
        .unwrap();
    let newer = tx
        .apply_edit(
            &msg(id, "C1", "1700000000.000100", "v3"),
            t0() + Duration::minutes(3),
        )
        .await
        .unwrap();
    let older = tx
        .apply_edit(
            &msg(id, "C1", "1700000000.000100", "v2"),
            t0() + Duration::minutes(2),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((newer, older), (Ingested::Stored, Ingested::Duplicate));
    let e = &entries(&store, id).await[0];
    assert_eq!(
        (e.text.as_str(), e.previous_text.as_deref()),
        ("v3", Some("v1"))
    );
}
on_both_backends!(
    an_older_edit_arriving_late_does_not_overwrite_a_newer_one,
    an_older_edit_arriving_late_does_not_overwrite_a_newer_one
);

async fn a_batch_reports_each_write_as_if_applied_one_after_another(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C1").await;
    let (a, b) = ("1700000000.000100", "1700000000.000200");
    let edited = t0() + Duration::minutes(1);
    let writes = [
        (msg(id, "C1", a, "first"), Change::New),
        (msg(id, "C1", b, "second"), Change::New),
        (msg(id, "C1", a, "first"), Change::New),
        (msg(id, "C1", a, "first, edited"), Change::Edit(edited)),
        (msg(id, "C1", a, "first, edited"), Change::Edit(edited)),
        (msg(id, "C1", b, "second"), Change::Delete(edited)),
        (
            msg(id, "C1", "1700000000.000300", "edit overtook it"),
            Change::Edit(edited),
        ),
    ];
    let mut tx = store.begin().await.unwrap();
    let outcomes = tx.write_messages(&writes).await.unwrap();
    tx.commit().await.unwrap();
    use Ingested::{Duplicate, Stored};
    assert_eq!(
        outcomes,
        [Stored, Stored, Duplicate, Stored, Duplicate, Stored, Stored]
    );
    let stored = entries(&store, id).await;
    let texts: Vec<_> = stored.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["first, edited", "second", "edit overtook it"]);
    assert_eq!(stored[0].previous_text.as_deref(), Some("first"));
    assert_eq!(stored[1].deleted_at, Some(edited));
}
on_both_backends!(
    a_batch_reports_each_write_as_if_applied_one_after_another,
    a_batch_reports_each_write_as_if_applied_one_after_another
);

async fn a_batch_larger_than_one_statement_stores_every_message(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let id = incident_in(&store, "C1").await;
    let stamps: Vec<String> = (0..700)
        .map(|i| format!("1700000000.{:06}", i + 1))
        .collect();
    let writes: Vec<_> = stamps
        .iter()
        .map(|ts| (msg(id, "C1", ts, "line"), Change::New))
        .collect();
    let mut tx = store.begin().await.unwrap();
    let outcomes = tx.write_messages(&writes).await.unwrap();
    tx.commit().await.unwrap();
    assert!(outcomes.iter().all(|o| *o == Ingested::Stored));
    assert_eq!(entries(&store, id).await.len(), 700);
}
on_both_backends!(
    a_batch_larger_than_one_statement_stores_every_message,
    a_batch_larger_than_one_statement_stores_every_message
);

async fn event_ids_recorded_together_come_back_only_when_new(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    assert!(tx.record_event("Ev1", t0()).await.unwrap());
    let fresh = tx
        .record_events(&["Ev1", "Ev2", "Ev3", "Ev2"], t0())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut fresh: Vec<_> = fresh.into_iter().collect();
    fresh.sort();
    assert_eq!(fresh, ["Ev2", "Ev3"]);
}
on_both_backends!(
    event_ids_recorded_together_come_back_only_when_new,
    event_ids_recorded_together_come_back_only_when_new
);

async fn the_next_outbox_due_time_skips_items_waiting_behind_their_lane(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let now = Utc::now();
    assert_eq!(store.next_outbox_due(now).await.unwrap(), None);
    let mut tx = store.begin().await.unwrap();
    tx.enqueue("incident:1", "a1", "first", now).await.unwrap();
    tx.enqueue("incident:1", "a2", "second", now).await.unwrap();
    tx.enqueue("incident:2", "b1", "other lane", now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let lease = now + Duration::minutes(2);
    let first = store.claim_outbox(now, lease).await.unwrap().unwrap();
    let other = store.claim_outbox(now, lease).await.unwrap().unwrap();
    assert_eq!(other.payload, "other lane");
    // Everything is due or in flight: nothing to wait for.
    assert_eq!(store.next_outbox_due(now).await.unwrap(), None);

    let paced = now + Duration::milliseconds(900);
    let backoff = now + Duration::seconds(4);
    store
        .retry_outbox(other.id, &other.claim, paced, "paced")
        .await
        .unwrap();
    store
        .retry_outbox(first.id, &first.claim, backoff, "HTTP 503")
        .await
        .unwrap();
    // "second" waits behind "first", so only the lanes' heads count.
    let due = store.next_outbox_due(now).await.unwrap().unwrap();
    assert!(
        (due - paced).num_milliseconds().abs() < 2,
        "{due} vs {paced}"
    );
    let due = store.next_outbox_due(paced).await.unwrap().unwrap();
    assert!(
        (due - backoff).num_milliseconds().abs() < 2,
        "{due} vs {backoff}"
    );
}
on_both_backends!(
    the_next_outbox_due_time_skips_items_waiting_behind_their_lane,
    the_next_outbox_due_time_skips_items_waiting_behind_their_lane
);

/// SQLite only: PostgreSQL has no write-ahead log of ours to copy back.
#[tokio::test]
async fn sqlite_commits_leave_the_log_to_the_checkpointer_which_copies_it_back() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let Store::Sqlite(pool, _) = &store else {
        panic!("a SQLite store")
    };
    let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(auto, 0, "commits must not checkpoint");
    let id = incident_in(&store, "C1").await;
    let stamps: Vec<String> = (0..2000)
        .map(|i| format!("1700000000.{:06}", i + 1))
        .collect();
    let writes: Vec<_> = stamps
        .iter()
        .map(|ts| {
            (
                msg(id, "C1", ts, "a line long enough to fill pages"),
                Change::New,
            )
        })
        .collect();
    let mut tx = store.begin().await.unwrap();
    tx.write_messages(&writes).await.unwrap();
    tx.commit().await.unwrap();

    let file = db.sqlite_file().unwrap();
    let size = || std::fs::metadata(file).unwrap().len();
    let before = size();
    store.checkpoint().await.unwrap();
    let after = size();
    assert!(
        after > before + 100_000,
        "the rows reach the database file: {before} → {after} bytes"
    );
    assert_eq!(entries(&store, id).await.len(), 2000);
}

async fn pruning_forgets_old_event_ids_and_finished_writes_but_keeps_pending_ones(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let now = Utc::now();
    let old = now - Duration::days(8);
    let mut tx = store.begin().await.unwrap();
    tx.record_event("Ev-old", old).await.unwrap();
    tx.record_event("Ev-new", now).await.unwrap();
    for (lane, key) in [
        ("a", "done-old"),
        ("b", "failed-old"),
        ("c", "done-new"),
        ("d", "pending-old"),
    ] {
        tx.enqueue(&format!("incident:{lane}"), key, "x", old)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    for (done_at, fail) in [(old, false), (old, true), (now, false)] {
        let item = store
            .claim_outbox(now, now + Duration::seconds(15))
            .await
            .unwrap()
            .unwrap();
        if fail {
            store
                .fail_outbox(item.id, &item.claim, done_at, "400")
                .await
                .unwrap();
        } else {
            store
                .finish_outbox(item.id, &item.claim, done_at)
                .await
                .unwrap();
        }
    }

    let pruned = store.prune(now - Duration::days(7)).await.unwrap();

    assert_eq!((pruned.events, pruned.outbox), (1, 2), "{pruned:?}");
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.record_event("Ev-old", now).await.unwrap(),
        "an old id is forgotten"
    );
    assert!(
        !tx.record_event("Ev-new", now).await.unwrap(),
        "a recent one is kept"
    );
    tx.commit().await.unwrap();
    let backlog = store.outbox_backlog().await.unwrap();
    assert_eq!((backlog.pending, backlog.failed), (1, 0), "{backlog:?}");
}
on_both_backends!(
    pruning_forgets_old_event_ids_and_finished_writes_but_keeps_pending_ones,
    pruning_forgets_old_event_ids_and_finished_writes_but_keeps_pending_ones
);
