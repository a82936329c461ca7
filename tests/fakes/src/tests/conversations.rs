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
            &[("channel", &id), ("users", "U333,U444")],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(
        c.slack.members_of(&id),
        ["U0BOT00001", "U111", "U222", "U333", "U444"]
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

#[tokio::test]
async fn one_member_already_in_the_channel_among_new_users_invites_nobody_without_force() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.slack.add_member(&id, "U111");
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "U222,U111,U333")],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body,
        json!({
            "ok": false,
            "error": "already_in_channel",
            "errors": [{ "user": "U111", "ok": false, "error": "already_in_channel" }],
        })
    );
    assert_eq!(c.slack.members_of(&id), ["U0BOT00001", "U111"]);
}

#[tokio::test]
async fn every_failing_user_is_named_with_its_own_error_and_the_first_one_is_the_error() {
    let slack = FakeSlack::start_with(FakeSlackConfig {
        strict_users: true,
        ..FakeSlackConfig::default()
    })
    .await;
    slack.add_user("U111", "alice", "Alice A", "SRE");
    slack.add_user("U222", "bob", "Bob B", "DBA");
    let c = Client::with(slack);
    let id = c.create_channel("inc-1").await;
    c.slack.add_member(&id, "U222");
    let a = c
        .json(
            "conversations.invite",
            json!({ "channel": id, "users": ["U999", "U111", "U0BOT00001", "U222"] }),
        )
        .await;
    assert_eq!(a.error(), Some("user_not_found"));
    assert_eq!(
        a.body["errors"],
        json!([
            { "user": "U999", "ok": false, "error": "user_not_found" },
            { "user": "U0BOT00001", "ok": false, "error": "cant_invite_self" },
            { "user": "U222", "ok": false, "error": "already_in_channel" },
        ])
    );
    assert!(!c.slack.members_of(&id).contains(&"U111".to_string()));
}

#[tokio::test]
async fn with_force_the_valid_users_are_invited_and_the_failures_are_still_reported() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.slack.add_member(&id, "U111");
    let a = c
        .form(
            "conversations.invite",
            &[
                ("channel", &id),
                ("users", "U222,U111,U333"),
                ("force", "true"),
            ],
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["ok"], false, "{a:?}");
    assert_eq!(a.error(), Some("already_in_channel"));
    assert_eq!(
        a.body["errors"],
        json!([{ "user": "U111", "ok": false, "error": "already_in_channel" }])
    );
    assert_eq!(
        c.slack.members_of(&id),
        ["U0BOT00001", "U111", "U222", "U333"]
    );
    // Force with nobody valid still invites nobody.
    let a = c
        .json(
            "conversations.invite",
            json!({ "channel": id, "users": "U222,U333", "force": true }),
        )
        .await;
    assert_eq!(a.error(), Some("already_in_channel"));
    assert_eq!(a.body["errors"].as_array().unwrap().len(), 2);
    assert_eq!(c.slack.members_of(&id).len(), 4);
}

#[tokio::test]
async fn a_deactivated_user_fails_alone_and_does_not_hold_back_the_others() {
    let c = Client::start().await;
    c.slack.add_user("U111", "alice", "Alice A", "SRE");
    c.slack.add_user("U222", "bob", "Bob B", "DBA");
    c.slack.deactivate_user("U222");
    let id = c.create_channel("inc-1").await;
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &id), ("users", "U111,U222")],
        )
        .await;
    assert_eq!(
        a.body,
        json!({
            "ok": false,
            "error": "cant_invite",
            "errors": [{ "user": "U222", "ok": false, "error": "cant_invite" }],
        })
    );
    assert_eq!(c.slack.members_of(&id), ["U0BOT00001", "U111"]);
}

#[tokio::test]
async fn inviting_into_a_dm_is_not_supported() {
    let c = Client::start().await;
    let dm = c.slack.add_dm("U111");
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &dm), ("users", "U222")],
        )
        .await;
    assert_eq!(a.error(), Some("method_not_supported_for_channel_type"));
}

#[tokio::test]
async fn conversations_open_makes_a_d_channel_once_and_reports_it_as_an_im() {
    let c = Client::start().await;
    let a = c.form("conversations.open", &[("users", "U111")]).await;
    assert!(a.is_ok(), "{a:?}");
    let id = a.body["channel"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with('D'), "{id}");
    assert!(a.body.get("already_open").is_none());
    let again = c
        .form(
            "conversations.open",
            &[("users", "U111"), ("return_im", "true")],
        )
        .await;
    assert_eq!(again.body["already_open"], true);
    assert_eq!(again.body["channel"]["id"], id.as_str());
    assert_eq!(again.body["channel"]["is_im"], true);
    assert_eq!(again.body["channel"]["user"], "U111");
    assert_eq!(c.slack.dm_id("U111").as_deref(), Some(id.as_str()));
    let resumed = c.form("conversations.open", &[("channel", &id)]).await;
    assert_eq!(resumed.body["channel"]["id"], id.as_str());
    let public = c.create_channel("inc-1").await;
    let a = c.form("conversations.open", &[("channel", &public)]).await;
    assert_eq!(a.error(), Some("method_not_supported_for_channel_type"));
    assert_eq!(c.slack.add_dm("U111"), id);

    let info = c.get("conversations.info", &[("channel", &id)]).await;
    let ch = &info.body["channel"];
    assert_eq!(
        (
            ch["is_im"].clone(),
            ch["is_channel"].clone(),
            ch["is_private"].clone()
        ),
        (json!(true), json!(false), json!(true))
    );
    assert!(ch.get("name").is_none(), "a DM has no name: {ch}");
    // A DM is not reachable by the fake's internal name.
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": "dm-u111", "text": "x" }),
        )
        .await;
    assert_eq!(a.error(), Some("channel_not_found"));
    c.post(&id, "you are paged").await;
    assert_eq!(c.slack.dms_to("U111")[0].text, "you are paged");
}

#[tokio::test]
async fn conversations_open_refuses_deactivated_and_unknown_users() {
    let slack = FakeSlack::start_with(FakeSlackConfig {
        strict_users: true,
        ..FakeSlackConfig::default()
    })
    .await;
    slack.add_user("U111", "alice", "Alice A", "SRE");
    slack.deactivate_user("U111");
    let c = Client::with(slack);
    let a = c.form("conversations.open", &[("users", "U111")]).await;
    assert_eq!(a.error(), Some("user_disabled"));
    let a = c.form("conversations.open", &[("users", "U404")]).await;
    assert_eq!(a.error(), Some("user_not_found"));
    assert!(c.slack.dm_id("U111").is_none());
    c.slack.add_user("U111", "alice", "Alice A", "SRE");
    assert!(
        c.form("conversations.open", &[("users", "U111")])
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn channel_json_tells_public_private_and_dm_apart() {
    let c = Client::start().await;
    let public = c.create_channel("inc-1").await;
    let private = c.slack.add_channel("secret", true, true);
    let dm = c.slack.add_dm("U111");
    let flags = |body: &serde_json::Value| {
        let ch = &body["channel"];
        [
            ch["is_channel"].clone(),
            ch["is_private"].clone(),
            ch["is_im"].clone(),
        ]
    };
    let p = c.get("conversations.info", &[("channel", &public)]).await;
    let s = c.get("conversations.info", &[("channel", &private)]).await;
    let d = c.get("conversations.info", &[("channel", &dm)]).await;
    assert_eq!(flags(&p.body), [json!(true), json!(false), json!(false)]);
    assert_eq!(flags(&s.body), [json!(false), json!(true), json!(false)]);
    assert_eq!(flags(&d.body), [json!(false), json!(true), json!(true)]);
    assert_eq!(c.slack.channel(&dm).unwrap().kind, crate::ChannelKind::Im);
    let listed = c
        .get(
            "conversations.list",
            &[("types", "public_channel,private_channel,im")],
        )
        .await;
    let ids: Vec<&str> = listed.body["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [public.as_str(), private.as_str(), dm.as_str()]);
}
