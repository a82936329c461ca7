//! The HTTP side of alert intake: tokens, bad bodies, limits and retries. Nothing
//! refused is stored.

use super::*;
use crate::on_both_backends;

async fn a_bad_or_missing_token_gets_401_and_stores_nothing(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let body = alertmanager(
        "CheckoutDown",
        &[A::firing("CheckoutDown", "f1", ago(now, 2))],
        now,
    );
    let (status, _) = app.post_alert("alertmanager", "wrong-token", &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Grafana's token does not open Alertmanager's door.
    let (status, _) = app.post_alert("alertmanager", GRAFANA_TOKEN, &body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = app
        .post_raw("/alerts/alertmanager", &[], &body.to_string())
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.alert_rows().await, (0, 0));
    assert_eq!(app.incident_count().await, 0);
    app.stop().await;
}
on_both_backends!(
    a_bad_or_missing_token_gets_401_and_stores_nothing,
    a_bad_or_missing_token_gets_401_and_stores_nothing
);

#[tokio::test]
async fn the_token_may_come_in_the_query_for_senders_that_cannot_set_headers() {
    let now = Utc::now();
    let app = alerting_app(Backend::Sqlite, now).await;
    let body = alertmanager(
        "CheckoutDown",
        &[A::firing("CheckoutDown", "f1", ago(now, 2))],
        now,
    );
    let res = app
        .post_raw(
            &format!("/alerts/alertmanager?token={AM_TOKEN}"),
            &[],
            &body.to_string(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.incident_count().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn malformed_oversized_and_misrouted_bodies_are_refused_and_store_nothing() {
    let now = Utc::now();
    let app = alerting_app(Backend::Sqlite, now).await;
    let auth = [("authorization", format!("Bearer {AM_TOKEN}"))];

    let res = app
        .post_raw("/alerts/alertmanager", &auth, "{not json")
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let reason = res.text().await.unwrap();
    assert!(!reason.trim().is_empty(), "a 400 says why");

    let no_alerts = json!({"version": "4", "status": "firing", "receiver": "r", "groupKey": "g"});
    let res = app
        .post_raw("/alerts/alertmanager", &auth, &no_alerts.to_string())
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("alerts"));

    let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(9 * 1024 * 1024));
    let res = app.post_raw("/alerts/alertmanager", &auth, &huge).await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let res = app.post_raw("/alerts/nagios", &auth, "{}").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    assert_eq!(app.alert_rows().await, (0, 0));
    assert_eq!(app.incident_count().await, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_source_left_out_of_the_rules_file_is_not_found() {
    let now = Utc::now();
    let rules = RULES.replace(
        "[sources.grafana]\ntoken_env = \"TEST_GRAFANA_TOKEN\"\n",
        "",
    );
    let app = alerting_app_with(Backend::Sqlite, now, &rules).await;
    let body = alertmanager(
        "CheckoutDown",
        &[A::firing("CheckoutDown", "f1", ago(now, 2))],
        now,
    );
    let (status, answer) = app.post_alert("grafana", GRAFANA_TOKEN, &body).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(answer.to_string().contains("sources.grafana"), "{answer}");
    app.stop().await;
}

async fn the_same_notification_delivered_twice_changes_nothing(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let body = alertmanager(
        "CheckoutDown",
        &[
            A::firing("CheckoutDown", "f1", ago(now, 3)),
            A::firing("CheckoutLatency", "f2", ago(now, 2)),
        ],
        now,
    );
    let first = app.alertmanager(&body).await;
    assert_eq!(first["declared"], true, "{first}");
    let id = first["incident_id"].as_i64().expect("an incident");
    app.outbox_drained().await;
    let entries = app.entries(id).await.len();
    let pd = app.pagers().pagerduty.events().len();

    let again = app.alertmanager(&body).await;
    assert_eq!(
        (&again["declared"], &again["changed"], &again["incident_id"]),
        (&json!(false), &json!(0), &json!(id)),
        "{again}"
    );
    app.outbox_drained().await;
    assert_eq!(app.incident_count().await, 1);
    assert_eq!(
        app.entries(id).await.len(),
        entries,
        "no new timeline entries"
    );
    assert_eq!(
        app.pagers().pagerduty.events().len(),
        pd,
        "nobody paged again"
    );
    assert_eq!(app.alert_rows().await, (1, 2));
    app.stop().await;
}
on_both_backends!(
    the_same_notification_delivered_twice_changes_nothing,
    the_same_notification_delivered_twice_changes_nothing
);

#[tokio::test]
async fn alert_text_reaches_slack_escaped() {
    let now = Utc::now();
    let app = alerting_app(Backend::Sqlite, now).await;
    let hostile = A::firing("CheckoutDown", "f1", ago(now, 2))
        .summary("<!channel> checkout down, ask <@U0BOSS0001> <https://evil.example|click here>")
        .label("instance", "<!here>");
    let answer = app
        .alertmanager(&alertmanager("CheckoutDown", &[hostile], now))
        .await;
    let id = answer["incident_id"].as_i64().unwrap();
    let room = app.war_room_of(id).await;
    app.slack
        .wait_for("the alert post", |s| s.pins_in(&room).len() >= 2)
        .await;
    app.outbox_drained().await;
    for call in app.slack.calls() {
        let said = call.args.to_string();
        for bad in [
            "<!channel>",
            "<!here>",
            "<@U0BOSS0001>",
            "<https://evil.example",
        ] {
            assert!(
                !said.contains(bad),
                "{} sent {bad} unescaped: {said}",
                call.method
            );
        }
    }
    app.stop().await;
}
