//! Socket Mode: the same handlers over a WebSocket, acks only after storage, replies
//! in the ack, and reconnects that backfill what was missed.

use crate::db::Backend;
use crate::helpers::{Opts, TestApp, spawn_app_opts};
use serde_json::json;
use std::time::Duration;
use warroom_fakes::{DisconnectReason, payloads};

const SRE: &str = "U06SREONCL";

async fn socket_app() -> TestApp {
    spawn_app_opts(Opts {
        backend: Backend::Sqlite,
        socket_mode: true,
        clock_at: None,
    })
    .await
}

async fn declare(app: &TestApp) -> String {
    let answer = app
        .command_text(SRE, "C0INCIDENTS", "declare Socket test sev2")
        .await;
    assert!(answer.contains("Declared incident #1"), "{answer}");
    app.war_room_of(1).await
}

/// A person says something: Slack stores it and delivers it as an event.
async fn say(app: &TestApp, room: &str, text: &str) -> String {
    let ts = app.next_ts();
    app.slack.add_message_at(room, SRE, text, &ts);
    app.deliver(&format!("Ev-{ts}"), payloads::message(room, SRE, text, &ts))
        .await;
    ts
}

async fn stored_texts(app: &TestApp) -> Vec<String> {
    app.entries(1)
        .await
        .into_iter()
        .filter(|e| !e.is_system())
        .map(|e| e.text)
        .collect()
}

#[tokio::test]
async fn slash_commands_and_modal_errors_are_answered_in_the_envelope_ack() {
    let app = socket_app().await;
    let help = app.command_text(SRE, "C0GENERAL", "help").await;
    assert!(help.contains("/incident declare"), "{help}");

    let bad_form = json!({"type": "view_submission", "user": {"id": SRE}, "view": {"callback_id": "warroom_declare",
        "state": {"values": {"title": {"value": {"type": "plain_text_input", "value": " "}},
                              "severity": {"value": {"type": "static_select", "selected_option": {"value": "sev1"}}}}}}});
    let id = app.slack.push_interaction(bad_form);
    let ack = app.slack.wait_for_ack(&id).await;
    assert_eq!(ack.payload.unwrap()["response_action"], "errors");
}

#[tokio::test]
async fn an_event_is_acked_only_after_its_message_is_stored() {
    let app = socket_app().await;
    let room = declare(&app).await;
    for n in 0..5 {
        say(&app, &room, &format!("stored before ack {n}")).await;
        // No waiting: the ack itself proves the write landed.
        assert!(
            stored_texts(&app)
                .await
                .contains(&format!("stored before ack {n}"))
        );
    }
}

#[tokio::test]
async fn a_refresh_requested_disconnect_reconnects_and_keeps_delivering() {
    let app = socket_app().await;
    let room = declare(&app).await;
    say(&app, &room, "before the refresh").await;
    assert!(
        app.slack
            .socket_disconnect(DisconnectReason::RefreshRequested)
    );
    say(&app, &room, "after the refresh").await;
    assert!(
        app.slack.socket_connects_total() >= 2,
        "the bot opened a new connection"
    );
    assert_eq!(
        stored_texts(&app).await,
        ["before the refresh", "after the refresh"]
    );
}

#[tokio::test]
async fn a_dropped_connection_reconnects_and_backfills_what_was_missed() {
    let app = socket_app().await;
    let room = declare(&app).await;
    let first = say(&app, &room, "said while connected").await;
    assert!(app.slack.socket_drop() >= 1);
    // While the bot is away people keep talking, in the channel and in a thread.
    app.slack
        .add_message_at(&room, SRE, "said while the socket was down", &app.next_ts());
    app.slack.add_thread_reply_at(
        &room,
        SRE,
        "a reply while the socket was down",
        &app.next_ts(),
        &first,
    );
    for _ in 0..250 {
        if stored_texts(&app).await.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert!(
        app.slack.socket_connects_total() >= 2,
        "the bot reconnected"
    );
    assert_eq!(
        stored_texts(&app).await,
        [
            "said while connected",
            "said while the socket was down",
            "a reply while the socket was down"
        ]
    );
}
