use serde_json::json;

use super::Client;

#[tokio::test]
async fn history_is_newest_first_and_pages_with_cursor() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let mut sent = Vec::new();
    for i in 0..5 {
        sent.push(c.post(&id, &format!("m{i}")).await);
    }
    let a = c
        .get("conversations.history", &[("channel", &id), ("limit", "2")])
        .await;
    assert!(a.is_ok(), "{a:?}");
    let texts: Vec<&str> = a.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["m4", "m3"]);
    assert_eq!(a.body["has_more"], true);
    let cursor = a.body["response_metadata"]["next_cursor"].as_str().unwrap();
    let b = c
        .get(
            "conversations.history",
            &[("channel", &id), ("limit", "10"), ("cursor", cursor)],
        )
        .await;
    assert_eq!(b.body["messages"].as_array().unwrap().len(), 3);
    assert_eq!(b.body["has_more"], false);
    let window = c
        .get(
            "conversations.history",
            &[("channel", &id), ("oldest", &sent[1]), ("latest", &sent[3])],
        )
        .await;
    assert_eq!(window.body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(window.body["messages"][0]["ts"], sent[2].as_str());
}

#[tokio::test]
async fn replies_stay_out_of_history_and_come_back_from_replies() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let parent = c.post(&id, "parent").await;
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "bot reply", "thread_ts": parent }),
        )
        .await;
    assert!(a.is_ok());
    c.slack
        .add_thread_reply(&id, "U111", "human reply", &parent);
    let h = c.get("conversations.history", &[("channel", &id)]).await;
    let msgs = h.body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["reply_count"], 2);
    assert_eq!(msgs[0]["thread_ts"], parent.as_str());
    let r = c
        .get(
            "conversations.replies",
            &[("channel", &id), ("ts", &parent)],
        )
        .await;
    let texts: Vec<&str> = r.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["parent", "bot reply", "human reply"]);
    let missing = c
        .get(
            "conversations.replies",
            &[("channel", &id), ("ts", "1.000001")],
        )
        .await;
    assert_eq!(missing.error(), Some("thread_not_found"));
}

#[tokio::test]
async fn history_of_a_channel_the_bot_is_not_in_answers_not_in_channel() {
    let c = Client::start().await;
    let id = c.slack.add_channel("general", false, false);
    let a = c.get("conversations.history", &[("channel", &id)]).await;
    assert_eq!(a.error(), Some("not_in_channel"));
    let a = c.get("conversations.history", &[("channel", "C404")]).await;
    assert_eq!(a.error(), Some("channel_not_found"));
}

fn texts(body: &serde_json::Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect()
}

fn next_cursor(body: &serde_json::Value) -> String {
    body["response_metadata"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn history_pages_through_several_pages_newest_first_without_gaps_or_repeats() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    for i in 0..7 {
        c.slack.add_message_at(
            &id,
            "U1",
            &format!("m{i}"),
            &format!("17000001{i:02}.000000"),
        );
    }
    let first = c
        .get("conversations.history", &[("channel", &id), ("limit", "3")])
        .await;
    assert_eq!(texts(&first.body), ["m6", "m5", "m4"]);
    assert_eq!(first.body["has_more"], true);
    let cursor = next_cursor(&first.body);
    assert!(!cursor.is_empty());
    // Something said between two pages does not shift the next page.
    c.slack.add_message(&id, "U2", "late");
    let second = c
        .get(
            "conversations.history",
            &[("channel", &id), ("limit", "3"), ("cursor", &cursor)],
        )
        .await;
    assert_eq!(texts(&second.body), ["m3", "m2", "m1"]);
    assert_eq!(second.body["has_more"], true);
    let third = c
        .get(
            "conversations.history",
            &[
                ("channel", &id),
                ("limit", "3"),
                ("cursor", &next_cursor(&second.body)),
            ],
        )
        .await;
    assert_eq!(texts(&third.body), ["m0"]);
    assert_eq!(third.body["has_more"], false);
    assert_eq!(next_cursor(&third.body), "");
}

#[tokio::test]
async fn history_limit_defaults_to_100_and_is_capped_at_999() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    for i in 0..1000 {
        c.slack.add_message_at(
            &id,
            "U1",
            &format!("m{i}"),
            &format!("{}.000000", 1_700_000_000 + i),
        );
    }
    let a = c.get("conversations.history", &[("channel", &id)]).await;
    assert_eq!(a.body["messages"].as_array().unwrap().len(), 100);
    assert_eq!(a.body["has_more"], true);
    let a = c
        .get(
            "conversations.history",
            &[("channel", &id), ("limit", "5000")],
        )
        .await;
    assert_eq!(a.body["messages"].as_array().unwrap().len(), 999);
    assert_eq!(a.body["has_more"], true);
    assert_eq!(a.body["messages"][998]["text"], "m1");
}

#[tokio::test]
async fn replies_repeat_the_parent_first_on_every_page() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let parent = "1700000000.000100";
    c.slack.add_message_at(&id, "U1", "parent", parent);
    for i in 0..5 {
        c.slack.add_thread_reply_at(
            &id,
            "U2",
            &format!("r{i}"),
            &format!("17000000{:02}.000000", 10 + i),
            parent,
        );
    }
    let page = |cursor: Option<String>| {
        let c = &c;
        let id = id.clone();
        async move {
            let mut args = vec![
                ("channel", id),
                ("ts", parent.to_string()),
                ("limit", "3".to_string()),
            ];
            if let Some(cursor) = cursor {
                args.push(("cursor", cursor));
            }
            let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.get("conversations.replies", &pairs).await.body
        }
    };
    let first = page(None).await;
    assert_eq!(texts(&first), ["parent", "r0", "r1"]);
    assert_eq!(first["has_more"], true);
    let second = page(Some(next_cursor(&first))).await;
    assert_eq!(texts(&second), ["parent", "r2", "r3"]);
    assert_eq!(second["messages"][0]["ts"], parent);
    assert_eq!(second["messages"][0]["reply_count"], 5);
    assert_eq!(second["has_more"], true);
    let third = page(Some(next_cursor(&second))).await;
    assert_eq!(texts(&third), ["parent", "r4"]);
    assert_eq!(third["has_more"], false);
    assert_eq!(next_cursor(&third), "");
}

#[tokio::test]
async fn replies_with_limit_one_show_the_parent_alone_then_one_reply_a_page() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let parent = c.slack.add_message(&id, "U1", "parent");
    c.slack.add_thread_reply(&id, "U2", "r0", &parent);
    c.slack.add_thread_reply(&id, "U2", "r1", &parent);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let mut args = vec![
            ("channel", id.as_str()),
            ("ts", parent.as_str()),
            ("limit", "1"),
        ];
        if let Some(c) = cursor.as_deref() {
            args.push(("cursor", c));
        }
        let body = c.get("conversations.replies", &args).await.body;
        seen.push(texts(&body));
        if body["has_more"] != true {
            break;
        }
        cursor = Some(next_cursor(&body));
    }
    assert_eq!(
        seen,
        [vec!["parent"], vec!["parent", "r0"], vec!["parent", "r1"]]
    );
}

#[tokio::test]
async fn replies_limit_defaults_to_1000_messages_parent_included() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let parent = "1700000000.000000";
    c.slack.add_message_at(&id, "U1", "parent", parent);
    for i in 0..1000 {
        c.slack.add_thread_reply_at(
            &id,
            "U2",
            &format!("r{i}"),
            &format!("{}.000000", 1_700_000_001 + i),
            parent,
        );
    }
    let a = c
        .get("conversations.replies", &[("channel", &id), ("ts", parent)])
        .await;
    assert_eq!(a.body["messages"].as_array().unwrap().len(), 1000);
    assert_eq!(a.body["has_more"], true);
    let b = c
        .get(
            "conversations.replies",
            &[
                ("channel", &id),
                ("ts", parent),
                ("cursor", &next_cursor(&a.body)),
            ],
        )
        .await;
    assert_eq!(texts(&b.body), ["parent", "r999"]);
}

#[tokio::test]
async fn a_private_channel_or_dm_the_bot_cannot_read_is_channel_not_found() {
    let c = Client::start().await;
    let private = c.slack.add_channel("secret", true, false);
    let a = c
        .get("conversations.history", &[("channel", &private)])
        .await;
    assert_eq!(a.error(), Some("channel_not_found"));
    let dm = c.slack.add_dm("U111");
    c.slack.add_message(&dm, "U111", "are you there?");
    let a = c.get("conversations.history", &[("channel", &dm)]).await;
    assert_eq!(texts(&a.body), ["are you there?"]);
}
