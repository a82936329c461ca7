use serde_json::json;

use super::Client;
use crate::{FakeSlack, FakeSlackConfig};

#[tokio::test]
async fn create_returns_a_channel_with_a_c_id_created_by_the_bot() {
    let c = Client::start().await;
    let a = c
        .json("conversations.create", json!({ "name": "inc-42-db-down" }))
        .await;
    assert!(a.is_ok(), "{a:?}");
    let ch = &a.body["channel"];
    assert_eq!(ch["id"], "C0000001");
    assert_eq!(ch["name"], "inc-42-db-down");
    assert_eq!(ch["is_channel"], true);
    assert_eq!(ch["is_private"], false);
    assert_eq!(ch["creator"], "U0BOT00001");
    assert!(ch["created"].as_i64().unwrap() > 0);
    assert_eq!(c.slack.members_of("C0000001"), ["U0BOT00001"]);
}

#[tokio::test]
async fn channel_ids_are_unique_and_private_flag_is_kept() {
    let c = Client::start().await;
    let a = c.create_channel("one").await;
    let b = c
        .form(
            "conversations.create",
            &[("name", "two"), ("is_private", "true")],
        )
        .await;
    assert_ne!(a, b.body["channel"]["id"].as_str().unwrap());
    assert_eq!(b.body["channel"]["is_private"], true);
    assert_eq!(c.slack.channels().len(), 2);
}

#[tokio::test]
async fn duplicate_channel_name_is_rejected_with_name_taken() {
    let c = Client::start().await;
    c.create_channel("inc-1").await;
    let a = c
        .json("conversations.create", json!({ "name": "inc-1" }))
        .await;
    assert_eq!(a.error(), Some("name_taken"));
    assert_eq!(c.slack.channels().len(), 1);
}

#[tokio::test]
async fn channel_names_follow_slacks_rules() {
    let c = Client::start().await;
    let cases = [
        ("", "invalid_name_required"),
        ("Inc-1", "invalid_name_specials"),
        ("inc 1", "invalid_name_specials"),
        ("inc#1", "invalid_name_specials"),
        ("---", "invalid_name_punctuation"),
    ];
    for (name, error) in cases {
        let a = c
            .json("conversations.create", json!({ "name": name }))
            .await;
        assert_eq!(a.error(), Some(error), "name {name:?}");
    }
    let long = "a".repeat(81);
    let a = c
        .json("conversations.create", json!({ "name": long }))
        .await;
    assert_eq!(a.error(), Some("invalid_name_maxlength"));
    let ok = "a".repeat(80);
    assert!(
        c.json("conversations.create", json!({ "name": ok }))
            .await
            .is_ok()
    );
    let a = c.json("conversations.create", json!({})).await;
    assert_eq!(a.error(), Some("invalid_name_required"));
}

#[tokio::test]
async fn invite_adds_users_given_as_json_array_or_csv() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "conversations.invite",
            json!({ "channel": id, "users": ["U111", "U222"] }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "U333,U111")],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(
        c.slack.members_of(&id),
        ["U0BOT00001", "U111", "U222", "U333"]
    );
}

#[tokio::test]
async fn invite_of_only_existing_members_answers_already_in_channel() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.form(
        "conversations.invite",
        &[("channel", &id), ("users", "U111")],
    )
    .await;
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "U111")],
        )
        .await;
    assert_eq!(a.error(), Some("already_in_channel"));
}

#[tokio::test]
async fn invite_rejects_self_unknown_channel_and_bad_user_ids() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "U0BOT00001")],
        )
        .await;
    assert_eq!(a.error(), Some("cant_invite_self"));
    let a = c
        .form(
            "conversations.invite",
            &[("channel", "C999"), ("users", "U111")],
        )
        .await;
    assert_eq!(a.error(), Some("channel_not_found"));
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "bob")],
        )
        .await;
    assert_eq!(a.error(), Some("user_not_found"));
    let a = c.form("conversations.invite", &[("channel", &id)]).await;
    assert_eq!(a.error(), Some("no_user"));
    assert_eq!(c.slack.members_of(&id), ["U0BOT00001"]);
}

#[tokio::test]
async fn strict_users_only_accepts_added_users() {
    let slack = FakeSlack::start_with(FakeSlackConfig {
        strict_users: true,
        ..FakeSlackConfig::default()
    })
    .await;
    slack.add_user("U111", "alice", "Alice A", "SRE");
    let c = Client::with(slack);
    let id = c.create_channel("inc-1").await;
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "U111,U222")],
        )
        .await;
    assert_eq!(a.error(), Some("user_not_found"));
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "U111")],
        )
        .await;
    assert!(a.is_ok());
}

#[tokio::test]
async fn set_topic_stores_the_topic_and_rejects_long_ones() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "conversations.setTopic",
            json!({ "channel": id, "topic": "SEV1 | IC: @alice" }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(a.body["channel"]["topic"]["value"], "SEV1 | IC: @alice");
    assert_eq!(c.slack.topic_of(&id).as_deref(), Some("SEV1 | IC: @alice"));
    let a = c
        .json(
            "conversations.setTopic",
            json!({ "channel": id, "topic": "x".repeat(251) }),
        )
        .await;
    assert_eq!(a.error(), Some("too_long"));
    assert_eq!(c.slack.topic_of("C404"), None);
}

#[tokio::test]
async fn info_answers_channel_not_found_for_unknown_ids() {
    let c = Client::start().await;
    let a = c.get("conversations.info", &[("channel", "C404")]).await;
    assert_eq!(a.error(), Some("channel_not_found"));
    let a = c.get("conversations.info", &[]).await;
    assert_eq!(a.error(), Some("channel_not_found"));
}

#[tokio::test]
async fn list_pages_with_cursors_and_filters_types() {
    let c = Client::start().await;
    for i in 0..5 {
        c.create_channel(&format!("inc-{i}")).await;
    }
    c.form(
        "conversations.create",
        &[("name", "secret"), ("is_private", "true")],
    )
    .await;
    let first = c.get("conversations.list", &[("limit", "3")]).await;
    assert_eq!(first.body["channels"].as_array().unwrap().len(), 3);
    let cursor = first.body["response_metadata"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!cursor.is_empty());
    let second = c
        .get("conversations.list", &[("limit", "3"), ("cursor", &cursor)])
        .await;
    assert_eq!(second.body["channels"].as_array().unwrap().len(), 2);
    assert_eq!(second.body["response_metadata"]["next_cursor"], "");
    let all = c
        .get(
            "conversations.list",
            &[("types", "public_channel,private_channel")],
        )
        .await;
    assert_eq!(all.body["channels"].as_array().unwrap().len(), 6);
    let bad = c.get("conversations.list", &[("cursor", "garbage")]).await;
    assert_eq!(bad.error(), Some("invalid_cursor"));
}

#[tokio::test]
async fn join_adds_the_bot_to_a_public_channel() {
    let c = Client::start().await;
    let id = c.slack.add_channel("incidents", false, false);
    let a = c
        .json("chat.postMessage", json!({ "channel": id, "text": "x" }))
        .await;
    assert_eq!(a.error(), Some("not_in_channel"));
    assert!(
        c.json("conversations.join", json!({ "channel": id }))
            .await
            .is_ok()
    );
    assert!(c.slack.members_of(&id).contains(&"U0BOT00001".to_string()));
    let private = c.slack.add_channel("hidden", true, false);
    let a = c
        .json("conversations.join", json!({ "channel": private }))
        .await;
    assert_eq!(a.error(), Some("method_not_supported_for_channel_type"));
}
