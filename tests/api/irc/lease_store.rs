//! The IRC connection's lease in the store: one holder at a time, renewed by its
//! holder, taken over once it has run out, given back on stop; and an IRC line
//! written twice under its key is one entry. On SQLite and PostgreSQL.

use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use chrono::{Duration, TimeZone, Utc};
use warroom::domain::{Declaration, EntrySource, Incident, IncidentTitle, Severity};
use warroom::store::{Ingested, IrcLine};

async fn one_replica_holds_the_lease_until_it_runs_out(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
    let lease = Duration::seconds(30);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.take_fallback_lease("a", t0, t0 + lease).await.unwrap());
    assert!(
        !tx.take_fallback_lease("b", t0 + Duration::seconds(10), t0 + Duration::seconds(40))
            .await
            .unwrap(),
        "b took a lease a holds"
    );
    assert!(
        tx.take_fallback_lease("a", t0 + Duration::seconds(10), t0 + Duration::seconds(40))
            .await
            .unwrap(),
        "a could not renew"
    );
    let later = t0 + Duration::seconds(41);
    assert!(
        tx.take_fallback_lease("b", later, later + lease)
            .await
            .unwrap(),
        "b could not take over a lease that ran out"
    );
    assert_eq!(
        tx.fallback_lease().await.unwrap(),
        Some(("b".to_string(), later + lease))
    );
    assert!(
        !tx.release_fallback_lease("a").await.unwrap(),
        "a gave back b's lease"
    );
    assert!(tx.release_fallback_lease("b").await.unwrap());
    assert!(
        tx.take_fallback_lease("a", later, later + lease)
            .await
            .unwrap(),
        "a given-back lease is free at once"
    );
    tx.commit().await.unwrap();
}

on_both_backends!(
    one_replica_holds_the_irc_connection_lease_until_it_runs_out,
    one_replica_holds_the_lease_until_it_runs_out
);

async fn an_irc_line_written_twice_is_one_entry(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let at = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
    let (incident, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse("Checkout down").unwrap(),
        severity: Severity::SEV2,
        service: None,
        summary: None,
        declared_by: "U1".into(),
        declared_at: at,
    });
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_incident(&incident).await.unwrap();
    let line = IrcLine {
        incident_id: id,
        channel: "#warroom-inc-1",
        key: "rx:1",
        nick: "alice",
        author_id: Some("U0ALICE"),
        text: "restarting the pods",
        at,
    };
    assert_eq!(tx.insert_irc_line(&line).await.unwrap(), Ingested::Stored);
    assert_eq!(
        tx.insert_irc_line(&line).await.unwrap(),
        Ingested::Duplicate
    );
    let other = IrcLine {
        key: "rx:2",
        ..line.clone()
    };
    assert_eq!(tx.insert_irc_line(&other).await.unwrap(), Ingested::Stored);
    let entries: Vec<_> = tx
        .entries(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.source == EntrySource::Irc)
        .collect();
    tx.commit().await.unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0].author_nick.as_deref(), Some("alice"));
    assert_eq!(entries[0].author_id.as_deref(), Some("U0ALICE"));
    assert_eq!(entries[0].ts.as_deref(), Some("rx:1"));
}

on_both_backends!(
    an_irc_line_stored_twice_under_its_key_is_one_entry,
    an_irc_line_written_twice_is_one_entry
);
