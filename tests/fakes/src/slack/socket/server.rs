//! `apps.connections.open` and the WebSocket endpoint it points at.
//!
//! The upgrade is done by hand on top of hyper (what axum's `ws` feature does),
//! with tokio-tungstenite 0.30 speaking the protocol. tungstenite answers pings
//! with pongs by itself while the connection task keeps reading.

use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use super::SOCKET_PATH;
use super::envelopes;
use super::hub::Outgoing;
use crate::slack::args::Args;
use crate::slack::reply::Reply;
use crate::slack::server::Shared;

/// How long a closing connection waits for the client's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// `apps.connections.open`: only the configured app-level token may call it.
pub(crate) fn connections_open(shared: &Shared, args: &Args) -> Reply {
    let Some(token) = args.token.as_deref() else {
        return Reply::err("not_authed");
    };
    if token.starts_with("xoxb-") || token.starts_with("xoxp-") || token == shared.config.bot_token
    {
        return Reply::err("not_allowed_token_type");
    }
    if token != shared.config.app_token {
        return Reply::err("invalid_auth");
    }
    let mut hub = shared.hub();
    if hub.refuse {
        return Reply::err("internal_error");
    }
    let ticket = hub.issue_ticket();
    let ws_base = shared.base_url.replacen("http://", "ws://", 1);
    Reply::ok(json!({ "url": format!("{ws_base}{SOCKET_PATH}?ticket={ticket}") }))
}

/// `GET /socket-mode?ticket=…` with an upgrade to WebSocket.
pub(crate) async fn upgrade(
    AxumState(shared): AxumState<Arc<Shared>>,
    mut req: Request,
) -> Response {
    if shared.lock().down {
        return (StatusCode::SERVICE_UNAVAILABLE, "service unavailable").into_response();
    }
    let key = match websocket_key(req.headers()) {
        Ok(key) => key,
        Err(why) => return (StatusCode::BAD_REQUEST, why).into_response(),
    };
    let ticket = req
        .uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "ticket"))
        .map(|(_, v)| v);
    let redeemed = ticket.is_some_and(|t| shared.hub().redeem_ticket(&t));
    if !redeemed {
        return (StatusCode::UNAUTHORIZED, "invalid or used ticket").into_response();
    }
    let on_upgrade = hyper::upgrade::on(&mut req);
    let weak = Arc::downgrade(&shared);
    tokio::spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let ws =
                    WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None)
                        .await;
                run_connection(weak, ws).await;
            }
            Err(e) => tracing::debug!(error = %e, "socket mode upgrade failed"),
        }
    });
    let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// The `Sec-WebSocket-Key` of a valid upgrade request.
fn websocket_key(headers: &HeaderMap) -> Result<String, &'static str> {
    let has = |name: header::HeaderName, token: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|v| v.trim().eq_ignore_ascii_case(token))
    };
    if !has(header::CONNECTION, "upgrade") || !has(header::UPGRADE, "websocket") {
        return Err("expected a websocket upgrade");
    }
    if !has(header::SEC_WEBSOCKET_VERSION, "13") {
        return Err("unsupported websocket version");
    }
    headers
        .get(header::SEC_WEBSOCKET_KEY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or("missing Sec-WebSocket-Key")
}

/// Serves one connection: `hello`, then frames from the hub and acks back.
/// Holds the fake only weakly, so dropping the last [`crate::FakeSlack`] closes it.
async fn run_connection<S>(shared: Weak<Shared>, ws: WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut sink, mut stream) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let Some(open) = shared.upgrade().map(|s| s.hub().open_count()) else {
        return;
    };
    let hello = envelopes::hello(open + 1).to_string();
    if sink.send(WsMessage::text(hello)).await.is_err() {
        return;
    }
    // Registered only once `hello` is out: envelopes pushed meanwhile were
    // queued, and `register` hands them over in order.
    let Some(id) = shared.upgrade().map(|s| s.hub().register(tx)) else {
        return;
    };
    let record = |text: &str| {
        if let Some(shared) = shared.upgrade() {
            shared.hub().on_frame(id, text);
        }
    };
    let mut graceful = true;
    loop {
        tokio::select! {
            command = rx.recv() => match command {
                Some(Outgoing::Frame(text)) => {
                    if sink.send(WsMessage::text(text)).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::CloseAfter(grace)) => {
                    let deadline = tokio::time::Instant::now() + grace;
                    // Keep reading acks during the grace.
                    loop {
                        tokio::select! {
                            _ = tokio::time::sleep_until(deadline) => break,
                            msg = stream.next() => match msg {
                                Some(Ok(WsMessage::Text(t))) => record(t.as_str()),
                                Some(Ok(_)) => {}
                                Some(Err(_)) | None => break,
                            },
                        }
                    }
                    break;
                }
                Some(Outgoing::Drop) | None => {
                    graceful = false;
                    break;
                }
            },
            msg = stream.next() => match msg {
                Some(Ok(WsMessage::Text(t))) => record(t.as_str()),
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    if let Some(shared) = shared.upgrade() {
        shared.hub().unregister(id);
    }
    if graceful {
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        let _ = sink.send(WsMessage::Close(Some(frame))).await;
        let _ = tokio::time::timeout(CLOSE_WAIT, async {
            while let Some(Ok(msg)) = stream.next().await {
                if let WsMessage::Text(t) = msg {
                    record(t.as_str());
                }
            }
        })
        .await;
    }
}
