use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use super::{APP_TOKEN, connect, connections_open, next_json, socket_url};
use crate::slack::socket::DISCONNECT_GRACE;
use crate::tests::Client;
use crate::{DisconnectReason, FakeSlack, FakeSlackConfig};

#[tokio::test]
async fn connections_open_with_a_bot_token_is_refused() {
    let c = Client::start().await;
    let a = connections_open(&c, Some("xoxb-test-token")).await;
    assert_eq!(a.error(), Some("not_allowed_token_type"));
    let a = connections_open(&c, Some("xoxb-someone-else")).await;
    assert_eq!(a.error(), Some("not_allowed_token_type"));
    let a = connections_open(&c, Some("xapp-1-wrong")).await;
    assert_eq!(a.error(), Some("invalid_auth"));
    let a = connections_open(&c, None).await;
    assert_eq!(a.error(), Some("not_authed"));
    assert_eq!(c.slack.calls_to("apps.connections.open").len(), 4);
}

#[tokio::test]
async fn the_app_token_is_refused_by_other_methods() {
    let c = Client::start().await;
    let a = c
        .raw(
            c.http()
                .post(format!("{}/auth.test", c.slack.api_url()))
                .bearer_auth(APP_TOKEN),
        )
        .await;
    assert_eq!(a.error(), Some("not_allowed_token_type"));
}

#[tokio::test]
async fn connections_open_returns_a_local_ws_url_with_a_fresh_ticket() {
    let slack = FakeSlack::start_with(FakeSlackConfig {
        app_token: "xapp-1-other".into(),
        ..FakeSlackConfig::default()
    })
    .await;
    assert_eq!(slack.app_token(), "xapp-1-other");
    let c = Client::with(slack);
    let a = connections_open(&c, Some("xapp-1-other")).await;
    assert!(a.is_ok(), "{a:?}");
    let first = a.body["url"].as_str().unwrap().to_string();
    let port = c.slack.base_url().rsplit(':').next().unwrap().to_string();
    let prefix = format!("ws://127.0.0.1:{port}/socket-mode?ticket=");
    assert!(first.starts_with(&prefix), "{first}");
    let second = connections_open(&c, Some("xapp-1-other")).await.body["url"].clone();
    assert_ne!(second, first.as_str());
}

#[tokio::test]
async fn a_ticket_is_single_use_and_unknown_tickets_are_refused() {
    let c = Client::start().await;
    let url = socket_url(&c).await;
    let (_ws, _) = connect_async(url.as_str()).await.expect("first use");
    assert!(connect_async(url.as_str()).await.is_err(), "reused ticket");
    let bogus = format!("{}?ticket=nope", url.split('?').next().unwrap());
    assert!(
        connect_async(bogus.as_str()).await.is_err(),
        "unknown ticket"
    );
    let plain = c
        .raw(c.http().get(url.replacen("ws://", "http://", 1)))
        .await;
    assert_eq!(plain.status, 400, "not an upgrade");
    assert_eq!(c.slack.socket_connects_total(), 1);
}

#[tokio::test]
async fn hello_looks_like_slacks_and_counts_connections() {
    let c = Client::start().await;
    let (_a, hello) = connect(&c).await;
    assert_eq!(
        hello,
        json!({
            "type": "hello",
            "num_connections": 1,
            "debug_info": { "host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060 },
            "connection_info": { "app_id": "A0APP00001" },
        })
    );
    c.slack.wait_for_socket().await;
    let (_b, hello) = connect(&c).await;
    assert_eq!(hello["num_connections"], 2);
    assert_eq!(c.slack.socket_connections(), 2);
    assert_eq!(c.slack.socket_connects_total(), 2);
}

#[tokio::test]
async fn pings_are_answered_with_pongs() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    ws.send(WsMessage::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    let reply = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(reply, WsMessage::Pong(b"are you there".to_vec().into()));
}

#[tokio::test]
async fn disconnect_sends_refresh_requested_then_closes() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    assert!(
        c.slack
            .socket_disconnect(DisconnectReason::RefreshRequested)
    );
    let frame = next_json(&mut ws).await;
    assert_eq!(
        frame,
        json!({ "type": "disconnect", "reason": "refresh_requested", "debug_info": { "host": "applink-fake" } })
    );
    let started = std::time::Instant::now();
    let closing = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap();
    assert!(
        matches!(closing, Some(Ok(WsMessage::Close(_)))),
        "{closing:?}"
    );
    assert!(started.elapsed() >= DISCONNECT_GRACE - Duration::from_millis(30));
    c.slack
        .wait_for("the connection to close", |s| s.socket_connections() == 0)
        .await;
    assert!(!c.slack.socket_disconnect(DisconnectReason::Warning));
}

#[tokio::test]
async fn other_disconnect_reasons_are_sent_as_given() {
    let c = Client::start().await;
    for (reason, text) in [
        (DisconnectReason::Warning, "warning"),
        (DisconnectReason::LinkDisabled, "link_disabled"),
    ] {
        let (mut ws, _) = connect(&c).await;
        c.slack.wait_for_socket().await;
        assert!(c.slack.socket_disconnect(reason));
        assert_eq!(next_json(&mut ws).await["reason"], text);
        c.slack
            .wait_for("the connection to close", |s| s.socket_connections() == 0)
            .await;
    }
}

#[tokio::test]
async fn socket_drop_ends_connections_without_a_close_frame() {
    let c = Client::start().await;
    let (mut ws, _) = connect(&c).await;
    c.slack.wait_for_socket().await;
    assert_eq!(c.slack.socket_drop(), 1);
    assert_eq!(c.slack.socket_connections(), 0);
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("the drop is noticed")
        {
            Some(Ok(WsMessage::Close(frame))) => panic!("got a close frame {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => break,
        }
    }
}

#[tokio::test]
async fn refusing_makes_connections_open_answer_internal_error() {
    let c = Client::start().await;
    c.slack.set_socket_refuse(true);
    let a = connections_open(&c, Some(APP_TOKEN)).await;
    assert_eq!(a.error(), Some("internal_error"));
    c.slack.set_socket_refuse(false);
    assert!(connections_open(&c, Some(APP_TOKEN)).await.is_ok());
}

#[tokio::test]
async fn while_down_the_upgrade_answers_503() {
    let c = Client::start().await;
    let url = socket_url(&c).await;
    c.slack.set_down(true);
    assert!(connect_async(url.as_str()).await.is_err());
    assert_eq!(connections_open(&c, Some(APP_TOKEN)).await.status, 503);
}
