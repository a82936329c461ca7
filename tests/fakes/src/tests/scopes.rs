//! OAuth scopes: the grant, the manifest, and `missing_scope` per method and
//! channel type.

use serde_json::{Value, json};

use super::Client;
use crate::slack::scopes::KNOWN_SCOPES;
use crate::{FakeSlack, FakeSlackConfig, Scopes};

const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../slack-app-manifest.yml");
const SOCKET_MANIFEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../slack-app-manifest.socket-mode.yml"
);

async fn with_scopes(scopes: &[&str]) -> Client {
    let slack = FakeSlack::start_with(FakeSlackConfig {
        scopes: Scopes::new(scopes.iter().copied()),
        ..FakeSlackConfig::default()
    })
    .await;
    Client::with(slack)
}

fn missing(needed: &str, provided: &str) -> Value {
    json!({ "ok": false, "error": "missing_scope", "needed": needed, "provided": provided })
}

#[test]
fn both_repo_manifests_load_and_grant_exactly_the_bot_scopes_they_list() {
    let expected = [
        "commands",
        "channels:manage",
        "channels:read",
        "channels:history",
        "groups:write",
        "groups:read",
        "groups:history",
        "chat:write",
        "pins:write",
        "pins:read",
        "reactions:read",
        "files:write",
        "users:read",
        "im:write",
        "im:history",
    ];
    for path in [MANIFEST, SOCKET_MANIFEST] {
        let config = FakeSlackConfig::with_manifest(path).unwrap_or_else(|e| panic!("{e}"));
        let granted: Vec<&str> = config.scopes.iter().collect();
        assert_eq!(granted, expected, "{path}");
        assert_eq!(config.scopes.provided(), expected.join(","));
        assert!(!config.scopes.contains("channels:join"));
        assert_eq!(config.bot_token, FakeSlackConfig::default().bot_token);
    }
}

#[test]
fn the_default_grant_is_every_scope_the_fake_knows() {
    let scopes = FakeSlackConfig::default().scopes;
    assert_eq!(scopes, Scopes::all());
    for scope in KNOWN_SCOPES {
        assert!(scopes.contains(scope), "{scope}");
    }
    assert_eq!(scopes.iter().count(), KNOWN_SCOPES.len());
}

#[test]
fn a_manifest_that_is_not_yaml_or_lacks_bot_scopes_is_an_error() {
    let err = Scopes::from_manifest_yaml("display_information:\n  name: x\n").unwrap_err();
    assert!(err.contains("oauth_config.scopes.bot"), "{err}");
    let err =
        Scopes::from_manifest_yaml("oauth_config:\n  scopes:\n    bot: chat:write\n").unwrap_err();
    assert!(err.contains("not a list"), "{err}");
    assert!(Scopes::from_manifest_yaml("a: [unclosed").is_err());
    let err = FakeSlackConfig::with_manifest("/nonexistent/manifest.yml").unwrap_err();
    assert!(err.contains("/nonexistent/manifest.yml"), "{err}");
    let ok = Scopes::from_manifest_yaml(
        "oauth_config:\n  scopes:\n    bot:\n      - chat:write  # post\n      - chat:write\n      - pins:write\n",
    )
    .unwrap();
    assert_eq!(ok.provided(), "chat:write,pins:write");
}

#[tokio::test]
async fn a_call_without_its_scope_answers_missing_scope_with_needed_and_provided() {
    let c = with_scopes(&["users:read", "channels:read"]).await;
    let id = c.slack.add_channel("inc-1", false, true);
    let a = c
        .json("chat.postMessage", json!({ "channel": id, "text": "x" }))
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body, missing("chat:write", "users:read,channels:read"));
    assert!(c.slack.messages_in(&id).is_empty());
    assert_eq!(c.slack.calls()[0].response, a.body);
}

#[tokio::test]
async fn methods_with_one_scope_are_refused_without_it() {
    let c = with_scopes(&[]).await;
    let id = c.slack.add_channel("inc-1", false, true);
    let cases: [(&str, Value, &str); 9] = [
        (
            "chat.postMessage",
            json!({ "channel": id, "text": "x" }),
            "chat:write",
        ),
        (
            "chat.postEphemeral",
            json!({ "channel": id, "user": "U1", "text": "x" }),
            "chat:write",
        ),
        (
            "chat.update",
            json!({ "channel": id, "ts": "1.000001", "text": "x" }),
            "chat:write",
        ),
        (
            "pins.add",
            json!({ "channel": id, "timestamp": "1.000001" }),
            "pins:write",
        ),
        (
            "files.getUploadURLExternal",
            json!({ "filename": "a.md", "length": 1 }),
            "files:write",
        ),
        (
            "files.completeUploadExternal",
            json!({ "files": [{ "id": "F1" }] }),
            "files:write",
        ),
        ("users.info", json!({ "user": "U0BOT00001" }), "users:read"),
        ("conversations.open", json!({ "users": "U111" }), "im:write"),
        (
            "conversations.join",
            json!({ "channel": id }),
            "channels:join",
        ),
    ];
    for (method, args, needed) in cases {
        let a = c.json(method, args).await;
        assert_eq!(a.body, missing(needed, ""), "{method}");
    }
    assert!(c.json("auth.test", json!({})).await.is_ok());
    let view = json!({
        "type": "modal",
        "title": { "type": "plain_text", "text": "Declare" },
        "blocks": [],
    });
    let a = c
        .json("views.open", json!({ "trigger_id": "1.2.3", "view": view }))
        .await;
    assert!(a.is_ok(), "{a:?}");
}

#[tokio::test]
async fn history_and_replies_need_the_history_scope_of_the_channel_type() {
    let c = with_scopes(&["channels:history"]).await;
    let public = c.slack.add_channel("inc-1", false, true);
    let private = c.slack.add_channel("inc-2", true, true);
    let dm = c.slack.add_dm("U111");
    let ts = c.slack.add_message(&public, "U111", "hi");
    for (channel, needed) in [
        (public.as_str(), None),
        (private.as_str(), Some("groups:history")),
        (dm.as_str(), Some("im:history")),
    ] {
        let a = c
            .get("conversations.history", &[("channel", channel)])
            .await;
        match needed {
            None => assert!(a.is_ok(), "{a:?}"),
            Some(scope) => assert_eq!(a.body, missing(scope, "channels:history")),
        }
    }
    let a = c
        .get(
            "conversations.replies",
            &[("channel", &public), ("ts", &ts)],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let a = c
        .get(
            "conversations.replies",
            &[("channel", &private), ("ts", &ts)],
        )
        .await;
    assert_eq!(a.body, missing("groups:history", "channels:history"));
}

#[tokio::test]
async fn an_unknown_channel_is_channel_not_found_only_for_a_token_with_some_scope_for_it() {
    let c = with_scopes(&["groups:history"]).await;
    let a = c.get("conversations.history", &[("channel", "C404")]).await;
    assert_eq!(a.error(), Some("channel_not_found"));
    let c = with_scopes(&["chat:write"]).await;
    let a = c.get("conversations.history", &[("channel", "C404")]).await;
    assert_eq!(a.body, missing("channels:history", "chat:write"));
}

#[tokio::test]
async fn create_needs_channels_manage_for_public_and_groups_write_for_private() {
    let c = with_scopes(&["channels:manage"]).await;
    assert!(
        c.json("conversations.create", json!({ "name": "inc-1" }))
            .await
            .is_ok()
    );
    let a = c
        .json(
            "conversations.create",
            json!({ "name": "inc-2", "is_private": true }),
        )
        .await;
    assert_eq!(a.body, missing("groups:write", "channels:manage"));
    let c = with_scopes(&["groups:write"]).await;
    let a = c
        .json("conversations.create", json!({ "name": "inc-1" }))
        .await;
    assert_eq!(a.body, missing("channels:manage", "groups:write"));
    assert!(c.slack.channels().is_empty());
}

#[tokio::test]
async fn invite_and_set_topic_take_the_manage_scope_or_their_granular_one_by_channel_type() {
    let c = with_scopes(&["channels:write.invites", "channels:write.topic"]).await;
    let public = c.slack.add_channel("inc-1", false, true);
    let private = c.slack.add_channel("inc-2", true, true);
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &public), ("users", "U111")],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let a = c
        .form(
            "conversations.setTopic",
            &[("channel", &public), ("topic", "SEV1")],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let provided = "channels:write.invites,channels:write.topic";
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &private), ("users", "U111")],
        )
        .await;
    assert_eq!(a.body, missing("groups:write", provided));
    let a = c
        .form(
            "conversations.setTopic",
            &[("channel", &private), ("topic", "SEV1")],
        )
        .await;
    assert_eq!(a.body, missing("groups:write", provided));
    assert_eq!(c.slack.topic_of(&private).as_deref(), Some(""));

    let c = with_scopes(&["groups:write"]).await;
    let public = c.slack.add_channel("inc-1", false, true);
    let a = c
        .form(
            "conversations.invite",
            &[("channel", &public), ("users", "U111")],
        )
        .await;
    assert_eq!(a.body, missing("channels:manage", "groups:write"));
    assert_eq!(c.slack.members_of(&public).len(), 2);
}

#[tokio::test]
async fn info_and_list_need_the_read_scope_of_each_type_involved() {
    let c = with_scopes(&["channels:read"]).await;
    let public = c.slack.add_channel("inc-1", false, true);
    let private = c.slack.add_channel("inc-2", true, true);
    let dm = c.slack.add_dm("U111");
    assert!(
        c.get("conversations.info", &[("channel", &public)])
            .await
            .is_ok()
    );
    let a = c.get("conversations.info", &[("channel", &private)]).await;
    assert_eq!(a.body, missing("groups:read", "channels:read"));
    let a = c.get("conversations.info", &[("channel", &dm)]).await;
    assert_eq!(a.body, missing("im:read", "channels:read"));
    assert!(c.get("conversations.list", &[]).await.is_ok());
    let a = c
        .get(
            "conversations.list",
            &[("types", "public_channel,private_channel")],
        )
        .await;
    assert_eq!(a.body, missing("groups:read", "channels:read"));
    let a = c.get("conversations.list", &[("types", "im")]).await;
    assert_eq!(a.body, missing("im:read", "channels:read"));
}

#[tokio::test]
async fn with_the_repo_manifest_a_dm_can_be_read_but_a_group_dm_cannot() {
    let slack = FakeSlack::start_with(FakeSlackConfig::with_manifest(MANIFEST).unwrap()).await;
    let c = Client::with(slack);
    let dm = c.slack.add_dm("U111");
    assert!(
        c.get("conversations.history", &[("channel", &dm)])
            .await
            .is_ok(),
        "im:history lets a page DM's retry see the earlier attempt"
    );
    let a = c.get("conversations.list", &[("types", "mpim")]).await;
    assert_eq!(a.error(), Some("missing_scope"));
    assert_eq!(a.body["needed"], "mpim:read");
    assert_eq!(
        a.body["provided"].as_str().unwrap().split(',').count(),
        15,
        "{a:?}"
    );
    // What the manifest grants works.
    let id = c.create_channel("inc-1").await;
    c.post(&id, "declared").await;
    assert!(
        c.get("conversations.history", &[("channel", &id)])
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn scopes_can_be_changed_while_the_fake_runs() {
    let c = with_scopes(&["channels:read"]).await;
    let id = c.slack.add_channel("inc-1", false, true);
    let post = json!({ "channel": id, "text": "x" });
    assert_eq!(
        c.json("chat.postMessage", post.clone()).await.error(),
        Some("missing_scope")
    );
    c.slack.set_scopes(c.slack.scopes().with("chat:write"));
    assert!(c.json("chat.postMessage", post.clone()).await.is_ok());
    c.slack.set_scopes(Scopes::all().without("chat:write"));
    let a = c.json("chat.postMessage", post).await;
    assert_eq!(a.body["needed"], "chat:write");
    assert!(!a.body["provided"].as_str().unwrap().contains("chat:write"));
}
