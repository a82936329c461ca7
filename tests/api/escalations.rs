//! The escalation engine on its own, against a store on both backends: what it does
//! when a due row cannot be handled.

use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use chrono::{Duration as ChronoDuration, Utc};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Notify;
use warroom::clock::Clock;
use warroom::config::escalation::EscalationConfig;
use warroom::domain::{Declaration, Incident, IncidentTitle, Severity};
use warroom::paging::engine::Escalator;
use warroom::store::Store;

const POLICY: &str = r#"
[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL" }]

[policies.app-down]
[[policies.app-down.levels]]
targets = ["team:sre"]
ack_timeout = "5m"

[routing.severity]
sev1 = "app-down"
"#;

fn escalator(store: &Store, clock: &Clock) -> Escalator {
    let config = EscalationConfig::parse(POLICY, Path::new("test.toml"), &|_| None)
        .expect("the test policy is valid");
    Escalator {
        store: store.clone(),
        config: Arc::new(config),
        clock: clock.clone(),
        wake: Arc::new(Notify::new()),
        outbox_wake: Arc::new(Notify::new()),
        metrics: Default::default(),
        drill_page_providers: false,
    }
}

/// Stores a SEV1 whose escalation is due `ago` before now.
async fn due_incident(store: &Store, title: &str, ago: ChronoDuration) -> i64 {
    let now = Utc::now();
    let (incident, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse(title).unwrap(),
        severity: Severity::SEV1,
        service: None,
        summary: None,
        declared_by: "U0DECLARER".into(),
        declared_at: now - ago,
    });
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_incident(&incident).await.unwrap();
    tx.start_escalation(id, "app-down", now - ago)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Makes an incident row unreadable, as a bad manual edit or a bug might.
async fn corrupt(store: &Store, id: i64) {
    const SQL: &str = "UPDATE incidents SET status = 'bogus' WHERE id = $1";
    match store {
        Store::Sqlite(pool, _) => sqlx::query(SQL).bind(id).execute(pool).await.map(|_| ()),
        Store::Postgres(pool) => sqlx::query(SQL).bind(id).execute(pool).await.map(|_| ()),
    }
    .expect("corrupt the row");
}

async fn one_bad_escalation_row_is_recorded_and_the_others_still_page(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let clock = Clock::manual(Utc::now());
    let bad = due_incident(&store, "Corrupt row", ChronoDuration::minutes(2)).await;
    let good = due_incident(&store, "Healthy row", ChronoDuration::minutes(1)).await;
    corrupt(&store, bad).await;

    let handled = escalator(&store, &clock).escalate_due().await;

    assert!(
        handled.is_ok(),
        "a bad row must not fail the pass: {handled:?}"
    );
    let mut tx = store.read().await.unwrap();
    let pages = tx.pages(good).await.unwrap();
    assert_eq!(
        pages.iter().map(|p| p.user_id.as_str()).collect::<Vec<_>>(),
        ["U06SREONCL"],
        "the healthy incident's level one was paged"
    );
    let row = tx
        .escalation(bad)
        .await
        .unwrap()
        .expect("the bad row is kept");
    tx.commit().await.unwrap();
    assert_eq!(row.attempts, 1);
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("bogus")),
        "{row:?}"
    );
    assert!(
        row.deadline.is_some_and(|d| d > clock.now()),
        "the bad row waits before it is tried again: {row:?}"
    );

    // It is tried a few more times, then given up, and the timeline says so.
    for _ in 0..4 {
        clock.advance(std::time::Duration::from_secs(600));
        escalator(&store, &clock).escalate_due().await.unwrap();
    }
    let mut tx = store.read().await.unwrap();
    let row = tx.escalation(bad).await.unwrap().unwrap();
    let said: Vec<String> = tx
        .entries(bad)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.text)
        .collect();
    tx.commit().await.unwrap();
    assert_eq!(
        (row.status.as_str(), row.attempts),
        ("failed", 5),
        "{row:?}"
    );
    assert!(
        said.iter()
            .any(|t| t
                .starts_with("Escalation stopped: level 1 could not be paged after 5 attempts")),
        "{said:?}"
    );
}
on_both_backends!(
    one_bad_escalation_row_is_recorded_and_the_others_still_page,
    one_bad_escalation_row_is_recorded_and_the_others_still_page
);
