//! What deleting a message leaves in history, and the event Slack sends for it.

use serde_json::json;

use super::Client;
use crate::payloads;

#[tokio::test]
async fn deleting_a_plain_message_gives_message_deleted_with_the_previous_message() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let ts = c.slack.add_message(&id, "U1", "oops");
    let event = c.slack.delete_message_event(&id, &ts);
    assert_eq!(event["type"], "message");
    assert_eq!(event["subtype"], "message_deleted");
    assert_eq!(event["hidden"], true);
    assert_eq!(event["channel"], id.as_str());
    assert_eq!(event["deleted_ts"], ts.as_str());
    assert_eq!(event["channel_type"], "channel");
    assert_eq!(event["previous_message"]["text"], "oops");
    assert_eq!(event["previous_message"]["user"], "U1");
    assert_eq!(event["previous_message"]["ts"], ts.as_str());
    let event_ts = event["event_ts"].as_str().unwrap();
    assert_eq!(event["ts"], event_ts);
    assert!(event_ts > ts.as_str(), "{event_ts} after {ts}");
    assert!(event.get("message").is_none());
    assert!(c.slack.messages_in(&id).is_empty());
}

#[tokio::test]
async fn deleting_a_thread_parent_with_replies_gives_a_tombstone_message_changed_not_message_deleted()
 {
    let c = Client::start().await;
    let id = c.slack.add_channel("secret", true, true);
    let parent = c.slack.add_message(&id, "U1", "db is down");
    let r1 = c.slack.add_thread_reply(&id, "U2", "looking", &parent);
    let r2 = c.slack.add_thread_reply(&id, "U3", "fixed", &parent);
    let event = c.slack.delete_message_event(&id, &parent);
    assert_eq!(event["subtype"], "message_changed");
    assert!(event.get("deleted_ts").is_none());
    assert_eq!(event["hidden"], true);
    assert_eq!(event["channel_type"], "group");
    assert_eq!(
        event["message"],
        json!({
            "type": "message",
            "subtype": "tombstone",
            "text": "This message was deleted.",
            "user": "USLACKBOT",
            "hidden": true,
            "ts": parent,
            "thread_ts": parent,
            "reply_count": 2,
            "reply_users_count": 2,
            "reply_users": ["U2", "U3"],
            "latest_reply": r2,
            "is_locked": false,
        })
    );
    let previous = &event["previous_message"];
    assert_eq!(previous["text"], "db is down");
    assert_eq!(previous["user"], "U1");
    assert_eq!(previous["reply_count"], 2);
    assert_eq!(previous["thread_ts"], parent.as_str());
    assert_ne!(event["ts"], parent.as_str());
    assert_eq!(event["ts"], event["event_ts"]);

    // History shows the tombstone, the thread stays readable.
    let h = c.get("conversations.history", &[("channel", &id)]).await;
    let top = &h.body["messages"][0];
    assert_eq!(top["subtype"], "tombstone");
    assert_eq!(top["user"], "USLACKBOT");
    assert_eq!(top["reply_count"], 2);
    let r = c
        .get(
            "conversations.replies",
            &[("channel", &id), ("ts", &parent)],
        )
        .await;
    let ts: Vec<&str> = r.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ts"].as_str().unwrap())
        .collect();
    assert_eq!(ts, [parent.as_str(), r1.as_str(), r2.as_str()]);
}

#[tokio::test]
async fn deleting_a_reply_gives_message_deleted_and_drops_it_from_the_thread() {
    let c = Client::start().await;
    let dm = c.slack.add_dm("U1");
    let parent = c.slack.add_message(&dm, "U1", "page me");
    let reply = c.slack.add_thread_reply(&dm, "U1", "never mind", &parent);
    let event = c.slack.delete_message_event(&dm, &reply);
    assert_eq!(event["subtype"], "message_deleted");
    assert_eq!(event["channel_type"], "im");
    assert_eq!(event["previous_message"]["thread_ts"], parent.as_str());
    // Its parent has no replies left: deleting it is a plain delete.
    let event = c.slack.delete_message_event(&dm, &parent);
    assert_eq!(event["subtype"], "message_deleted");
    assert!(c.slack.messages_in(&dm).is_empty());
}

#[tokio::test]
async fn the_delete_event_can_be_pushed_over_socket_mode_as_is() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let parent = c.slack.add_message(&id, "U1", "parent");
    c.slack.add_thread_reply(&id, "U2", "reply", &parent);
    let event = c.slack.delete_message_event(&id, &parent);
    let callback = payloads::event_callback("Ev0DEL", event.clone());
    assert_eq!(callback["event"], event);
    let expected = payloads::message_changed_tombstone(
        &id,
        &event["previous_message"],
        event["ts"].as_str().unwrap(),
    );
    assert_eq!(event, expected);
}
