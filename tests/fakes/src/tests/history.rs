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
