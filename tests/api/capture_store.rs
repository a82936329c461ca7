//! The store keeps what the team captures for the postmortem (impact, action items,
//! key-event marks, roles), on SQLite and PostgreSQL from the same bodies.

use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use chrono::{NaiveDate, TimeZone, Utc};
use warroom::domain::{
    ActionStatus, Change, Declaration, ImpactCategory, Incident, IncidentTitle, NewActionItem,
    Role, Severity,
};
use warroom::store::{MarkSource, MessageWrite, Store};

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, 15, 0).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

async fn incident_in(store: &Store, channel: &str) -> i64 {
    let (mut i, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse("Checkout down").unwrap(),
        severity: Severity::SEV2,
        service: None,
        summary: None,
        declared_by: "U1".into(),
        declared_at: t0(),
    });
    i.channel_id = Some(channel.into());
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_incident(&i).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn new_item(
    incident_id: i64,
    text: &str,
    owner: Option<&str>,
    due: Option<NaiveDate>,
) -> NewActionItem {
    NewActionItem {
        incident_id,
        text: text.into(),
        owner_id: owner.map(Into::into),
        due,
        created_by: "U1".into(),
        created_at: t0(),
        source_ts: None,
    }
}

async fn action_items_are_numbered_per_incident_and_corrections_are_kept(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let a = incident_in(&store, "C1").await;
    let b = incident_in(&store, "C2").await;
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .add_action(&new_item(a, "Canary deploys", Some("U2"), Some(day(4))))
        .await
        .unwrap();
    let second = tx
        .add_action(&new_item(a, "DR plan", None, None))
        .await
        .unwrap();
    let other = tx
        .add_action(&new_item(b, "Elsewhere", None, None))
        .await
        .unwrap();
    assert_eq!((first.seq, second.seq, other.seq), (1, 2, 1));
    assert_eq!(first.due, Some(day(4)));
    let mut item = tx.action(a, 2).await.unwrap().unwrap();
    item.status = ActionStatus::Done;
    item.owner_id = Some("U3".into());
    tx.update_action(&item).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    let items = tx.actions(a).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].status, ActionStatus::Done);
    assert_eq!(items[1].owner_id.as_deref(), Some("U3"));
    assert_eq!(tx.action(a, 3).await.unwrap(), None);
    let open = tx.list_actions(true, None).await.unwrap();
    let texts: Vec<_> = open.iter().map(|l| l.item.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Elsewhere", "Canary deploys"],
        "newest incident first, open only"
    );
    let owned = tx.list_actions(false, Some("U3")).await.unwrap();
    assert_eq!(owned.len(), 1);
    assert_eq!(owned[0].incident_title, "Checkout down");
}
on_both_backends!(
    action_items_are_numbered_per_incident_and_corrections_are_kept,
    action_items_are_numbered_per_incident_and_corrections_are_kept
);

async fn a_reminder_is_claimed_once_per_due_date_and_moving_the_date_rearms_it(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let a = incident_in(&store, "C1").await;
    let mut tx = store.begin().await.unwrap();
    let due = tx
        .add_action(&new_item(a, "Due", Some("U2"), Some(day(3))))
        .await
        .unwrap();
    tx.add_action(&new_item(a, "Later", Some("U2"), Some(day(9))))
        .await
        .unwrap();
    tx.add_action(&new_item(a, "Nobody's", None, Some(day(1))))
        .await
        .unwrap();
    let claimed = tx.claim_due_reminders(day(3), 10).await.unwrap();
    assert_eq!(claimed.iter().map(|i| i.seq).collect::<Vec<_>>(), [1]);
    tx.mark_reminded(due.id, day(3)).await.unwrap();
    assert!(tx.claim_due_reminders(day(5), 10).await.unwrap().is_empty());
    let mut moved = due.clone();
    moved.due = Some(day(5));
    tx.update_action(&moved).await.unwrap();
    assert!(tx.claim_due_reminders(day(4), 10).await.unwrap().is_empty());
    assert_eq!(tx.claim_due_reminders(day(5), 10).await.unwrap().len(), 1);
    tx.commit().await.unwrap();
}
on_both_backends!(
    a_reminder_is_claimed_once_per_due_date_and_moving_the_date_rearms_it,
    a_reminder_is_claimed_once_per_due_date_and_moving_the_date_rearms_it
);

async fn impact_statements_keep_their_heading_and_withdrawn_ones_stay_on_record(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let a = incident_in(&store, "C1").await;
    let mut tx = store.begin().await.unwrap();
    let n1 = tx
        .add_impact(a, Some(ImpactCategory::Business), "No orders", "U1", t0())
        .await
        .unwrap();
    let n2 = tx.add_impact(a, None, "Slow", "U2", t0()).await.unwrap();
    assert_eq!((n1, n2), (1, 2));
    assert!(tx.remove_impact(a, 2, t0()).await.unwrap());
    assert!(
        !tx.remove_impact(a, 2, t0()).await.unwrap(),
        "already withdrawn"
    );
    assert!(
        !tx.remove_impact(a, 9, t0()).await.unwrap(),
        "no such statement"
    );
    let all = tx.impacts(a).await.unwrap();
    assert_eq!(all[0].category, Some(ImpactCategory::Business));
    assert!(all[0].removed_at.is_none() && all[1].removed_at.is_some());
    tx.commit().await.unwrap();
}
on_both_backends!(
    impact_statements_keep_their_heading_and_withdrawn_ones_stay_on_record,
    impact_statements_keep_their_heading_and_withdrawn_ones_stay_on_record
);

async fn a_message_stays_a_key_event_while_any_mark_remains(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let a = incident_in(&store, "C1").await;
    let ts = "1764666900.000100";
    let mut tx = store.begin().await.unwrap();
    // The reaction arrives before its message is written.
    assert!(
        tx.add_key_mark("C1", ts, MarkSource::Reaction, "U2", t0())
            .await
            .unwrap()
    );
    assert!(
        !tx.add_key_mark("C1", ts, MarkSource::Reaction, "U2", t0())
            .await
            .unwrap()
    );
    tx.insert_message(&MessageWrite {
        incident_id: a,
        channel_id: "C1",
        ts,
        thread_ts: None,
        author_id: Some("U2"),
        text: "wrong deploy script",
        files: &[],
        at: t0(),
    })
    .await
    .unwrap();
    assert!(
        tx.add_key_mark("C1", ts, MarkSource::Pin, "", t0())
            .await
            .unwrap()
    );
    assert!(tx.entries(a).await.unwrap()[0].marked_key);
    assert!(
        tx.remove_key_mark("C1", ts, MarkSource::Reaction, "U2")
            .await
            .unwrap()
    );
    assert!(tx.entries(a).await.unwrap()[0].is_key(), "the pin remains");
    assert!(
        tx.remove_key_mark("C1", ts, MarkSource::Pin, "")
            .await
            .unwrap()
    );
    assert!(!tx.entries(a).await.unwrap()[0].is_key());
    tx.commit().await.unwrap();
}
on_both_backends!(
    a_message_stays_a_key_event_while_any_mark_remains,
    a_message_stays_a_key_event_while_any_mark_remains
);

async fn roles_and_the_summary_are_written_back(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let a = incident_in(&store, "C1").await;
    let mut tx = store.begin().await.unwrap();
    let mut incident = tx.incident_for_update(a).await.unwrap().unwrap();
    for change in [
        Change::Role {
            role: Role::Scribe,
            user: "U4".into(),
        },
        Change::Role {
            role: Role::Comms,
            user: "U5".into(),
        },
        Change::Summary("Checkout failed for 75 minutes".into()),
    ] {
        incident.apply(change, t0()).unwrap();
    }
    tx.update_incident(&incident).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let stored = tx.incident(a).await.unwrap().unwrap();
    assert_eq!(stored.role(Role::Scribe), Some("U4"));
    assert_eq!(stored.role(Role::Comms), Some("U5"));
    assert_eq!(
        stored.summary.as_deref(),
        Some("Checkout failed for 75 minutes")
    );
}
on_both_backends!(
    roles_and_the_summary_are_written_back,
    roles_and_the_summary_are_written_back
);
