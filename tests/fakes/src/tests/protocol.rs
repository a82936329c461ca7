use serde_json::json;

use super::{Client, TOKEN};
use crate::{FakeSlack, FakeSlackConfig};

#[tokio::test]
async fn api_url_has_no_trailing_slash_and_points_at_api() {
    let slack = FakeSlack::start().await;
    let url = slack.api_url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(url.ends_with("/api"), "{url}");
}

#[tokio::test]
async fn missing_token_answers_not_authed_with_http_200() {
    let c = Client::start().await;
    let a = c
        .raw(c.http().post(format!("{}/auth.test", c.slack.api_url())))
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.error(), Some("not_authed"));
}

#[tokio::test]
async fn wrong_token_answers_invalid_auth() {
    let c = Client::start().await;
    let a = c
        .raw(
            c.http()
                .post(format!("{}/auth.test", c.slack.api_url()))
                .bearer_auth("xoxb-wrong"),
        )
        .await;
    assert_eq!(a.error(), Some("invalid_auth"));
}

#[tokio::test]
async fn token_is_accepted_as_a_form_argument() {
    let c = Client::start().await;
    let a = c
        .raw(
            c.http()
                .post(format!("{}/auth.test", c.slack.api_url()))
                .form(&[("token", TOKEN)]),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
}

#[tokio::test]
async fn configured_token_replaces_the_default() {
    let slack = FakeSlack::start_with(FakeSlackConfig {
        bot_token: "xoxb-other".into(),
        ..FakeSlackConfig::default()
    })
    .await;
    let c = Client::with(slack);
    assert_eq!(
        c.json("auth.test", json!({})).await.error(),
        Some("invalid_auth")
    );
}

#[tokio::test]
async fn unknown_method_answers_unknown_method() {
    let c = Client::start().await;
    let a = c.json("chat.postMessagez", json!({})).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.error(), Some("unknown_method"));
}

#[tokio::test]
async fn answers_are_json_with_charset() {
    let c = Client::start().await;
    let a = c.json("auth.test", json!({})).await;
    assert_eq!(
        a.content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn auth_test_returns_the_bot_identity() {
    let c = Client::start().await;
    let a = c.get("auth.test", &[]).await;
    assert!(a.is_ok());
    assert_eq!(a.body["user_id"], "U0BOT00001");
    assert_eq!(a.body["bot_id"], "B0BOT00001");
    assert_eq!(a.body["team_id"], "T0TEAM0001");
}

#[tokio::test]
async fn malformed_json_body_answers_invalid_json() {
    let c = Client::start().await;
    let a = c
        .raw(
            c.http()
                .post(format!("{}/chat.postMessage", c.slack.api_url()))
                .bearer_auth(TOKEN)
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!(a.error(), Some("invalid_json"));
}

#[tokio::test]
async fn every_call_is_recorded_in_order_with_merged_args_and_no_token() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.get("conversations.info", &[("channel", id.as_str())])
        .await;
    c.form(
        "chat.postMessage",
        &[("channel", id.as_str()), ("text", "hi")],
    )
    .await;
    let calls = c.slack.calls();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            "conversations.create",
            "conversations.info",
            "chat.postMessage"
        ]
    );
    assert_eq!(calls[1].http_method, "GET");
    assert_eq!(calls[1].args["channel"], id.as_str());
    assert_eq!(calls[2].args["text"], "hi");
    assert_eq!(calls[2].status, 200);
    assert_eq!(calls[2].response["ok"], true);
    assert!(calls.iter().all(|c| c.args.get("token").is_none()));
    assert_eq!(c.slack.calls_to("conversations.info").len(), 1);
}

#[tokio::test]
async fn unknown_paths_answer_404() {
    let c = Client::start().await;
    let a = c
        .raw(c.http().get(format!("{}/nope", c.slack.base_url())))
        .await;
    assert_eq!(a.status, 404);
}
