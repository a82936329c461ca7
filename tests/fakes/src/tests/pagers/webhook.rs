use serde_json::json;

use super::{http, send};
use crate::FakeWebhook;

#[tokio::test]
async fn a_json_post_is_recorded_under_its_hook_name() {
    let hooks = FakeWebhook::start().await;
    let a = send(
        http()
            .post(hooks.url("ops"))
            .json(&json!({ "text": "INC-1" })),
    )
    .await;
    assert_eq!(a.status, 200);
    send(http().post(hooks.url("other")).json(&json!({ "n": 2 }))).await;
    assert_eq!(hooks.received("ops"), [json!({ "text": "INC-1" })]);
    assert_eq!(hooks.received("other"), [json!({ "n": 2 })]);
    assert!(hooks.received("nobody").is_empty());
    assert_eq!(
        hooks.requests()[0].headers["content-type"],
        "application/json"
    );
}

#[tokio::test]
async fn a_post_without_json_content_type_is_rejected_with_415() {
    let hooks = FakeWebhook::start().await;
    let req = http()
        .post(hooks.url("ops"))
        .header("content-type", "text/plain")
        .body(r#"{"text":"x"}"#);
    assert_eq!(send(req).await.status, 415);
    assert_eq!(
        send(http().post(hooks.url("ops")).body("{}")).await.status,
        415
    );
    assert!(hooks.received("ops").is_empty());
    assert_eq!(hooks.requests().len(), 2);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_rejected_with_400() {
    let hooks = FakeWebhook::start().await;
    let req = http()
        .post(hooks.url("ops"))
        .header("content-type", "application/json")
        .body("{nope");
    assert_eq!(send(req).await.status, 400);
    assert!(hooks.received("ops").is_empty());
}

#[tokio::test]
async fn a_required_bearer_token_is_enforced() {
    let hooks = FakeWebhook::start().await;
    hooks.require_bearer(Some("s3cret"));
    let body = json!({ "text": "x" });
    assert_eq!(
        send(http().post(hooks.url("ops")).json(&body)).await.status,
        401
    );
    let wrong = http()
        .post(hooks.url("ops"))
        .bearer_auth("nope")
        .json(&body);
    assert_eq!(send(wrong).await.status, 401);
    let right = http()
        .post(hooks.url("ops"))
        .bearer_auth("s3cret")
        .json(&body);
    assert_eq!(send(right).await.status, 200);
    assert_eq!(hooks.received("ops").len(), 1);
}

#[tokio::test]
async fn a_get_is_not_allowed() {
    let hooks = FakeWebhook::start().await;
    assert_eq!(send(http().get(hooks.url("ops"))).await.status, 405);
    assert!(hooks.requests().is_empty());
}
