//! Two replicas taking notifications for the same group at the same moment declare
//! one incident between them: the group's row lock makes them take turns.

use super::*;
use crate::on_both_backends;

async fn two_replicas_taking_the_same_group_at_once_declare_one_incident(backend: Backend) {
    let now = Utc::now();
    let a = alerting_app(backend, now).await;
    let b = a.replica().await;
    for round in 0..5 {
        let group = format!("Group{round}");
        let body = alertmanager(
            &group,
            &[A::firing("CheckoutDown", &format!("f{round}"), ago(now, 1))],
            now,
        );
        let (x, y) = tokio::join!(a.alertmanager(&body), b.alertmanager(&body));
        let declared = [&x, &y]
            .iter()
            .filter(|v| v["declared"] == json!(true))
            .count();
        assert_eq!(declared, 1, "round {round}: {x} / {y}");
        assert_eq!(
            x["incident_id"], y["incident_id"],
            "both answer with the same incident"
        );
    }
    assert_eq!(a.incident_count().await, 5);
    a.outbox_drained().await;
    let triggers = a.pagers().pagerduty.events().len();
    assert_eq!(triggers, 5, "one PagerDuty trigger per incident");
    b.stop().await;
    a.stop().await;
}
on_both_backends!(
    two_replicas_taking_the_same_group_at_once_declare_one_incident,
    two_replicas_taking_the_same_group_at_once_declare_one_incident
);
