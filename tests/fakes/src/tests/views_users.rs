use serde_json::json;

use super::Client;

fn modal(title: &str) -> serde_json::Value {
    json!({
        "type": "modal",
        "callback_id": "declare",
        "title": { "type": "plain_text", "text": title },
        "submit": { "type": "plain_text", "text": "Declare" },
        "blocks": [{
            "type": "input",
            "block_id": "title",
            "label": { "type": "plain_text", "text": "Title" },
            "element": { "type": "plain_text_input", "action_id": "value" },
        }],
    })
}

#[tokio::test]
async fn views_open_records_the_view_and_echoes_it_with_an_id() {
    let c = Client::start().await;
    let a = c
        .json(
            "views.open",
            json!({ "trigger_id": "123.456.abc", "view": modal("Declare incident") }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(a.body["view"]["id"], "V0000001");
    assert_eq!(a.body["view"]["callback_id"], "declare");
    assert_eq!(a.body["view"]["team_id"], "T0TEAM0001");
    let views = c.slack.opened_views();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].trigger_id, "123.456.abc");
}

#[tokio::test]
async fn views_open_enforces_trigger_and_title_rules() {
    let c = Client::start().await;
    let a = c
        .json("views.open", json!({ "view": modal("Declare") }))
        .await;
    assert_eq!(a.error(), Some("invalid_arguments"));
    let a = c
        .json(
            "views.open",
            json!({ "trigger_id": "1.2.3", "view": modal(&"x".repeat(25)) }),
        )
        .await;
    assert_eq!(a.error(), Some("invalid_arguments"));
    let view = modal("Declare").to_string();
    let a = c
        .form("views.open", &[("trigger_id", "1.2.3"), ("view", &view)])
        .await;
    assert!(a.is_ok(), "{a:?}");
    let a = c
        .form("views.open", &[("trigger_id", "1.2.3"), ("view", &view)])
        .await;
    assert_eq!(a.error(), Some("exchanged_trigger_id"));
}

#[tokio::test]
async fn users_info_answers_for_added_users_only() {
    let c = Client::start().await;
    c.slack
        .add_user("U111", "alice", "Alice Archer", "SRE lead");
    let a = c.get("users.info", &[("user", "U111")]).await;
    assert!(a.is_ok());
    assert_eq!(a.body["user"]["id"], "U111");
    assert_eq!(a.body["user"]["name"], "alice");
    assert_eq!(a.body["user"]["real_name"], "Alice Archer");
    assert_eq!(a.body["user"]["profile"]["real_name"], "Alice Archer");
    assert_eq!(a.body["user"]["profile"]["display_name"], "alice");
    assert_eq!(a.body["user"]["profile"]["title"], "SRE lead");
    let a = c.get("users.info", &[("user", "U222")]).await;
    assert_eq!(a.error(), Some("user_not_found"));
    assert!(c.slack.known_user_ids().contains(&"U111".to_string()));
}

#[tokio::test]
async fn response_url_records_json_and_rejects_other_bodies() {
    let c = Client::start().await;
    let url = c.slack.response_url("cmd-1");
    let res = c
        .http()
        .post(&url)
        .json(&json!({ "response_type": "in_channel", "text": "Declared" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let res = c.http().post(&url).body("text=hi").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let posts = c.slack.response_url_posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].id, "cmd-1");
    assert_eq!(posts[0].body["response_type"], "in_channel");
}

#[tokio::test]
async fn a_response_url_takes_at_most_five_posts() {
    let c = Client::start().await;
    let url = c.slack.response_url("cmd-2");
    for _ in 0..5 {
        let res = c
            .http()
            .post(&url)
            .json(&json!({ "text": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
    }
    let res = c
        .http()
        .post(&url)
        .json(&json!({ "text": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test]
async fn users_info_answers_a_deactivated_user_with_deleted_true() {
    let c = Client::start().await;
    c.slack
        .add_user("U111", "alice", "Alice Archer", "SRE lead");
    let a = c.get("users.info", &[("user", "U111")]).await;
    assert_eq!(a.body["user"]["deleted"], false);
    c.slack.deactivate_user("U111");
    let a = c.get("users.info", &[("user", "U111")]).await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(a.body["user"]["id"], "U111");
    assert_eq!(a.body["user"]["deleted"], true);
    let a = c.get("users.info", &[("user", "U404")]).await;
    assert_eq!(a.body, json!({ "ok": false, "error": "user_not_found" }));
    // Re-adding reactivates.
    c.slack
        .add_user("U111", "alice", "Alice Archer", "SRE lead");
    let a = c.get("users.info", &[("user", "U111")]).await;
    assert_eq!(a.body["user"]["deleted"], false);
}

#[test]
#[should_panic(expected = "never added")]
fn deactivating_a_user_never_added_is_a_test_bug() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let slack = runtime.block_on(crate::FakeSlack::start());
    slack.deactivate_user("U404");
}
