use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Answer, http, send};
use crate::pagerduty::{EventOutcome, TEST_ROUTING_KEY};
use crate::{FakeOpsgenie, FakePagerDuty, FakeWebhook, PagerFailure};

fn trigger(dedup_key: &str) -> Value {
    json!({
        "routing_key": TEST_ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "payload": { "summary": "s", "source": "warroom", "severity": "error" }
    })
}

async fn enqueue(pd: &FakePagerDuty, body: Value) -> Answer {
    send(http().post(pd.enqueue_url()).json(&body)).await
}

async fn og_create(og: &FakeOpsgenie, alias: &str) -> Answer {
    let req = http()
        .post(format!("{}/v2/alerts", og.url()))
        .header("authorization", "GenieKey ogk-test-key")
        .json(&json!({ "message": "m", "alias": alias }));
    send(req).await
}

#[tokio::test]
async fn a_429_carries_retry_after() {
    let pd = FakePagerDuty::start().await;
    pd.fail_next(
        1,
        PagerFailure::RateLimited {
            retry_after_secs: 7,
        },
    );
    let a = enqueue(&pd, trigger("inc-1")).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.retry_after.as_deref(), Some("7"));
    assert_eq!(
        a.body,
        json!({
            "status": "throttle event",
            "message": "Requests for this service are arriving too quickly. Please retry later."
        })
    );
    assert!(pd.alerts().is_empty());
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 202);
    assert_eq!(pd.alerts().len(), 1);
    let statuses: Vec<u16> = pd.events().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [429, 202]);
}

#[tokio::test]
async fn injected_failures_are_consumed_in_order_and_change_nothing() {
    let pd = FakePagerDuty::start().await;
    pd.fail_next(2, PagerFailure::ServerError);
    pd.fail_next(1, PagerFailure::BadRequest);
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 500);
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 500);
    let a = enqueue(&pd, trigger("inc-1")).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["status"], "invalid event");
    assert!(pd.alerts().is_empty());
    assert!(
        pd.events()
            .iter()
            .all(|e| e.outcome == EventOutcome::NotApplied)
    );
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 202);
}

#[tokio::test]
async fn while_down_every_request_answers_503_and_nothing_is_applied() {
    let pd = FakePagerDuty::start().await;
    pd.set_down(true);
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 503);
    assert!(pd.alerts().is_empty());
    pd.set_down(false);
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 202);
}

#[tokio::test]
async fn a_hang_delays_the_answer_then_applies_the_event() {
    let pd = FakePagerDuty::start().await;
    pd.fail_next(1, PagerFailure::Hang(Duration::from_millis(300)));
    let start = Instant::now();
    assert_eq!(enqueue(&pd, trigger("inc-1")).await.status, 202);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(pd.alerts().len(), 1);
}

#[tokio::test]
async fn a_client_timing_out_during_a_hang_leaves_the_event_unapplied() {
    let pd = FakePagerDuty::start().await;
    pd.fail_next(1, PagerFailure::Hang(Duration::from_secs(5)));
    let res = http()
        .post(pd.enqueue_url())
        .json(&trigger("inc-1"))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(res.is_err());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(pd.alerts().is_empty());
    assert_eq!(pd.events()[0].status, 0);
}

#[tokio::test]
async fn opsgenie_failures_use_its_error_shape_and_change_nothing() {
    let og = FakeOpsgenie::start().await;
    og.fail_next(
        1,
        PagerFailure::RateLimited {
            retry_after_secs: 3,
        },
    );
    og.fail_next(1, PagerFailure::ServerError);
    og.fail_next(1, PagerFailure::BadRequest);
    let a = og_create(&og, "inc-1").await;
    assert_eq!(a.status, 429);
    assert_eq!(a.retry_after.as_deref(), Some("3"));
    assert!(a.body["message"].is_string() && a.body["requestId"].is_string());
    assert_eq!(og_create(&og, "inc-1").await.status, 500);
    assert_eq!(og_create(&og, "inc-1").await.status, 400);
    assert!(og.alerts().is_empty());
    og.set_down(true);
    assert_eq!(og_create(&og, "inc-1").await.status, 503);
    og.set_down(false);
    assert_eq!(og_create(&og, "inc-1").await.status, 202);
    assert_eq!(og.alerts().len(), 1);
    assert_eq!(og.alerts()[0].count, 1);
}

#[tokio::test]
async fn webhook_failures_are_not_received() {
    let hooks = FakeWebhook::start().await;
    hooks.fail_next(
        1,
        PagerFailure::RateLimited {
            retry_after_secs: 1,
        },
    );
    hooks.fail_next(1, PagerFailure::ServerError);
    let post = || http().post(hooks.url("ops")).json(&json!({ "n": 1 }));
    let a = send(post()).await;
    assert_eq!((a.status, a.retry_after.as_deref()), (429, Some("1")));
    assert_eq!(send(post()).await.status, 500);
    hooks.set_down(true);
    assert_eq!(send(post()).await.status, 503);
    hooks.set_down(false);
    assert!(hooks.received("ops").is_empty());
    assert_eq!(send(post()).await.status, 200);
    assert_eq!(hooks.received("ops").len(), 1);
    hooks
        .wait_for("one accepted post", |h| h.received("ops").len() == 1)
        .await;
}

#[tokio::test]
#[should_panic(expected = "timed out after")]
async fn wait_for_panics_naming_what_it_waited_for() {
    let og = FakeOpsgenie::start().await;
    og.wait_for_within("an alert", Duration::from_millis(60), |og| {
        !og.alerts().is_empty()
    })
    .await;
}
