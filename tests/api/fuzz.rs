//! Property tests over hostile input: arbitrary bytes and JSON at the door and in every
//! parser, and arbitrary exports on disk. Nothing may panic, and every answer the bot
//! gives is a 4xx, an acknowledgement or an ephemeral message: never a 5xx, never a
//! post into a channel. The case counts are bounded for CI (`PROPTEST_CASES` raises
//! them for a longer run).

use crate::db::Backend;
use crate::helpers::{SIGNING_SECRET, TestApp, spawn_app};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};
use warroom::commands::{Command, SlashCommand};
use warroom::timeline::{MessageEvent, Ours};

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Strings that reach the interesting branches more often than uniform noise.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Z][A-Z0-9]{0,40}",
        "[0-9]{1,12}\\.[0-9]{0,8}",
        Just("<!channel>".to_string()),
        Just("\u{0}".to_string()),
        Just("x".repeat(50_000)),
        Just("message_changed".to_string()),
        Just("message_deleted".to_string()),
        Just("tombstone".to_string()),
        "(declare|note|status|sev|lead|page|ack|resolve|close|list|help) .{0,40}",
    ]
}

/// JSON whose objects use the keys Slack payloads use, nested a few levels deep.
fn slackish_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        nasty_string().prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("type"),
        Just("subtype"),
        Just("event"),
        Just("event_id"),
        Just("api_app_id"),
        Just("channel"),
        Just("user"),
        Just("text"),
        Just("ts"),
        Just("thread_ts"),
        Just("message"),
        Just("previous_message"),
        Just("deleted_ts"),
        Just("event_ts"),
        Just("files"),
        Just("id"),
        Just("edited"),
        Just("view"),
        Just("state"),
        Just("values"),
        Just("actions"),
        Just("action_id"),
        Just("value"),
        Just("callback_id"),
        Just("challenge"),
        Just("bot_id"),
        Just("permalink"),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8).prop_map(|pairs| {
                Value::Object(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// A message event shaped enough to get past the first checks.
fn message_event() -> impl Strategy<Value = Value> {
    (
        slackish_json(),
        nasty_string(),
        nasty_string(),
        nasty_string(),
    )
        .prop_map(|(extra, subtype, text, ts)| {
            let mut event = json!({"type": "message", "channel": "C0FUZZ0001", "user": "U0FUZZ0001",
                                   "text": text, "ts": ts});
            if let (Value::Object(e), Value::Object(x)) = (&mut event, extra) {
                e.extend(x);
                e.insert("subtype".into(), Value::String(subtype));
            }
            event
        })
}

#[test]
fn the_parsers_take_any_input_without_panicking() {
    let mut runner = TestRunner::new(Config::with_cases(cases(512)));
    runner
        .run(
            &(slackish_json(), message_event(), nasty_string()),
            |(v, event, text)| {
                if let Ok(e) = serde_json::from_value::<MessageEvent>(v) {
                    let _ = e.check();
                    let _ = e.intent(&Ours::default());
                }
                if let Ok(e) = serde_json::from_value::<MessageEvent>(event)
                    && e.check().is_ok()
                {
                    let _ = e.intent(&Ours::default());
                }
                let _ =
                    Command::parse(&text, chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
                let _ = SlashCommand::from_form(&text);
                let _ = warroom::slack::mrkdwn::echo(&text);
                let _ = warroom::slack::mrkdwn::plain(&text);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_signature_check_takes_any_bytes_and_headers_without_panicking() {
    let verifier = warroom::slack::verify::RequestVerifier::new(&SIGNING_SECRET.to_string().into());
    let mut runner = TestRunner::new(Config::with_cases(cases(512)));
    runner
        .run(
            &(any::<Vec<u8>>(), any::<String>(), any::<String>()),
            |(body, signature, timestamp)| {
                let mut headers = axum::http::HeaderMap::new();
                for (name, value) in [
                    ("x-slack-signature", &signature),
                    ("x-slack-request-timestamp", &timestamp),
                ] {
                    if let Ok(v) = axum::http::HeaderValue::from_str(value) {
                        headers.insert(name, v);
                    }
                }
                prop_assert!(verifier.verify(&headers, &body).is_err());
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn the_export_reader_takes_any_files_without_panicking() {
    let dir = std::env::temp_dir().join(format!("warroom-fuzz-export-{}", std::process::id()));
    let mut runner = TestRunner::new(Config::with_cases(cases(128)));
    runner
        .run(
            &(
                slackish_json(),
                slackish_json(),
                slackish_json(),
                any::<Vec<u8>>(),
            ),
            |(users, channels, day, raw)| {
                let _ = std::fs::remove_dir_all(&dir);
                std::fs::create_dir_all(dir.join("war-room")).unwrap();
                let write = |name: &str, v: &Value| std::fs::write(dir.join(name), v.to_string());
                write("users.json", &users).unwrap();
                let channels = match channels {
                    Value::Array(_) => channels,
                    other => json!([{"id": "C0FUZZ0001", "name": "war-room", "created": 1,
                                     "purpose": other}]),
                };
                write("channels.json", &channels).unwrap();
                write("war-room/2021-03-09.json", &json!([day])).unwrap();
                std::fs::write(dir.join("war-room/2021-03-10.json"), &raw).unwrap();
                if let Ok(imported) = warroom::import::read_export(&dir, "war-room") {
                    let _ = warroom::import::incident_from(&imported);
                }
                Ok(())
            },
        )
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// What the bot may answer to anything signed: a 4xx, an empty acknowledgement, or an
/// ephemeral message (a command's answer only its author sees).
fn acceptable(status: reqwest::StatusCode, body: &str) -> Result<(), String> {
    if status.is_client_error() {
        return Ok(());
    }
    if status != reqwest::StatusCode::OK {
        return Err(format!("answered {status}: {body:.200}"));
    }
    if body.is_empty() {
        return Ok(());
    }
    match serde_json::from_str::<Value>(body) {
        Ok(v) if v["response_type"] == "ephemeral" => Ok(()),
        Ok(v) if v.get("challenge").is_some() || v.get("response_action").is_some() => Ok(()),
        _ => Err(format!("answered 200 with {body:.200}")),
    }
}

async fn send(app: &TestApp, path: &str, content_type: &str, body: &str) -> Result<(), String> {
    let res = app.post_signed(path, content_type, body).await;
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    acceptable(status, &text).map_err(|e| format!("{path}: {e}"))
}

#[test]
fn any_signed_request_gets_a_4xx_an_ack_or_an_ephemeral_answer() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(spawn_app(Backend::Sqlite));
    let mut runner = TestRunner::new(Config::with_cases(cases(96)));
    let inputs = (
        slackish_json(),
        message_event(),
        nasty_string(),
        slackish_json(),
    );
    runner
        .run(&inputs, |(envelope, event, text, interaction)| {
            rt.block_on(async {
                let callback = json!({"type": "event_callback", "event_id": "Ev0FUZZ",
                                      "api_app_id": "A0APP00001", "event": event});
                for body in [envelope.to_string(), callback.to_string()] {
                    send(&app, "/slack/events", "application/json", &body).await?;
                }
                let form = serde_urlencoded::to_string([
                    ("command", "/incident"),
                    ("text", text.as_str()),
                    ("channel_id", "C0FUZZ0001"),
                    ("user_id", "U0FUZZ0001"),
                    ("team_id", "T0TEAM0001"),
                ])
                .unwrap();
                send(
                    &app,
                    "/slack/commands",
                    "application/x-www-form-urlencoded",
                    &form,
                )
                .await?;
                let raw = serde_urlencoded::to_string([("text", text.as_str())]).unwrap();
                send(
                    &app,
                    "/slack/commands",
                    "application/x-www-form-urlencoded",
                    &raw,
                )
                .await?;
                let payload =
                    serde_urlencoded::to_string([("payload", interaction.to_string())]).unwrap();
                send(
                    &app,
                    "/slack/interactions",
                    "application/x-www-form-urlencoded",
                    &payload,
                )
                .await
            })
            .map_err(proptest::test_runner::TestCaseError::fail)
        })
        .unwrap();
    let posted = app.slack.calls_to("chat.postMessage");
    assert!(
        posted.is_empty() || posted.iter().all(|c| c.args["channel"] != "C0FUZZ0001"),
        "nothing was posted into the channel the noise came from"
    );
}
