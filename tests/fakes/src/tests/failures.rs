use std::time::{Duration, Instant};

use serde_json::json;

use super::Client;
use crate::Failure;

#[tokio::test]
async fn injected_rate_limit_answers_429_with_retry_after_then_recovers() {
    let c = Client::start().await;
    c.slack.fail_next(
        "auth.test",
        2,
        Failure::RateLimited {
            retry_after_secs: 7,
        },
    );
    for _ in 0..2 {
        let a = c.json("auth.test", json!({})).await;
        assert_eq!(a.status, 429);
        assert_eq!(a.retry_after.as_deref(), Some("7"));
        assert_eq!(a.error(), Some("ratelimited"));
    }
    assert!(c.json("auth.test", json!({})).await.is_ok());
    let statuses: Vec<u16> = c.slack.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
}

#[tokio::test]
async fn injected_failures_only_hit_their_method() {
    let c = Client::start().await;
    c.slack
        .fail_next("chat.postMessage", 1, Failure::ServerError);
    assert!(c.json("auth.test", json!({})).await.is_ok());
    let id = c.create_channel("inc-1").await;
    let a = c
        .json("chat.postMessage", json!({ "channel": id, "text": "x" }))
        .await;
    assert_eq!(a.status, 500);
    assert!(c.slack.messages_in(&id).is_empty());
    c.post(&id, "x").await;
}

#[tokio::test]
async fn injected_slack_error_answers_200_ok_false() {
    let c = Client::start().await;
    c.slack.fail_next(
        "conversations.create",
        1,
        Failure::SlackError("restricted_action".into()),
    );
    let a = c
        .json("conversations.create", json!({ "name": "inc-1" }))
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.error(), Some("restricted_action"));
    assert!(c.slack.channels().is_empty());
}

#[tokio::test]
async fn hang_delays_the_answer() {
    let c = Client::start().await;
    c.slack
        .fail_next("auth.test", 1, Failure::Hang(Duration::from_millis(300)));
    let start = Instant::now();
    assert!(c.json("auth.test", json!({})).await.is_ok());
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_client_timing_out_during_a_hang_leaves_the_call_unapplied() {
    let c = Client::start().await;
    c.slack.fail_next(
        "conversations.create",
        1,
        Failure::Hang(Duration::from_secs(5)),
    );
    let res = c
        .http()
        .post(format!("{}/conversations.create", c.slack.api_url()))
        .bearer_auth(super::TOKEN)
        .json(&json!({ "name": "inc-1" }))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(res.is_err());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(c.slack.channels().is_empty());
    assert_eq!(c.slack.calls()[0].status, 0);
    assert!(!c.slack.calls()[0].applied);
}

#[tokio::test]
async fn while_down_every_call_answers_503() {
    let c = Client::start().await;
    c.slack.set_down(true);
    let a = c.json("auth.test", json!({})).await;
    assert_eq!(a.status, 503);
    c.slack.set_down(false);
    assert!(c.json("auth.test", json!({})).await.is_ok());
}

#[tokio::test]
async fn per_channel_post_limit_answers_429_and_counts_them() {
    let c = Client::start().await;
    let a = c.create_channel("inc-a").await;
    let b = c.create_channel("inc-b").await;
    c.slack.limit_posts_per_channel_per_sec(Some(1.0));
    c.post(&a, "first").await;
    c.post(&b, "other channel is independent").await;
    let limited = c
        .json(
            "chat.postMessage",
            json!({ "channel": a, "text": "second" }),
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.retry_after.as_deref(), Some("1"));
    assert_eq!(c.slack.rate_limited_posts(), 1);
    assert_eq!(c.slack.messages_in(&a).len(), 1);
    c.slack.limit_posts_per_channel_per_sec(None);
    c.post(&a, "unlimited again").await;
}

#[tokio::test]
async fn upload_urls_can_be_failed_too() {
    let c = Client::start().await;
    let a = c
        .get(
            "files.getUploadURLExternal",
            &[("filename", "a.txt"), ("length", "1")],
        )
        .await;
    c.slack
        .fail_next(crate::slack::UPLOAD_METHOD, 1, Failure::ServerError);
    let url = a.body["upload_url"].as_str().unwrap();
    let res = c.http().post(url).body("x").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 500);
    let res = c.http().post(url).body("x").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

#[tokio::test]
async fn wait_for_returns_once_the_condition_holds() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let slack = c.slack.clone();
    let channel = id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let c = Client::with(slack);
        c.post(&channel, "late").await;
    });
    c.slack
        .wait_for("a message in inc-1", |s| !s.messages_in(&id).is_empty())
        .await;
}

#[tokio::test]
#[should_panic(expected = "waiting for never")]
async fn wait_for_panics_with_its_description_on_timeout() {
    let c = Client::start().await;
    c.slack
        .wait_for_within("never", Duration::from_millis(100), |_| false)
        .await;
}

#[tokio::test]
async fn applied_then_server_error_posts_the_message_but_answers_500_without_json() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.slack
        .fail_next("chat.postMessage", 1, Failure::AppliedThenServerError);
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "declared" }),
        )
        .await;
    assert_eq!(a.status, 500);
    assert_eq!(a.body, serde_json::Value::Null, "the body is not JSON");
    let stored = c.slack.messages_in(&id);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].text, "declared");
    let call = c.slack.calls_to("chat.postMessage").remove(0);
    assert_eq!(call.status, 500);
    assert!(call.applied);
    assert_eq!(call.response, serde_json::Value::Null);
    // The next call is answered normally; a retry makes a duplicate, as on Slack.
    c.post(&id, "declared").await;
    assert_eq!(c.slack.messages_in(&id).len(), 2);
}

#[tokio::test]
async fn applied_then_hang_posts_the_message_although_the_client_timed_out() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.slack.fail_next(
        "chat.postMessage",
        1,
        Failure::AppliedThenHang(Duration::from_secs(5)),
    );
    let started = Instant::now();
    let res = c
        .http()
        .post(format!("{}/chat.postMessage", c.slack.api_url()))
        .bearer_auth(super::TOKEN)
        .json(&json!({ "channel": id, "text": "declared" }))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(res.is_err(), "the client gave up");
    assert!(started.elapsed() < Duration::from_secs(2));
    let stored = c.slack.messages_in(&id);
    assert_eq!(stored.len(), 1, "the effect happened");
    assert_eq!(stored[0].text, "declared");
    tokio::time::sleep(Duration::from_millis(50)).await;
    let call = c.slack.calls_to("chat.postMessage").remove(0);
    assert!(call.applied);
    assert_eq!(call.status, 0, "no answer was given");
}

#[tokio::test]
async fn applied_then_hang_answers_normally_to_a_patient_client() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.slack.fail_next(
        "chat.postMessage",
        1,
        Failure::AppliedThenHang(Duration::from_millis(300)),
    );
    let started = Instant::now();
    let ts = c.post(&id, "declared").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(c.slack.messages_in(&id)[0].ts, ts);
    let call = c.slack.calls_to("chat.postMessage").remove(0);
    assert!(call.applied);
    assert_eq!(call.status, 200);
}

#[tokio::test]
async fn calls_stopped_before_the_method_ran_are_recorded_as_not_applied() {
    let c = Client::start().await;
    c.slack
        .fail_next("conversations.create", 1, Failure::ServerError);
    c.json("conversations.create", json!({ "name": "inc-1" }))
        .await;
    c.slack.set_down(true);
    c.json("conversations.create", json!({ "name": "inc-1" }))
        .await;
    c.slack.set_down(false);
    c.create_channel("inc-1").await;
    let applied: Vec<bool> = c.slack.calls().iter().map(|c| c.applied).collect();
    assert_eq!(applied, [false, false, true]);
}
