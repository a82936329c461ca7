//! Reactions and pins people make, the events Slack sends for them, what history
//! shows of them, and which events a manifest lets through.

use serde_json::{Value, json};

use super::Client;
use crate::slack::events::{bot_events_from_manifest, bot_events_from_manifest_yaml, scope_of};
use crate::{FakeSlack, FakeSlackConfig, Scopes, payloads};

const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../slack-app-manifest.yml");
const SOCKET_MANIFEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../slack-app-manifest.socket-mode.yml"
);

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[tokio::test]
async fn a_reaction_changes_history_and_gives_slacks_reaction_events() {
    let c = Client::start().await;
    let room = c.slack.add_channel("inc-1", false, true);
    let ts = c.slack.add_message(&room, "U0ANN0001", "rolled back");

    let added = c.slack.add_reaction(&room, &ts, "U0BOB0001", "pushpin");
    assert_eq!(
        keys(&added),
        ["event_ts", "item", "item_user", "reaction", "type", "user"]
    );
    assert_eq!(added["type"], "reaction_added");
    assert_eq!(
        added["item"],
        json!({"type": "message", "channel": room, "ts": ts})
    );
    assert_eq!(
        (&added["user"], &added["item_user"]),
        (&json!("U0BOB0001"), &json!("U0ANN0001"))
    );
    c.slack.add_reaction(&room, &ts, "U0CAT0001", "pushpin");
    let history = c.get("conversations.history", &[("channel", &room)]).await;
    assert_eq!(
        history.body["messages"][0]["reactions"],
        json!([{"name": "pushpin", "users": ["U0BOB0001", "U0CAT0001"], "count": 2}])
    );

    let removed = c.slack.remove_reaction(&room, &ts, "U0BOB0001", "pushpin");
    assert_eq!(removed["type"], "reaction_removed");
    assert!(removed["event_ts"].as_str().unwrap() > added["event_ts"].as_str().unwrap());
    assert_eq!(
        c.slack.reactions_on(&room, &ts),
        [("pushpin".to_string(), vec!["U0CAT0001".to_string()])]
    );
}

#[test]
#[should_panic(expected = "already_reacted")]
fn the_same_person_cannot_add_the_same_reaction_twice() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let slack = rt.block_on(FakeSlack::start());
    let room = slack.add_channel("inc-1", false, true);
    let ts = slack.add_message(&room, "U0ANN0001", "x");
    slack.add_reaction(&room, &ts, "U0BOB0001", "pushpin");
    slack.add_reaction(&room, &ts, "U0BOB0001", "pushpin");
}

#[tokio::test]
async fn a_pin_shows_in_history_and_gives_slacks_pin_events() {
    let c = Client::start().await;
    let room = c.slack.add_channel("inc-1", false, true);
    let ts = c.slack.add_message(&room, "U0ANN0001", "rolled back");

    let added = c.slack.pin_message(&room, &ts, "U0BOB0001");
    assert_eq!(
        keys(&added),
        [
            "channel_id",
            "event_ts",
            "item",
            "item_user",
            "pin_count",
            "pinned_info",
            "type",
            "user"
        ]
    );
    assert_eq!(
        (&added["type"], &added["channel_id"]),
        (&json!("pin_added"), &json!(room))
    );
    let item = &added["item"];
    assert_eq!(
        (&item["type"], &item["channel"]),
        (&json!("message"), &json!(room))
    );
    assert_eq!(item["created_by"], "U0BOB0001");
    assert_eq!(item["message"]["ts"], json!(ts));
    assert_eq!(item["message"]["text"], "rolled back");
    assert_eq!(item["message"]["pinned_to"], json!([room]));
    assert_eq!(
        item["message"]["permalink"],
        json!(payloads::permalink(&room, &ts))
    );
    assert_eq!(added["pinned_info"]["pinned_by"], "U0BOB0001");
    assert_eq!(added["pin_count"], 1);
    let history = c.get("conversations.history", &[("channel", &room)]).await;
    assert_eq!(history.body["messages"][0]["pinned_to"], json!([room]));

    let removed = c.slack.unpin_message(&room, &ts, "U0CAT0001");
    assert_eq!(
        (&removed["type"], &removed["user"]),
        (&json!("pin_removed"), &json!("U0CAT0001"))
    );
    assert_eq!(removed["item"]["created_by"], "U0BOB0001", "who pinned it");
    assert!(removed["item"]["message"].get("pinned_to").is_none());
    assert_eq!(
        (&removed["has_pins"], &removed["pin_count"]),
        (&json!(false), &json!(0))
    );
    assert!(c.slack.pins_in(&room).is_empty());
}

#[test]
fn both_manifests_subscribe_to_the_same_events_and_hold_each_ones_scope() {
    let expected = [
        "message.channels",
        "message.groups",
        "reaction_added",
        "reaction_removed",
        "pin_added",
        "pin_removed",
    ];
    for path in [MANIFEST, SOCKET_MANIFEST] {
        let events = bot_events_from_manifest(path).unwrap();
        assert_eq!(events, expected, "{path}");
        let scopes = Scopes::from_manifest(path).unwrap();
        for event in &events {
            let scope = scope_of(event).unwrap_or_else(|| panic!("{event} has a known scope"));
            assert!(scopes.contains(scope), "{path}: {event} needs {scope}");
        }
    }
    assert_eq!(
        bot_events_from_manifest_yaml("a: 1\n").unwrap(),
        Vec::<String>::new()
    );
    assert!(
        bot_events_from_manifest_yaml("settings:\n  event_subscriptions:\n    bot_events: x\n")
            .is_err()
    );
}

#[tokio::test]
async fn a_manifest_fake_refuses_events_the_app_would_never_receive() {
    let slack = FakeSlack::start_with(FakeSlackConfig::with_manifest(MANIFEST).unwrap()).await;
    let room = slack.add_channel("inc-1", false, true);
    let ts = slack.add_message(&room, "U0ANN0001", "x");
    let reaction = slack.add_reaction(&room, &ts, "U0BOB0001", "pushpin");
    assert_eq!(slack.check_delivery(&reaction), Ok(()));
    let dm = payloads::message("D0000001", "U0ANN0001", "hi", "1700000000.000100");
    let mut dm = dm;
    dm["channel_type"] = json!("im");
    let why = slack.check_delivery(&dm).unwrap_err();
    assert!(why.contains("message.im"), "{why}");

    slack.set_scopes(slack.scopes().without("reactions:read"));
    let why = slack.check_delivery(&reaction).unwrap_err();
    assert!(why.contains("reactions:read"), "{why}");
    // The default fake delivers anything.
    assert_eq!(FakeSlack::start().await.check_delivery(&dm), Ok(()));
}
