use serde_json::Value;

use crate::payloads::{self, SlashCommand};
use crate::{SlackSigner, payloads::event_callback};

#[test]
fn slash_command_form_carries_every_field_slack_sends() {
    let form = payloads::slash_command_form(
        "/incident declare sev1 DB down",
        "C0INC",
        "U111",
        "alice",
        "http://127.0.0.1:1/response/r1",
        "1.2.3",
    );
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&form).unwrap();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    for key in [
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    ] {
        assert!(get(key).is_some(), "missing {key}");
    }
    assert_eq!(get("command"), Some("/incident"));
    assert_eq!(get("text"), Some("declare sev1 DB down"));
    assert_eq!(get("response_url"), Some("http://127.0.0.1:1/response/r1"));
    let renamed =
        SlashCommand::new("resolve", "C1", "U1", "bob", "u", "t").with_channel_name("ops");
    assert_eq!(renamed.command, "/incident");
    assert_eq!(renamed.text, "resolve");
    assert_eq!(renamed.channel_name, "ops");
}

#[test]
fn event_callback_wraps_the_event_like_the_events_api() {
    let event = payloads::message("C1", "U111", "db is down", "1700000000.000100");
    let envelope = event_callback("Ev01", event.clone());
    assert_eq!(envelope["type"], "event_callback");
    assert_eq!(envelope["event_id"], "Ev01");
    assert_eq!(envelope["event_time"], 1_700_000_000);
    assert_eq!(envelope["event"], event);
    assert_eq!(envelope["authorizations"][0]["user_id"], "U0BOT00001");
    assert!(envelope["team_id"].is_string() && envelope["api_app_id"].is_string());
}

#[test]
fn message_events_have_slacks_shapes() {
    let m = payloads::message("C1", "U1", "hi", "1.000100");
    assert_eq!(m["type"], "message");
    assert_eq!(m["channel_type"], "channel");
    assert!(m.get("subtype").is_none());
    let r = payloads::thread_reply("C1", "U1", "re", "2.000100", "1.000100");
    assert_eq!(r["thread_ts"], "1.000100");

    let changed = payloads::message_changed("C1", "1.000100", "new", "U1", "3.000100", "old");
    assert_eq!(changed["subtype"], "message_changed");
    assert_eq!(changed["message"]["ts"], "1.000100");
    assert_eq!(changed["message"]["text"], "new");
    assert_eq!(changed["message"]["edited"]["ts"], "3.000100");
    assert_eq!(changed["previous_message"]["text"], "old");

    let deleted = payloads::message_deleted("C1", "1.000100", "old", "U1");
    assert_eq!(deleted["subtype"], "message_deleted");
    assert_eq!(deleted["deleted_ts"], "1.000100");
    assert_eq!(deleted["previous_message"]["text"], "old");

    let share = payloads::file_share(
        "C1",
        "U1",
        "graph",
        "4.000100",
        "F1",
        "cpu.png",
        "image/png",
    );
    assert_eq!(share["subtype"], "file_share");
    let file = &share["files"][0];
    assert_eq!(file["id"], "F1");
    assert_eq!(file["mimetype"], "image/png");
    assert!(
        file["url_private"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(file["permalink"].as_str().unwrap().contains("F1"));

    let bot = payloads::bot_message("C1", "B0BOT00001", "A0APP00001", "hello", "5.000100");
    assert_eq!(bot["bot_id"], "B0BOT00001");
    assert_eq!(bot["app_id"], "A0APP00001");
    assert_eq!(bot["user"], "U0BOT00001");
    assert!(bot.get("subtype").is_none_or(Value::is_null));
}

#[test]
fn signer_headers_verify_against_the_signed_body() {
    let signer = SlackSigner::new("s3cret");
    let body = payloads::slash_command_form("/incident", "C1", "U1", "a", "u", "t");
    let headers = signer.headers(&body, 1_700_000_000);
    assert_eq!(headers[0].1, signer.sign(&body, 1_700_000_000));
    assert_ne!(headers[0].1, signer.sign(&body, 1_700_000_001));
}

#[test]
fn a_deleted_thread_parent_is_a_message_changed_carrying_a_tombstone() {
    let event = payloads::thread_parent_deleted(
        "C1",
        "1.000100",
        "db is down",
        "U1",
        &[("U2", "2.000100"), ("U3", "3.000100"), ("U2", "4.000100")],
        "9.000100",
    );
    assert_eq!(event["type"], "message");
    assert_eq!(event["subtype"], "message_changed");
    assert_eq!(event["hidden"], true);
    assert_eq!(event["ts"], "9.000100");
    assert_eq!(event["event_ts"], "9.000100");
    assert!(event.get("deleted_ts").is_none());
    let tombstone = &event["message"];
    assert_eq!(tombstone["subtype"], "tombstone");
    assert_eq!(tombstone["hidden"], true);
    assert_eq!(tombstone["user"], payloads::SLACKBOT_USER_ID);
    assert_eq!(tombstone["text"], payloads::TOMBSTONE_TEXT);
    assert_eq!(tombstone["ts"], "1.000100");
    assert_eq!(tombstone["thread_ts"], "1.000100");
    assert_eq!(tombstone["reply_count"], 3);
    assert_eq!(tombstone["reply_users_count"], 2);
    assert_eq!(tombstone["reply_users"], serde_json::json!(["U2", "U3"]));
    assert_eq!(tombstone["latest_reply"], "4.000100");
    let previous = &event["previous_message"];
    assert_eq!(previous["text"], "db is down");
    assert_eq!(previous["user"], "U1");
    assert_eq!(previous["reply_count"], 3);
}
