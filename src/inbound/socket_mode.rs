//! Socket Mode: Slack delivers events, slash commands and interactions over a
//! WebSocket, so no public URL is needed. Each envelope is handled by the same code as
//! its HTTP twin and acknowledged only after what it carries is stored; a failure to
//! store leaves it unacked, so Slack delivers it again. After every (re)connect the
//! bot backfills what it missed.

use super::{backfill, events, interactions};
use crate::commands::{self, Delivery, SlashCommand};
use crate::error::AppError;
use crate::slack::Answer;
use crate::state::AppState;
use futures::{SinkExt, StreamExt};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

const MAX_BACKOFF: Duration = Duration::from_secs(30);

pub struct SocketMode {
    pub state: AppState,
    pub app_token: SecretString,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    envelope_id: Option<String>,
    payload: Option<Value>,
    reason: Option<String>,
}

enum Step {
    Ack(Value),
    /// Unacked on purpose: storing failed, so Slack should deliver it again.
    Withhold,
    Hello,
    Disconnect(String),
    Ignore,
}

enum End {
    Shutdown,
    Reconnect(String),
}

impl SocketMode {
    /// Keeps a connection open until shutdown, reconnecting with backoff.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(500);
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.session(&mut shutdown).await {
                Ok(End::Shutdown) => return,
                Ok(End::Reconnect(why)) => {
                    tracing::info!(reason = %why, "Socket Mode reconnecting");
                    backoff = Duration::from_millis(500);
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "Socket Mode connection failed")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = shutdown.changed() => return,
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    async fn session(&self, shutdown: &mut watch::Receiver<bool>) -> anyhow::Result<End> {
        let url = self.state.slack.socket_url(&self.app_token).await?;
        let (socket, _) = tokio_tungstenite::connect_async(url.as_str()).await?;
        let (mut tx, mut rx) = socket.split();
        loop {
            let frame = tokio::select! {
                frame = rx.next() => frame,
                _ = shutdown.changed() => {
                    let _ = tx.send(Message::Close(None)).await;
                    return Ok(End::Shutdown);
                }
            };
            let text = match frame {
                None => return Ok(End::Reconnect("connection closed".into())),
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Ping(data))) => {
                    tx.send(Message::Pong(data)).await?;
                    continue;
                }
                Some(Ok(Message::Close(_))) => return Ok(End::Reconnect("closed by Slack".into())),
                Some(Ok(_)) => continue,
            };
            match self.step(text.as_str()).await {
                Step::Ack(ack) => tx.send(Message::Text(ack.to_string().into())).await?,
                // Gaps are measured before the next envelope is handled.
                Step::Hello => backfill::spawn(&self.state).await,
                Step::Disconnect(reason) => return Ok(End::Reconnect(reason)),
                Step::Withhold | Step::Ignore => {}
            }
        }
    }

    async fn step(&self, text: &str) -> Step {
        let envelope: Envelope = match serde_json::from_str(text) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable Socket Mode frame");
                return Step::Ignore;
            }
        };
        match envelope.kind.as_str() {
            "hello" => return Step::Hello,
            "disconnect" => {
                return Step::Disconnect(envelope.reason.unwrap_or_else(|| "disconnect".into()));
            }
            _ => {}
        }
        let Some(id) = envelope.envelope_id.filter(|id| crate::domain::is_key(id)) else {
            tracing::warn!("an envelope without a usable envelope_id; not acknowledged");
            return Step::Ignore;
        };
        let payload = envelope.payload.unwrap_or(Value::Null);
        match self.handle(&envelope.kind, &id, payload).await {
            Ok(Answer::Empty) => Step::Ack(json!({"envelope_id": id})),
            Ok(Answer::Json(body)) => Step::Ack(json!({"envelope_id": id, "payload": body})),
            Err(AppError::BadRequest(why)) => {
                tracing::warn!(envelope_id = %id, %why, "malformed envelope; acknowledged so Slack stops resending it");
                Step::Ack(json!({"envelope_id": id}))
            }
            Err(e) => {
                tracing::error!(envelope_id = %id, error = %e, "could not store an envelope; leaving it unacked for redelivery");
                Step::Withhold
            }
        }
    }

    async fn handle(
        &self,
        kind: &str,
        envelope_id: &str,
        payload: Value,
    ) -> Result<Answer, AppError> {
        let state = &self.state;
        match kind {
            // Events carry their own event_id, deduplicated with what they store.
            "events_api" => events::handle_value(state, payload).await,
            "slash_commands" | "interactive" => {
                // A redelivered command must not act twice (declare twice = two war
                // rooms), and one whose first try stored nothing must still run: the
                // envelope is recorded with the command's effects (see `Delivery`).
                let delivery = Delivery::envelope(envelope_id);
                if let Some(answer) = delivery.earlier_answer(&state.store).await? {
                    return Ok(answer);
                }
                if kind == "interactive" {
                    return interactions::handle_value(state, payload, &delivery).await;
                }
                let mut cmd = serde_json::from_value::<SlashCommand>(payload)
                    .map_err(|e| AppError::BadRequest(format!("not a slash command: {e}")))?
                    .checked()
                    .map_err(AppError::BadRequest)?;
                cmd.delivery = delivery;
                commands::answer(state, &cmd).await
            }
            other => {
                tracing::debug!(kind = other, "envelope type not handled");
                Ok(Answer::Empty)
            }
        }
    }
}
