use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::{ack, connect, next_json, send_json, stays_quiet};
use crate::payloads::{self, SlashCommand};
use crate::tests::Client;
use crate::{DisconnectReason, FakeSlack};

fn message_event() -> Value {
    payloads::event_callback(
        "Ev0001",
        payloads::message("C0000001", "U111", "db is down", "1700000000.000100"),
    )
}

#[tokio::test]
async fn a_socket_client_receives_hello_then_pushed_envelopes_and_its_acks_are_recorded() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;

    let event_id = c.slack.push_event(message_event());
    let envelope = next_json(&mut ws).await;
    assert_eq!(
        envelope,
        json!({
            "envelope_id": event_id,
            "payload": message_event(),
            "type": "events_api",
            "accepts_response_payload": false,
            "retry_attempt": 0,
            "retry_reason": "",
        })
    );
    ack(&mut ws, &event_id).await;
    let acked = c.slack.wait_for_ack(&event_id).await;
    assert!(acked.known);
    assert_eq!(acked.payload, None);
    assert_eq!(acked.connection, 1);
    assert!(acked.received_after < Duration::from_secs(3));

    let command = SlashCommand::new(
        "/incident declare sev1",
        "C1",
        "U111",
        "ana",
        "http://r",
        "t1",
    );
    let command_id = c.slack.push_slash_command(&command);
    let envelope = next_json(&mut ws).await;
    assert_eq!(envelope["type"], "slash_commands");
    assert_eq!(envelope["accepts_response_payload"], true);
    assert_eq!(envelope["payload"]["command"], "/incident");
    assert_eq!(envelope["payload"]["text"], "declare sev1");
    assert_eq!(envelope["payload"]["is_enterprise_install"], "false");
    let reply = json!({ "response_type": "ephemeral", "text": "Declaring…" });
    send_json(
        &mut ws,
        json!({ "envelope_id": command_id, "payload": reply }),
    )
    .await;
    assert_eq!(c.slack.wait_for_ack(&command_id).await.payload, Some(reply));

    let interaction_id = c
        .slack
        .push_interaction(json!({ "type": "block_actions", "actions": [] }));
    let envelope = next_json(&mut ws).await;
    assert_eq!(envelope["type"], "interactive");
    assert_eq!(envelope["envelope_id"], interaction_id.as_str());
    assert_eq!(envelope["payload"]["type"], "block_actions");
    assert_eq!(c.slack.unacked(), vec![interaction_id.clone()]);

    ack(&mut ws, "not-an-envelope").await;
    send_json(&mut ws, json!({ "hello": "there" })).await;
    let stray = c.slack.wait_for_ack("not-an-envelope").await;
    assert!(!stray.known);
    c.slack
        .wait_for("the bad frame", |s| !s.socket_bad_frames().is_empty())
        .await;
    assert_eq!(c.slack.socket_acks().len(), 3);
    assert_eq!(c.slack.socket_deliveries().len(), 3);
}

#[tokio::test]
async fn slash_command_fields_can_be_given_directly() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    c.slack.push_slash_command_fields([
        ("command", "/incident".to_string()),
        ("text", String::new()),
    ]);
    let envelope = next_json(&mut ws).await;
    assert_eq!(
        envelope["payload"],
        json!({ "command": "/incident", "text": "" })
    );
}

#[tokio::test]
async fn duplicate_delivery_sends_each_envelope_twice_with_the_same_id() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    c.slack.set_duplicate_delivery(true);
    let id = c.slack.push_event(message_event());
    let first = next_json(&mut ws).await;
    let second = next_json(&mut ws).await;
    assert_eq!(first["envelope_id"], id.as_str());
    assert_eq!(second["envelope_id"], id.as_str());
    assert_eq!(
        (
            first["retry_attempt"].clone(),
            first["retry_reason"].clone()
        ),
        (json!(0), json!(""))
    );
    assert_eq!(
        (
            second["retry_attempt"].clone(),
            second["retry_reason"].clone()
        ),
        (json!(1), json!("timeout"))
    );
    assert_eq!(first["payload"], second["payload"]);
    ack(&mut ws, &id).await;
    ack(&mut ws, &id).await;
    c.slack
        .wait_for("both acks", |s| s.socket_acks().len() == 2)
        .await;
    assert!(c.slack.unacked().is_empty());

    c.slack.set_duplicate_delivery(false);
    c.slack.push_event(message_event());
    next_json(&mut ws).await;
    assert!(stays_quiet(&mut ws, Duration::from_millis(200)).await);
}

#[tokio::test]
async fn push_envelope_delivers_a_given_envelope_again() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    let id = c.slack.push_event(message_event());
    let original = next_json(&mut ws).await;
    let again = c.slack.socket_deliveries()[0].envelope.clone();
    assert_eq!(c.slack.push_envelope(again), id);
    assert_eq!(next_json(&mut ws).await, original);
}

#[tokio::test]
async fn unacked_envelopes_are_redelivered_with_a_higher_retry_attempt() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    let kept = c.slack.push_event(message_event());
    let acked = c.slack.push_event(message_event());
    next_json(&mut ws).await;
    next_json(&mut ws).await;
    ack(&mut ws, &acked).await;
    c.slack.wait_for_ack(&acked).await;
    assert_eq!(c.slack.unacked(), vec![kept.clone()]);
    assert_eq!(c.slack.redeliver_unacked(), vec![kept.clone()]);
    let retry = next_json(&mut ws).await;
    assert_eq!(retry["envelope_id"], kept.as_str());
    assert_eq!(retry["retry_attempt"], 1);
    assert_eq!(retry["retry_reason"], "timeout");
    c.slack.redeliver_unacked();
    assert_eq!(next_json(&mut ws).await["retry_attempt"], 2);
    ack(&mut ws, &kept).await;
    c.slack.wait_for_ack(&kept).await;
    assert!(c.slack.redeliver_unacked().is_empty());
}

#[tokio::test]
async fn envelopes_pushed_while_disconnected_wait_for_the_next_hello() {
    let c = Client::start().await;
    let early = c.slack.push_event(message_event());
    assert!(c.slack.socket_deliveries().is_empty());
    assert!(c.slack.unacked().is_empty(), "queued is not delivered");
    let (mut ws, _) = connect(&c).await;
    assert_eq!(next_json(&mut ws).await["envelope_id"], early.as_str());

    // Told to disconnect: new envelopes skip it and wait for its replacement.
    assert!(
        c.slack
            .socket_disconnect(DisconnectReason::RefreshRequested)
    );
    assert_eq!(next_json(&mut ws).await["type"], "disconnect");
    let during = c.slack.push_event(message_event());
    let (mut fresh, _) = connect(&c).await;
    assert_eq!(next_json(&mut fresh).await["envelope_id"], during.as_str());
    assert_eq!(c.slack.socket_deliveries()[1].connection, 2);
}

#[tokio::test]
async fn envelopes_go_to_the_newest_connection() {
    let c = Client::start().await;
    let (mut older, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    let (mut newer, _) = connect(&c).await;
    c.slack
        .wait_for("two connections", |s| s.socket_connections() == 2)
        .await;
    let id = c.slack.push_event(message_event());
    assert_eq!(next_json(&mut newer).await["envelope_id"], id.as_str());
    assert!(stays_quiet(&mut older, Duration::from_millis(200)).await);
}

#[tokio::test]
async fn envelope_ids_are_unique_and_uuid_shaped() {
    let slack = FakeSlack::start().await;
    let ids: Vec<String> = (0..500).map(|_| slack.push_event(json!({}))).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len());
    for id in &ids {
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(
            id.chars().all(|ch| ch == '-' || ch.is_ascii_hexdigit()),
            "{id}"
        );
    }
}

#[tokio::test]
async fn with_auto_redelivery_an_unacked_event_comes_back_with_the_same_id_and_a_retry_attempt() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    c.slack.set_auto_redeliver(Some(Duration::from_millis(150)));
    let started = std::time::Instant::now();
    let id = c.slack.push_event(message_event());
    let acked = c.slack.push_event(message_event());
    let first = next_json(&mut ws).await;
    assert_eq!(first["envelope_id"], id.as_str());
    assert_eq!(next_json(&mut ws).await["envelope_id"], acked.as_str());
    ack(&mut ws, &acked).await;
    let retry = next_json(&mut ws).await;
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "not before the wait"
    );
    assert_eq!(retry["envelope_id"], id.as_str());
    assert_eq!(retry["retry_attempt"], 1);
    assert_eq!(retry["retry_reason"], "timeout");
    assert_eq!(retry["payload"], first["payload"]);
    assert_eq!(next_json(&mut ws).await["retry_attempt"], 2);
    assert_eq!(next_json(&mut ws).await["retry_attempt"], 3);
    // Slack gives up after three retries; the acked one never came back.
    assert!(stays_quiet(&mut ws, Duration::from_millis(400)).await);
    let again: Vec<u64> = c
        .slack
        .socket_deliveries()
        .iter()
        .filter(|d| d.envelope_id == acked)
        .map(|d| d.envelope["retry_attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(again, [0]);
}

#[tokio::test]
async fn an_ack_stops_automatic_redelivery_and_none_turns_it_off() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    c.slack.set_auto_redeliver(Some(Duration::from_millis(100)));
    let id = c.slack.push_event(message_event());
    next_json(&mut ws).await;
    assert_eq!(next_json(&mut ws).await["retry_attempt"], 1);
    ack(&mut ws, &id).await;
    c.slack.wait_for_ack(&id).await;
    assert!(stays_quiet(&mut ws, Duration::from_millis(300)).await);

    c.slack.set_auto_redeliver(None);
    c.slack.push_event(message_event());
    next_json(&mut ws).await;
    assert!(stays_quiet(&mut ws, Duration::from_millis(300)).await);
}

#[tokio::test]
async fn slash_commands_and_interactions_are_not_redelivered_automatically() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    c.slack.set_auto_redeliver(Some(Duration::from_millis(50)));
    c.slack
        .push_slash_command_fields([("command", "/incident".to_string())]);
    c.slack
        .push_interaction(json!({ "type": "block_actions", "actions": [] }));
    next_json(&mut ws).await;
    next_json(&mut ws).await;
    assert!(stays_quiet(&mut ws, Duration::from_millis(300)).await);
    assert_eq!(c.slack.unacked().len(), 2);
}

#[tokio::test]
async fn an_event_waiting_for_a_connection_is_retried_only_after_it_is_delivered() {
    let c = Client::start().await;
    c.slack.set_auto_redeliver(Some(Duration::from_millis(100)));
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    let id = c.slack.push_event(message_event());
    assert_eq!(next_json(&mut ws).await["retry_attempt"], 0);
    // The connection drops before the ack: the retry waits for the next one.
    c.slack.socket_drop();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (mut fresh, _) = connect(&c).await;
    let retry = next_json(&mut fresh).await;
    assert_eq!(retry["envelope_id"], id.as_str());
    assert_eq!(retry["retry_attempt"], 1);
    ack(&mut fresh, &id).await;
    c.slack.wait_for_ack(&id).await;
    assert!(stays_quiet(&mut fresh, Duration::from_millis(300)).await);
}
