use serde_json::{Value, json};

use super::{Answer, http, send};
use crate::FakePagerDuty;
use crate::pagerduty::{AlertStatus, EventOutcome, TEST_ROUTING_KEY};

async fn enqueue(pd: &FakePagerDuty, body: Value) -> Answer {
    send(http().post(pd.enqueue_url()).json(&body)).await
}

fn trigger(dedup_key: &str) -> Value {
    json!({
        "routing_key": TEST_ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": {
            "summary": "INC-1: checkout is down",
            "source": "warroom",
            "severity": "critical",
            "timestamp": "2015-07-17T08:42:58.315+0000",
            "custom_details": { "incident": "INC-1" }
        },
        "links": [{ "href": "https://slack.example/inc-1", "text": "war room" }]
    })
}

fn action(action: &str, dedup_key: &str) -> Value {
    json!({ "routing_key": TEST_ROUTING_KEY, "event_action": action, "dedup_key": dedup_key })
}

fn errors(a: &Answer) -> String {
    a.body["errors"].to_string()
}

#[tokio::test]
async fn a_valid_trigger_is_accepted_with_202_and_opens_an_alert() {
    let pd = FakePagerDuty::start().await;
    let a = enqueue(&pd, trigger("inc-1")).await;
    assert_eq!(a.status, 202, "{a:?}");
    assert_eq!(
        a.body,
        json!({"status": "success", "message": "Event processed", "dedup_key": "inc-1"})
    );
    let alerts = pd.open_alerts();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].summary, "INC-1: checkout is down");
    assert_eq!(alerts[0].severity, "critical");
    assert_eq!(alerts[0].status, AlertStatus::Triggered);
    assert_eq!(alerts[0].trigger_count, 1);
    let events = pd.events();
    assert_eq!(events[0].status, 202);
    assert_eq!(events[0].outcome, EventOutcome::Opened);
    assert_eq!(events[0].body["payload"]["source"], "warroom");
}

#[tokio::test]
async fn a_routing_key_that_is_not_32_characters_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body["routing_key"] = json!("too-short");
    let a = enqueue(&pd, body).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["status"], "invalid event");
    assert_eq!(a.body["message"], "Event object is invalid");
    assert!(errors(&a).contains("routing_key"), "{a:?}");
    assert!(pd.alerts().is_empty());
    assert_eq!(pd.events()[0].outcome, EventOutcome::NotApplied);
}

#[tokio::test]
async fn a_missing_routing_key_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body.as_object_mut().unwrap().remove("routing_key");
    let a = enqueue(&pd, body).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("'routing_key' is missing or blank"));
}

#[tokio::test]
async fn an_unknown_event_action_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let a = enqueue(&pd, action("escalate", "inc-1")).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("event_action"));
}

#[tokio::test]
async fn a_trigger_without_payload_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let a = enqueue(&pd, action("trigger", "inc-1")).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("'payload' is missing or blank"));
}

#[tokio::test]
async fn a_summary_longer_than_1024_characters_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body["payload"]["summary"] = json!("é".repeat(1025));
    let a = enqueue(&pd, body.clone()).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("payload.summary"));
    body["payload"]["summary"] = json!("é".repeat(1024));
    assert_eq!(enqueue(&pd, body).await.status, 202);
}

#[tokio::test]
async fn an_empty_summary_or_source_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body["payload"]["summary"] = json!("");
    body["payload"]["source"] = json!(" ");
    let a = enqueue(&pd, body).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("payload.summary"));
    assert!(errors(&a).contains("payload.source"));
}

#[tokio::test]
async fn a_severity_outside_the_four_levels_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body["payload"]["severity"] = json!("sev1");
    let a = enqueue(&pd, body).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("payload.severity"));
}

#[tokio::test]
async fn an_unparsable_timestamp_is_rejected_but_rfc3339_is_accepted() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body["payload"]["timestamp"] = json!("yesterday at noon");
    let a = enqueue(&pd, body.clone()).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("payload.timestamp"));
    body["payload"]["timestamp"] = json!("2026-03-01T12:00:00Z");
    assert_eq!(enqueue(&pd, body).await.status, 202);
}

#[tokio::test]
async fn timestamps_need_a_date_a_time_and_a_zone() {
    let pd = FakePagerDuty::start().await;
    let accepted = [
        "2015-07-17T08:42:58.315+0000",
        "2015-07-17T08:42:58+0000",
        "2026-03-01T12:00:00Z",
        "2026-03-01T12:00:00.123456+02:00",
    ];
    let rejected = [
        "2026-03-01T12:00:00",
        "2026-03-01",
        "2026-13-01T00:00:00Z",
        "1772366400",
    ];
    for (ts, status) in accepted
        .iter()
        .map(|t| (t, 202))
        .chain(rejected.iter().map(|t| (t, 400)))
    {
        let mut body = trigger(&format!("k-{ts}"));
        body["payload"]["timestamp"] = json!(ts);
        assert_eq!(enqueue(&pd, body).await.status, status, "{ts}");
    }
}

#[tokio::test]
async fn unknown_top_level_and_payload_fields_are_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body["service_key"] = json!("legacy");
    body["payload"]["sumary"] = json!("typo");
    let a = enqueue(&pd, body).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("'service_key' is not a recognized field"));
    assert!(errors(&a).contains("'payload.sumary' is not a recognized field"));
}

#[tokio::test]
async fn custom_details_must_be_an_object_and_links_need_an_href() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("inc-1");
    body["payload"]["custom_details"] = json!("just text");
    body["links"] = json!([{ "text": "no href" }]);
    let a = enqueue(&pd, body).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("payload.custom_details"));
    assert!(errors(&a).contains("links[0].href"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let req = http()
        .post(pd.enqueue_url())
        .header("content-type", "application/json")
        .body("{not json");
    let a = send(req).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["status"], "invalid event");
    assert_eq!(pd.events()[0].body, Value::Null);
}

#[tokio::test]
async fn a_body_without_a_json_content_type_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let req = http()
        .post(pd.enqueue_url())
        .header("content-type", "text/plain")
        .body(trigger("inc-1").to_string());
    assert_eq!(send(req).await.status, 400);
    assert!(pd.alerts().is_empty());
}

#[tokio::test]
async fn a_trigger_without_dedup_key_gets_a_generated_one() {
    let pd = FakePagerDuty::start().await;
    let mut body = trigger("x");
    body.as_object_mut().unwrap().remove("dedup_key");
    let a = enqueue(&pd, body.clone()).await;
    assert_eq!(a.status, 202);
    let key = a.body["dedup_key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 32);
    let b = enqueue(&pd, body).await;
    assert_ne!(b.body["dedup_key"].as_str().unwrap(), key);
    assert_eq!(pd.open_alerts().len(), 2);
    assert_eq!(pd.events()[0].dedup_key.as_deref(), Some(key.as_str()));
}

#[tokio::test]
async fn a_second_trigger_with_the_same_dedup_key_does_not_open_a_second_alert() {
    let pd = FakePagerDuty::start().await;
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 202);
    let a = enqueue(&pd, trigger("inc-1")).await;
    assert_eq!(a.status, 202);
    assert_eq!(a.body["dedup_key"], "inc-1");
    let alerts = pd.alerts();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].trigger_count, 2);
    assert_eq!(pd.events()[1].outcome, EventOutcome::Duplicate);
}

#[tokio::test]
async fn the_same_dedup_key_on_another_routing_key_is_another_alert() {
    let pd = FakePagerDuty::start().await;
    enqueue(&pd, trigger("inc-1")).await;
    let mut other = trigger("inc-1");
    other["routing_key"] = json!("b".repeat(32));
    enqueue(&pd, other).await;
    assert_eq!(pd.open_alerts().len(), 2);
}

#[tokio::test]
async fn acknowledge_then_resolve_walks_the_alert_through_its_statuses() {
    let pd = FakePagerDuty::start().await;
    enqueue(&pd, trigger("inc-1")).await;
    assert_eq!(
        enqueue(&pd, action("acknowledge", "inc-1")).await.status,
        202
    );
    assert_eq!(pd.alert("inc-1").unwrap().status, AlertStatus::Acknowledged);
    assert_eq!(pd.open_alerts().len(), 1);
    assert_eq!(enqueue(&pd, action("resolve", "inc-1")).await.status, 202);
    assert_eq!(pd.alert("inc-1").unwrap().status, AlertStatus::Resolved);
    assert!(pd.open_alerts().is_empty());
}

#[tokio::test]
async fn a_trigger_after_resolve_opens_a_new_alert() {
    let pd = FakePagerDuty::start().await;
    enqueue(&pd, trigger("inc-1")).await;
    enqueue(&pd, action("resolve", "inc-1")).await;
    enqueue(&pd, trigger("inc-1")).await;
    let alerts = pd.alerts();
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].status, AlertStatus::Resolved);
    assert_eq!(alerts[1].status, AlertStatus::Triggered);
}

#[tokio::test]
async fn resolve_without_dedup_key_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let body = json!({ "routing_key": TEST_ROUTING_KEY, "event_action": "resolve" });
    let a = enqueue(&pd, body).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("'dedup_key' is missing or blank"));
}

#[tokio::test]
async fn a_dedup_key_longer_than_255_characters_is_rejected_with_400() {
    let pd = FakePagerDuty::start().await;
    let a = enqueue(&pd, trigger(&"k".repeat(256))).await;
    assert_eq!(a.status, 400);
    assert!(errors(&a).contains("dedup_key"));
}

#[tokio::test]
async fn resolving_an_unknown_dedup_key_is_accepted_but_changes_nothing() {
    let pd = FakePagerDuty::start().await;
    let a = enqueue(&pd, action("resolve", "never-triggered")).await;
    assert_eq!(a.status, 202);
    assert!(pd.alerts().is_empty());
    assert_eq!(pd.events()[0].outcome, EventOutcome::NoOpenAlert);
}

#[tokio::test]
async fn wait_for_sees_an_alert_opened_later() {
    let pd = FakePagerDuty::start().await;
    let bg = pd.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        enqueue(&bg, trigger("inc-1")).await;
    });
    pd.wait_for("an open alert", |pd| pd.open_alerts().len() == 1)
        .await;
}
