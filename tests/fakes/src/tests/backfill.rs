//! Seeding what humans did while the bot was away, and reading it back.

use serde_json::Value;

use super::Client;

fn texts(body: &Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn messages_added_at_chosen_timestamps_come_back_newest_first() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.slack
        .add_message_at(&id, "U1", "third", "1700000300.000000");
    c.slack
        .add_message_at(&id, "U1", "first", "1700000100.000000");
    c.slack
        .add_message_at(&id, "U2", "second", "1700000200.000000");
    let h = c.get("conversations.history", &[("channel", &id)]).await;
    assert_eq!(texts(&h.body), ["third", "second", "first"]);
    let seeded: Vec<String> = c
        .slack
        .messages_in(&id)
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(seeded, ["first", "second", "third"]);

    let bounds = [
        ("channel", id.as_str()),
        ("oldest", "1700000100.000000"),
        ("latest", "1700000300.000000"),
    ];
    let h = c.get("conversations.history", &bounds).await;
    assert_eq!(texts(&h.body), ["second"]);
    let mut inclusive = bounds.to_vec();
    inclusive.push(("inclusive", "true"));
    let h = c.get("conversations.history", &inclusive).await;
    assert_eq!(texts(&h.body), ["third", "second", "first"]);
    let h = c
        .get(
            "conversations.history",
            &[("channel", &id), ("oldest", "1700000150")],
        )
        .await;
    assert_eq!(texts(&h.body), ["third", "second"]);
}

#[tokio::test]
async fn timestamps_generated_after_a_seeded_one_stay_above_it() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    c.slack
        .add_message_at(&id, "U1", "from the future", "9999999999.000000");
    let ts = c.post(&id, "bot").await;
    assert!(ts.as_str() > "9999999999.000000", "{ts}");
}

#[tokio::test]
async fn thread_replies_added_at_chosen_timestamps_are_read_parent_first() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let parent = "1700000000.000100";
    c.slack.add_message_at(&id, "U1", "parent", parent);
    c.slack
        .add_thread_reply_at(&id, "U3", "late", "1700000900.000000", parent);
    c.slack
        .add_thread_reply_at(&id, "U2", "early", "1700000500.000000", parent);
    let h = c.get("conversations.history", &[("channel", &id)]).await;
    let top = &h.body["messages"][0];
    assert_eq!(h.body["messages"].as_array().unwrap().len(), 1);
    assert_eq!(top["reply_count"], 2);
    assert_eq!(top["thread_ts"], parent);
    assert_eq!(top["latest_reply"], "1700000900.000000");
    let r = c
        .get("conversations.replies", &[("channel", &id), ("ts", parent)])
        .await;
    assert_eq!(texts(&r.body), ["parent", "early", "late"]);
    assert_eq!(r.body["messages"][1]["parent_user_id"], "U1");
    let r = c
        .get(
            "conversations.replies",
            &[("channel", &id), ("ts", parent), ("oldest", "1700000600")],
        )
        .await;
    assert_eq!(texts(&r.body), ["parent", "late"]);
}

#[tokio::test]
async fn history_pages_newest_first_with_a_clamped_limit() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    for i in 0..3 {
        c.slack.add_message(&id, "U1", &format!("m{i}"));
    }
    let a = c
        .get(
            "conversations.history",
            &[("channel", &id), ("limit", "5000")],
        )
        .await;
    assert_eq!(texts(&a.body), ["m2", "m1", "m0"]);
    let a = c
        .get(
            "conversations.history",
            &[("channel", &id), ("limit", "lots")],
        )
        .await;
    assert_eq!(a.error(), Some("invalid_limit"));
    let a = c
        .get(
            "conversations.history",
            &[("channel", &id), ("cursor", "garbage")],
        )
        .await;
    assert_eq!(a.error(), Some("invalid_cursor"));
}

#[tokio::test]
async fn edit_message_records_the_edit() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let ts = c.slack.add_message(&id, "U1", "db is slow");
    let edited_ts = c.slack.edit_message(&id, &ts, "db is down");
    let stored = &c.slack.messages_in(&id)[0];
    assert_eq!(stored.text, "db is down");
    assert_eq!(stored.edited_ts.as_deref(), Some(edited_ts.as_str()));
    let h = c.get("conversations.history", &[("channel", &id)]).await;
    let m = &h.body["messages"][0];
    assert_eq!(m["ts"], ts.as_str());
    assert_eq!(m["text"], "db is down");
    assert_eq!(m["edited"]["user"], "U1");
    assert_eq!(m["edited"]["ts"], edited_ts.as_str());
}

#[tokio::test]
async fn delete_message_removes_it_but_a_thread_parent_leaves_a_tombstone() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let lone = c.slack.add_message(&id, "U1", "oops");
    let parent = c.slack.add_message(&id, "U1", "parent");
    c.slack.add_thread_reply(&id, "U2", "reply", &parent);
    c.slack.delete_message(&id, &lone);
    c.slack.delete_message(&id, &parent);
    let h = c.get("conversations.history", &[("channel", &id)]).await;
    let msgs = h.body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0]["subtype"], "tombstone");
    assert_eq!(msgs[0]["text"], "This message was deleted.");
    assert_eq!(msgs[0]["reply_count"], 1);
    let r = c
        .get(
            "conversations.replies",
            &[("channel", &id), ("ts", &parent)],
        )
        .await;
    assert_eq!(texts(&r.body), ["This message was deleted.", "reply"]);
}
