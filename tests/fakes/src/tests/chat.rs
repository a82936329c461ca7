use serde_json::json;

use super::Client;

#[tokio::test]
async fn post_message_returns_channel_ts_and_message_and_stores_it() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "declared" }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(a.body["channel"], id.as_str());
    let ts = a.body["ts"].as_str().unwrap();
    assert_eq!(a.body["message"]["ts"], ts);
    assert_eq!(a.body["message"]["text"], "declared");
    assert_eq!(a.body["message"]["bot_id"], "B0BOT00001");
    let stored = c.slack.messages_in(&id);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].text, "declared");
    assert_eq!(stored[0].ts, ts);
}

#[tokio::test]
async fn timestamps_are_unique_and_increasing() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let mut last = 0f64;
    for i in 0..20 {
        let ts = c.post(&id, &format!("m{i}")).await;
        let (secs, frac) = ts.split_once('.').unwrap();
        assert_eq!(frac.len(), 6, "{ts}");
        assert!(secs.len() >= 10, "{ts}");
        let value: f64 = ts.parse().unwrap();
        assert!(value > last, "{ts} after {last}");
        last = value;
    }
}

#[tokio::test]
async fn post_without_text_or_blocks_answers_no_text() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c.json("chat.postMessage", json!({ "channel": id })).await;
    assert_eq!(a.error(), Some("no_text"));
    let a = c
        .json("chat.postMessage", json!({ "channel": id, "text": "" }))
        .await;
    assert_eq!(a.error(), Some("no_text"));
}

#[tokio::test]
async fn post_to_unknown_or_missing_channel_answers_channel_not_found() {
    let c = Client::start().await;
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": "C404", "text": "x" }),
        )
        .await;
    assert_eq!(a.error(), Some("channel_not_found"));
    let a = c.json("chat.postMessage", json!({ "text": "x" })).await;
    assert_eq!(a.error(), Some("channel_not_found"));
}

#[tokio::test]
async fn channel_can_be_named_with_a_hash() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .form("chat.postMessage", &[("channel", "#inc-1"), ("text", "x")])
        .await;
    assert!(a.is_ok());
    assert_eq!(a.body["channel"], id.as_str());
}

#[tokio::test]
async fn text_over_forty_thousand_chars_answers_msg_too_long() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "text": "x".repeat(40_001) }),
        )
        .await;
    assert_eq!(a.error(), Some("msg_too_long"));
}

#[tokio::test]
async fn blocks_are_accepted_as_json_array_or_form_encoded_string() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let blocks = json!([
        { "type": "header", "text": { "type": "plain_text", "text": "SEV1" } },
        { "type": "section", "text": { "type": "mrkdwn", "text": "*DB down*" } },
        { "type": "divider" },
    ]);
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "blocks": blocks }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let a = c
        .form(
            "chat.postMessage",
            &[("channel", &id), ("blocks", &blocks.to_string())],
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    assert_eq!(c.slack.messages_in(&id)[1].blocks.as_ref(), Some(&blocks));
}

#[tokio::test]
async fn invalid_blocks_are_rejected() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let section =
        |text: String| json!({ "type": "section", "text": { "type": "mrkdwn", "text": text } });
    let too_many: Vec<_> = (0..51).map(|_| json!({ "type": "divider" })).collect();
    let cases = [
        json!([{ "text": "no type" }]),
        json!([{ "type": "bogus" }]),
        json!(["not an object"]),
        json!([section("x".repeat(3001))]),
        json!(too_many),
    ];
    for blocks in cases {
        let a = c
            .json(
                "chat.postMessage",
                json!({ "channel": id, "blocks": blocks }),
            )
            .await;
        assert_eq!(a.error(), Some("invalid_blocks"), "{blocks}");
    }
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "blocks": { "type": "divider" } }),
        )
        .await;
    assert_eq!(a.error(), Some("invalid_blocks_format"));
    let a = c
        .json(
            "chat.postMessage",
            json!({ "channel": id, "blocks": [section("x".repeat(3000))] }),
        )
        .await;
    assert!(a.is_ok());
}

#[tokio::test]
async fn update_edits_the_bots_message() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let ts = c.post(&id, "status: investigating").await;
    let a = c
        .json(
            "chat.update",
            json!({ "channel": id, "ts": ts, "text": "status: mitigated" }),
        )
        .await;
    assert!(a.is_ok(), "{a:?}");
    let m = &c.slack.messages_in(&id)[0];
    assert_eq!(m.text, "status: mitigated");
    assert!(m.edited_ts.is_some());
    let a = c
        .json(
            "chat.update",
            json!({ "channel": id, "ts": "1.000001", "text": "x" }),
        )
        .await;
    assert_eq!(a.error(), Some("message_not_found"));
    let human = c.slack.add_message(&id, "U111", "hello");
    let a = c
        .json(
            "chat.update",
            json!({ "channel": id, "ts": human, "text": "x" }),
        )
        .await;
    assert_eq!(a.error(), Some("cant_update_message"));
}

#[tokio::test]
async fn ephemeral_goes_only_to_channel_members() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let a = c
        .json(
            "chat.postEphemeral",
            json!({ "channel": id, "user": "U111", "text": "psst" }),
        )
        .await;
    assert_eq!(a.error(), Some("user_not_in_channel"));
    c.slack.add_member(&id, "U111");
    let a = c
        .json(
            "chat.postEphemeral",
            json!({ "channel": id, "user": "U111", "text": "psst" }),
        )
        .await;
    assert!(a.is_ok());
    assert!(a.body["message_ts"].is_string());
    assert_eq!(c.slack.ephemerals_in(&id).len(), 1);
    assert!(c.slack.messages_in(&id).is_empty());
}

#[tokio::test]
async fn pins_add_needs_an_existing_message_and_pins_once() {
    let c = Client::start().await;
    let id = c.create_channel("inc-1").await;
    let ts = c.post(&id, "summary").await;
    let a = c
        .json(
            "pins.add",
            json!({ "channel": id, "timestamp": "1.000001" }),
        )
        .await;
    assert_eq!(a.error(), Some("message_not_found"));
    assert!(
        c.json("pins.add", json!({ "channel": id, "timestamp": ts }))
            .await
            .is_ok()
    );
    let a = c
        .json("pins.add", json!({ "channel": id, "timestamp": ts }))
        .await;
    assert_eq!(a.error(), Some("already_pinned"));
    assert_eq!(c.slack.pins_in(&id), [ts]);
    let a = c.json("pins.add", json!({ "channel": id })).await;
    assert_eq!(a.error(), Some("no_item_specified"));
}
