use serde_json::{Value, json};

use super::Client;

fn metadata() -> Value {
    json!({ "event_type": "incident_declared", "event_payload": { "idempotency_key": "inc-42" } })
}

#[tokio::test]
async fn post_message_stores_metadata_given_as_json_or_as_a_form_string() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "declared", "metadata": metadata() }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(a.body["message"]["metadata"], metadata());
    let a = c
        .form(
            "chat.postMessage",
            &[
                ("channel", &id),
                ("text", "again"),
                ("metadata", &metadata().to_string()),
            ],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let stored = c.slack.messages_in(&id);
    assert_eq!(stored[0].metadata, Some(metadata()));
    assert_eq!(stored[1].metadata, Some(metadata()));
    assert!(stored[0].raw.get("metadata").is_none());
    c.post(&id, "plain").await;
    assert_eq!(c.slack.messages_in(&id)[2].metadata, None);
}

#[tokio::test]
async fn malformed_metadata_answers_invalid_metadata_format() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let cases = [
        json!("not json at all {"),
        json!([1, 2]),
        json!({ "event_payload": {} }),
        json!({ "event_type": "", "event_payload": {} }),
        json!({ "event_type": 7, "event_payload": {} }),
        json!({ "event_type": "x".repeat(256), "event_payload": {} }),
        json!({ "event_type": "incident_declared" }),
        json!({ "event_type": "incident_declared", "event_payload": "key" }),
    ];
    for metadata in cases {
        let a = c
            .json(
                "chat.postMessage",
                json!({ "channel": id, "text": "x", "metadata": metadata }),
            )
            .await;
        assert_eq!(a.error(), Some("invalid_metadata_format"), "{metadata}");
    }
    assert!(c.slack.messages_in(&id).is_empty());
    let longest = json!({ "event_type": "x".repeat(255), "event_payload": {} });
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "x", "metadata": longest }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
}

#[tokio::test]
async fn history_hides_metadata_unless_asked() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "declared", "metadata": metadata() }),
        )
        .await;
    let ts = a.body["ts"].as_str().unwrap().to_string();
    c.json(
        "chat.postMessage",
        json!({ "channel": id, "text": "in thread", "thread_ts": ts, "metadata": metadata() }),
    )
    .await;

    let plain = c.get("conversations.history", &[("channel", &id)]).await;
    assert!(plain.body["messages"][0].get("metadata").is_none());
    let asked = c
        .get(
            "conversations.history",
            &[("channel", &id), ("include_all_metadata", "true")],
        )
        .await;
    assert_eq!(asked.body["messages"][0]["metadata"], metadata());

    let plain = c
        .get("conversations.replies", &[("channel", &id), ("ts", &ts)])
        .await;
    let msgs = plain.body["messages"].as_array().unwrap();
    assert!(msgs.iter().all(|m| m.get("metadata").is_none()));
    let asked = c
        .json(
            "conversations.replies",
            json!({ "channel": id, "ts": ts, "include_all_metadata": true }),
        )
        .await;
    let msgs = asked.body["messages"].as_array().unwrap();
    assert!(msgs.iter().all(|m| m["metadata"] == metadata()), "{msgs:?}");
}

#[tokio::test]
async fn chat_update_can_replace_metadata_and_keeps_it_otherwise() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "v1", "metadata": metadata() }),
        )
        .await;
    let ts = a.body["ts"].as_str().unwrap();
    c.json(
        "chat.update",
        json!({ "channel": id, "ts": ts, "text": "v2" }),
    )
    .await;
    assert_eq!(c.slack.messages_in(&id)[0].metadata, Some(metadata()));
    let other = json!({ "event_type": "incident_resolved", "event_payload": {} });
    let a = c
        .json(
            "chat.update",
            json!({ "channel": id, "ts": ts, "text": "v3", "metadata": other }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(c.slack.messages_in(&id)[0].metadata, Some(other));
}
