//! A window holding more incidents than one statement binds ids for: the report still
//! has every incident with its own pages and items, and the dashboard learns which are
//! private, on both backends.

use super::t;
use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use warroom::config::escalation::EscalationConfig;
use warroom::domain::{Declaration, Incident, IncidentTitle, NewActionItem, Severity};
use warroom::report::{self, Window};
use warroom::store::NewPage;

/// More than the 500 ids the store binds per statement.
const INCIDENTS: i64 = 620;

/// Incident `n` of the window: declared `n` seconds after 10:00.
fn nth_incident(n: i64) -> Incident {
    let (incident, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse(&format!("Incident {n}")).unwrap(),
        severity: Severity::SEV3,
        service: None,
        summary: None,
        declared_by: "U0DECLARE".into(),
        declared_at: t(1, 10, 0, 0) + chrono::TimeDelta::seconds(n),
    });
    incident
}

async fn a_window_of_many_incidents_keeps_each_ones_pages_and_items(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for n in 0..INCIDENTS {
        let incident = nth_incident(n);
        let declared_at = incident.declared_at;
        let id = tx.insert_incident(&incident).await.unwrap();
        let key = format!("policy:{id}:0:U0ONCALL0");
        tx.insert_page(&NewPage {
            incident_id: id,
            page_key: &key,
            user_id: "U0ONCALL0",
            team_id: None,
            level: Some(0),
            note: None,
            paged_by: None,
            paged_at: declared_at,
        })
        .await
        .unwrap();
        tx.add_action(&NewActionItem {
            incident_id: id,
            text: format!("Follow up on {n}"),
            owner_id: None,
            due: None,
            created_by: "U0DECLARE".into(),
            created_at: declared_at,
            source_ts: None,
        })
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();

    let window = Window::new(t(1, 9, 0, 0), t(1, 12, 0, 0)).unwrap();
    let r = report::build(&store, window, t(1, 12, 0, 0), &EscalationConfig::empty())
        .await
        .unwrap();

    assert_eq!(r.incidents.iter().map(|i| i.id).collect::<Vec<_>>(), ids);
    assert_eq!(r.totals.pages, INCIDENTS as usize);
    for (n, incident) in r.incidents.iter().enumerate() {
        assert_eq!(incident.pages.len(), 1, "#{}", incident.id);
        assert_eq!(incident.pages[0].paged_at, incident.declared_at);
        assert_eq!(incident.open_actions.len(), 1, "#{}", incident.id);
        assert_eq!(incident.open_actions[0].text, format!("Follow up on {n}"));
    }
}
on_both_backends!(
    a_window_of_many_incidents_keeps_each_ones_pages_and_items,
    a_window_of_many_incidents_keeps_each_ones_pages_and_items
);

async fn private_incidents_names_exactly_the_private_ones_of_more_ids_than_one_statement_binds(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    let mut private = std::collections::HashSet::new();
    for n in 0..INCIDENTS {
        let incident = nth_incident(n);
        // Private ones on both sides of the first chunk's end.
        let is_private = n % 7 == 0 || n == INCIDENTS - 1;
        let id = tx.insert_incident_as(&incident, is_private).await.unwrap();
        if is_private {
            private.insert(id);
        }
        ids.push(id);
    }
    tx.commit().await.unwrap();
    // An id of no incident is neither private nor an error.
    let unknown = ids.iter().max().unwrap() + 1_000;
    ids.push(unknown);

    let mut tx = store.read().await.unwrap();
    let found = tx.private_incidents(&ids).await.unwrap();
    let none = tx.private_incidents(&[]).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(found, private);
    assert!(none.is_empty());
}
on_both_backends!(
    private_incidents_names_exactly_the_private_ones_of_more_ids_than_one_statement_binds,
    private_incidents_names_exactly_the_private_ones_of_more_ids_than_one_statement_binds
);
