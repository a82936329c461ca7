//! Socket Mode, driven by a plain tokio-tungstenite client.

mod connect;
mod delivery;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use super::{Answer, Client};

pub(crate) const APP_TOKEN: &str = "xapp-1-test-app-token";
const READ_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// `apps.connections.open` with `token` (none when `None`).
pub(crate) async fn connections_open(c: &Client, token: Option<&str>) -> Answer {
    let mut req = c
        .http()
        .post(format!("{}/apps.connections.open", c.slack.api_url()));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    c.raw(req).await
}

/// A fresh Socket Mode URL.
pub(crate) async fn socket_url(c: &Client) -> String {
    let a = connections_open(c, Some(APP_TOKEN)).await;
    assert!(a.is_ok(), "{a:?}");
    a.body["url"].as_str().unwrap().to_string()
}

/// Connects and reads the `hello` frame.
pub(crate) async fn connect(c: &Client) -> (Ws, Value) {
    let url = socket_url(c).await;
    let (mut ws, _) = connect_async(url.as_str())
        .await
        .expect("websocket connect");
    let hello = next_json(&mut ws).await;
    assert_eq!(hello["type"], "hello", "{hello}");
    (ws, hello)
}

/// The next text frame as JSON (panics after 5 s or on close).
pub(crate) async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(READ_TIMEOUT, ws.next())
            .await
            .expect("timed out reading a frame")
            .expect("connection ended")
            .expect("websocket error");
        if let WsMessage::Text(t) = msg {
            return serde_json::from_str(t.as_str()).expect("frame is JSON");
        }
    }
}

/// True when no text frame arrives within `wait`.
pub(crate) async fn stays_quiet(ws: &mut Ws, wait: Duration) -> bool {
    match tokio::time::timeout(wait, ws.next()).await {
        Err(_) => true,
        Ok(Some(Ok(WsMessage::Text(t)))) => panic!("unexpected frame {t}"),
        Ok(_) => true,
    }
}

pub(crate) async fn send_json(ws: &mut Ws, value: Value) {
    ws.send(WsMessage::text(value.to_string()))
        .await
        .expect("send frame");
}

pub(crate) async fn ack(ws: &mut Ws, envelope_id: &str) {
    send_json(ws, json!({ "envelope_id": envelope_id })).await;
}
