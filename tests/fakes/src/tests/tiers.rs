//! Slack's per-method rate tiers in the fake: a sliding minute per method, 429 with
//! `Retry-After` past the tier's floor, on by default.

use serde_json::json;

use super::Client;
use crate::{Failure, FakeSlack, FakeSlackConfig};

#[tokio::test]
async fn a_tier_2_method_takes_20_calls_a_minute_then_answers_429_with_retry_after() {
    let c = Client::start().await;
    for n in 0..20 {
        c.create_channel(&format!("inc-{n}")).await;
    }
    let limited = c
        .json("conversations.create", json!({ "name": "inc-20" }))
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.error(), Some("ratelimited"));
    let after: u64 = limited.retry_after.as_deref().unwrap().parse().unwrap();
    assert!(
        (55..=60).contains(&after),
        "wait for the oldest call: {after}"
    );
    assert!(
        c.slack.channel_by_name("inc-20").is_none(),
        "nothing created"
    );
    assert_eq!(c.slack.tier_limited_calls("conversations.create"), 1);
}

#[tokio::test]
async fn each_method_has_its_own_minute_and_chat_update_allows_50() {
    let c = Client::start().await;
    let room = c.create_channel("inc-a").await;
    let ts = c.post(&room, "first").await;
    for n in 0..50 {
        let a = c
            .json(
                "chat.update",
                json!({ "channel": room, "ts": ts, "text": format!("v{n}") }),
            )
            .await;
        assert!(a.is_ok(), "update {n}: {a:?}");
    }
    let limited = c
        .json(
            "chat.update",
            json!({ "channel": room, "ts": ts, "text": "v50" }),
        )
        .await;
    assert_eq!(limited.status, 429);
    assert_eq!(c.slack.messages_in(&room)[0].text, "v49");
    // Other methods are counted apart.
    c.create_channel("inc-b").await;
    c.post(&room, "posts are not a tier method").await;
}

#[tokio::test]
async fn tiers_can_be_turned_off_and_injected_failures_come_first() {
    let slack = FakeSlack::start_with(FakeSlackConfig {
        tier_limits: false,
        ..FakeSlackConfig::default()
    })
    .await;
    let c = Client::with(slack);
    for n in 0..25 {
        c.create_channel(&format!("inc-{n}")).await;
    }
    c.slack.enforce_tiers(true);
    c.slack
        .fail_next("conversations.create", 1, Failure::ServerError);
    let failed = c
        .json("conversations.create", json!({ "name": "inc-x" }))
        .await;
    assert_eq!(failed.status, 500, "the injected failure, not the tier");
    for n in 25..45 {
        c.create_channel(&format!("inc-{n}")).await;
    }
    let limited = c
        .json("conversations.create", json!({ "name": "inc-45" }))
        .await;
    assert_eq!(limited.status, 429, "a fresh minute once turned on");
    assert_eq!(c.slack.tier_limited_calls("conversations.create"), 1);
}
