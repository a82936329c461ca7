use serde_json::{Value, json};

use super::{Answer, http, send};
use crate::FakeOpsgenie;
use crate::opsgenie::{AlertStatus, Outcome, Responder, ResponderRef};

const KEY: &str = "GenieKey ogk-test-key";

async fn create(og: &FakeOpsgenie, body: Value) -> Answer {
    let req = http()
        .post(format!("{}/v2/alerts", og.url()))
        .header("authorization", KEY)
        .json(&body);
    send(req).await
}

async fn act(og: &FakeOpsgenie, identifier: &str, action: &str, query: &str) -> Answer {
    let req = http()
        .post(format!(
            "{}/v2/alerts/{identifier}/{action}{query}",
            og.url()
        ))
        .header("authorization", KEY)
        .json(&json!({ "source": "warroom", "note": "resolved in Slack" }));
    send(req).await
}

fn alert(alias: &str) -> Value {
    json!({
        "message": "INC-1: checkout is down",
        "alias": alias,
        "description": "Declared in #inc-1",
        "responders": [
            { "type": "team", "name": "payments" },
            { "type": "user", "username": "ada@example.com" },
            { "type": "schedule", "id": "4513b7ea-3b91-438f-b7e4-e3e54af9147c" }
        ],
        "priority": "P1",
        "tags": ["incident", "sev1"],
        "details": { "incident": "INC-1" },
        "source": "warroom"
    })
}

fn assert_422(a: &Answer, field: &str) {
    assert_eq!(a.status, 422, "{a:?}");
    assert_eq!(
        a.body["message"],
        "Request body is not processable. Please check the errors."
    );
    assert!(
        a.body["errors"].get(field).is_some(),
        "no error for {field}: {a:?}"
    );
    assert!(a.body["requestId"].is_string());
    assert!(a.body["took"].is_f64());
}

#[tokio::test]
async fn a_valid_create_is_accepted_with_202_and_a_request_id() {
    let og = FakeOpsgenie::start().await;
    let a = create(&og, alert("inc-1")).await;
    assert_eq!(a.status, 202, "{a:?}");
    assert_eq!(a.body["result"], "Request will be processed");
    assert_eq!(a.body["requestId"].as_str().unwrap().len(), 36);
    let alerts = og.alerts();
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(alert.alias.as_deref(), Some("inc-1"));
    assert_eq!(alert.status, AlertStatus::Open);
    assert_eq!(alert.priority, "P1");
    assert_eq!(alert.count, 1);
    assert_eq!(alert.tags, ["incident", "sev1"]);
    assert_eq!(alert.details["incident"], "INC-1");
    assert_eq!(
        alert.responders[1],
        Responder {
            kind: "user".into(),
            by: ResponderRef::Username("ada@example.com".into())
        }
    );
    let requests = og.requests();
    assert_eq!(requests[0].outcome, Outcome::Created);
    assert_eq!(requests[0].authorization.as_deref(), Some(KEY));
}

#[tokio::test]
async fn priority_defaults_to_p3() {
    let og = FakeOpsgenie::start().await;
    create(&og, json!({ "message": "m" })).await;
    assert_eq!(og.alerts()[0].priority, "P3");
    assert_eq!(og.alerts()[0].alias, None);
}

#[tokio::test]
async fn a_missing_genie_key_is_rejected() {
    let og = FakeOpsgenie::start().await;
    let req = http()
        .post(format!("{}/v2/alerts", og.url()))
        .json(&alert("inc-1"));
    let a = send(req).await;
    assert_eq!(a.status, 401);
    assert_eq!(a.body["message"], "Could not authenticate");
    assert!(a.body["requestId"].is_string());
    assert!(og.alerts().is_empty());
    assert_eq!(og.requests()[0].outcome, Outcome::NotApplied);
}

#[tokio::test]
async fn a_wrong_genie_key_or_another_scheme_is_rejected() {
    let og = FakeOpsgenie::start().await;
    for auth in ["GenieKey wrong-key", "Bearer ogk-test-key", "ogk-test-key"] {
        let req = http()
            .post(format!("{}/v2/alerts", og.url()))
            .header("authorization", auth)
            .json(&alert("inc-1"));
        assert_eq!(send(req).await.status, 401, "{auth}");
    }
    assert!(og.alerts().is_empty());
}

#[tokio::test]
async fn a_configured_key_replaces_the_default() {
    let og = FakeOpsgenie::start_with_key("prod-like").await;
    assert_eq!(create(&og, alert("inc-1")).await.status, 401);
    let req = http()
        .post(format!("{}/v2/alerts", og.url()))
        .header("authorization", "GenieKey prod-like")
        .json(&alert("inc-1"));
    assert_eq!(send(req).await.status, 202);
}

#[tokio::test]
async fn a_missing_or_too_long_message_is_rejected_with_422() {
    let og = FakeOpsgenie::start().await;
    assert_422(&create(&og, json!({ "alias": "inc-1" })).await, "message");
    assert_422(&create(&og, json!({ "message": "  " })).await, "message");
    assert_422(
        &create(&og, json!({ "message": "x".repeat(131) })).await,
        "message",
    );
    assert_eq!(
        create(&og, json!({ "message": "x".repeat(130) }))
            .await
            .status,
        202
    );
}

#[tokio::test]
async fn an_alias_longer_than_512_characters_is_rejected_with_422() {
    let og = FakeOpsgenie::start().await;
    let a = create(&og, json!({ "message": "m", "alias": "a".repeat(513) })).await;
    assert_422(&a, "alias");
}

#[tokio::test]
async fn a_description_longer_than_15000_characters_is_rejected_with_422() {
    let og = FakeOpsgenie::start().await;
    let a = create(
        &og,
        json!({ "message": "m", "description": "d".repeat(15_001) }),
    )
    .await;
    assert_422(&a, "description");
}

#[tokio::test]
async fn a_responder_needs_a_known_type_and_exactly_one_identifier() {
    let og = FakeOpsgenie::start().await;
    let bad = [
        json!({ "type": "squad", "name": "payments" }),
        json!({ "type": "team" }),
        json!({ "type": "team", "id": "1", "name": "payments" }),
        json!({ "type": "team", "username": "ada@example.com" }),
        json!({ "type": "user", "name": "Ada" }),
        json!("payments"),
    ];
    for responder in bad {
        let a = create(&og, json!({ "message": "m", "responders": [responder] })).await;
        assert_422(&a, "responders[0]");
    }
    assert!(og.alerts().is_empty());
}

#[tokio::test]
async fn a_priority_outside_p1_to_p5_is_rejected_with_422() {
    let og = FakeOpsgenie::start().await;
    for p in [json!("P0"), json!("p1"), json!(1)] {
        assert_422(
            &create(&og, json!({ "message": "m", "priority": p })).await,
            "priority",
        );
    }
}

#[tokio::test]
async fn tags_must_be_strings_and_details_values_must_be_strings() {
    let og = FakeOpsgenie::start().await;
    let a = create(&og, json!({ "message": "m", "tags": ["ok", 7] })).await;
    assert_422(&a, "tags[1]");
    let a = create(&og, json!({ "message": "m", "details": { "count": 3 } })).await;
    assert_422(&a, "details.count");
}

#[tokio::test]
async fn an_unknown_field_is_rejected_with_422() {
    let og = FakeOpsgenie::start().await;
    let a = create(&og, json!({ "message": "m", "teams": ["payments"] })).await;
    assert_422(&a, "teams");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_rejected() {
    let og = FakeOpsgenie::start().await;
    let req = http()
        .post(format!("{}/v2/alerts", og.url()))
        .header("authorization", KEY)
        .header("content-type", "application/json")
        .body("{nope");
    assert_422(&send(req).await, "body");
    let req = http()
        .post(format!("{}/v2/alerts", og.url()))
        .header("authorization", KEY)
        .header("content-type", "text/plain")
        .body(alert("inc-1").to_string());
    assert_eq!(send(req).await.status, 415);
}

#[tokio::test]
async fn a_create_with_the_alias_of_an_open_alert_deduplicates() {
    let og = FakeOpsgenie::start().await;
    assert_eq!(create(&og, alert("inc-1")).await.status, 202);
    assert_eq!(create(&og, alert("inc-1")).await.status, 202);
    let alerts = og.alerts();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].count, 2);
    let requests = og.requests();
    assert_eq!(requests[1].outcome, Outcome::Deduplicated);
    assert_eq!(requests[1].alert_id.as_deref(), Some(alerts[0].id.as_str()));
}

#[tokio::test]
async fn close_by_alias_closes_the_open_alert_and_a_new_create_opens_another() {
    let og = FakeOpsgenie::start().await;
    create(&og, alert("inc-1")).await;
    let a = act(&og, "inc-1", "close", "?identifierType=alias").await;
    assert_eq!(a.status, 202, "{a:?}");
    assert_eq!(a.body["result"], "Request will be processed");
    assert_eq!(
        og.alert_by_alias("inc-1").unwrap().status,
        AlertStatus::Closed
    );
    assert!(og.open_alerts().is_empty());
    create(&og, alert("inc-1")).await;
    assert_eq!(og.alerts().len(), 2);
    assert_eq!(og.open_alerts().len(), 1);
}

#[tokio::test]
async fn acknowledge_by_id_and_close_by_tiny_id_work() {
    let og = FakeOpsgenie::start().await;
    create(&og, alert("inc-1")).await;
    let alert = og.alerts().remove(0);
    let a = act(&og, &alert.id, "acknowledge", "?identifierType=id").await;
    assert_eq!(a.status, 202);
    assert_eq!(og.alerts()[0].status, AlertStatus::Acked);
    assert_eq!(og.open_alerts().len(), 1);
    act(&og, &alert.tiny_id, "close", "?identifierType=tiny").await;
    assert_eq!(og.alerts()[0].status, AlertStatus::Closed);
}

#[tokio::test]
async fn an_alias_with_spaces_is_percent_decoded() {
    let og = FakeOpsgenie::start().await;
    create(&og, json!({ "message": "m", "alias": "inc 1/db" })).await;
    act(&og, "inc%201%2Fdb", "close", "?identifierType=alias").await;
    assert_eq!(og.alerts()[0].status, AlertStatus::Closed);
}

#[tokio::test]
async fn closing_an_unknown_alias_answers_202_but_is_recorded_as_close_of_unknown() {
    let og = FakeOpsgenie::start().await;
    let a = act(&og, "never-created", "close", "?identifierType=alias").await;
    assert_eq!(a.status, 202);
    let unknown = og.closes_of_unknown();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].identifier.as_deref(), Some("never-created"));
    assert!(og.alerts().is_empty());
}

#[tokio::test]
async fn a_missing_or_invalid_identifier_type_is_rejected_with_422() {
    let og = FakeOpsgenie::start().await;
    create(&og, alert("inc-1")).await;
    assert_422(&act(&og, "inc-1", "close", "").await, "identifierType");
    assert_422(
        &act(&og, "inc-1", "close", "?identifierType=name").await,
        "identifierType",
    );
    assert_eq!(og.alerts()[0].status, AlertStatus::Open);
}

#[tokio::test]
async fn a_close_without_body_is_accepted_but_an_unknown_body_field_is_not() {
    let og = FakeOpsgenie::start().await;
    create(&og, alert("inc-1")).await;
    let url = format!("{}/v2/alerts/inc-1/close?identifierType=alias", og.url());
    let a = send(
        http()
            .post(&url)
            .header("authorization", KEY)
            .json(&json!({ "reason": "x" })),
    )
    .await;
    assert_422(&a, "reason");
    let a = send(http().post(&url).header("authorization", KEY)).await;
    assert_eq!(a.status, 202);
    assert_eq!(og.alerts()[0].status, AlertStatus::Closed);
}

#[tokio::test]
async fn close_requires_the_genie_key_too() {
    let og = FakeOpsgenie::start().await;
    create(&og, alert("inc-1")).await;
    let url = format!("{}/v2/alerts/inc-1/close?identifierType=alias", og.url());
    assert_eq!(send(http().post(&url)).await.status, 401);
    assert_eq!(og.open_alerts().len(), 1);
}
