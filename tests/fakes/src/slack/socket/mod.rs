//! Socket Mode on [`FakeSlack`]: `apps.connections.open` hands out single-use
//! `ws://127.0.0.1:PORT/socket-mode?ticket=…` URLs; the WebSocket sends `hello`,
//! then whatever the test pushes, and records the client's acks.
//!
//! Envelopes pushed while no connection is open (or only connections told to
//! disconnect) are queued and delivered, in order, right after the next
//! connection's `hello` — Slack holds events briefly across reconnects too.
//!
//! Slack redelivers an `events_api` envelope that is not acked in time, with the
//! same `envelope_id`, `retry_attempt` + 1 and `retry_reason: "timeout"`. By
//! default the fake redelivers only when a test calls
//! [`FakeSlack::redeliver_unacked`]; [`FakeSlack::set_auto_redeliver`] turns on
//! Slack's own behaviour: an `events_api` envelope not acked within the given
//! time of its latest delivery is sent again, up to 3 retries
//! (`retry_attempt` 1, 2, 3). Slash commands and interactions are never
//! redelivered automatically (Slack does not retry them either).

pub mod envelopes;
pub(crate) mod hub;
pub(crate) mod server;

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{FakeSlack, WAIT_POLL, WAIT_TIMEOUT};
use crate::payloads::SlashCommand;
pub use hub::MAX_AUTO_RETRIES;

/// Path of the WebSocket endpoint.
pub const SOCKET_PATH: &str = "/socket-mode";
/// How long [`FakeSlack::socket_disconnect`] waits before closing (Slack: ~10 s).
pub const DISCONNECT_GRACE: Duration = Duration::from_millis(100);

/// One ack (`{"envelope_id":…}` or `{"envelope_id":…,"payload":{…}}`) received.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketAck {
    pub envelope_id: String,
    /// The ack's `payload` (absent or `null`: `None`).
    pub payload: Option<Value>,
    /// Time from the envelope's latest delivery before this ack to the ack
    /// (`ZERO` for an unknown envelope).
    pub received_after: Duration,
    /// False when no envelope with this id was ever pushed.
    pub known: bool,
    /// The connection it came on (1 for the first connection, and so on).
    pub connection: u64,
}

/// One envelope frame handed to a connection.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketDelivery {
    pub envelope_id: String,
    /// The envelope exactly as sent.
    pub envelope: Value,
    pub connection: u64,
}

/// The `reason` of a `disconnect` frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectReason {
    RefreshRequested,
    Warning,
    LinkDisabled,
}

impl DisconnectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DisconnectReason::RefreshRequested => "refresh_requested",
            DisconnectReason::Warning => "warning",
            DisconnectReason::LinkDisabled => "link_disabled",
        }
    }
}

impl FakeSlack {
    /// The app-level token `apps.connections.open` accepts.
    pub fn app_token(&self) -> String {
        self.shared.config.app_token.clone()
    }

    /// Socket Mode connections currently open (including one told to
    /// disconnect, until it is closed).
    pub fn socket_connections(&self) -> usize {
        self.shared.hub().open_count()
    }

    /// How many connections ever received `hello`.
    pub fn socket_connects_total(&self) -> usize {
        self.shared.hub().connects_total
    }

    /// Waits until at least one connection has received `hello`; panics after 10 s.
    pub async fn wait_for_socket(&self) {
        self.wait_for("a socket mode connection", |s| s.socket_connections() > 0)
            .await;
    }

    /// Pushes an `events_api` envelope around `event_callback` (e.g.
    /// [`crate::payloads::event_callback`]); returns its `envelope_id`. Panics
    /// when Slack would not deliver the event to this app (see
    /// [`FakeSlack::check_delivery`]): a test or manifest bug.
    pub fn push_event(&self, event_callback: Value) -> String {
        if let Some(event) = event_callback.get("event")
            && let Err(why) = self.check_delivery(event)
        {
            panic!("push_event: {why}");
        }
        let mut hub = self.shared.hub();
        let id = hub.new_envelope_id();
        hub.push(envelopes::events_api(&id, event_callback))
    }

    /// Pushes a `slash_commands` envelope; returns its `envelope_id`.
    pub fn push_slash_command(&self, command: &SlashCommand) -> String {
        self.push_slash_command_fields(command.fields())
    }

    /// Pushes a `slash_commands` envelope with these fields as its payload.
    pub fn push_slash_command_fields<'a>(
        &self,
        fields: impl IntoIterator<Item = (&'a str, String)>,
    ) -> String {
        let mut hub = self.shared.hub();
        let id = hub.new_envelope_id();
        hub.push(envelopes::slash_commands(&id, fields))
    }

    /// Pushes an `interactive` envelope (block_actions, view_submission…).
    pub fn push_interaction(&self, payload: Value) -> String {
        let mut hub = self.shared.hub();
        let id = hub.new_envelope_id();
        hub.push(envelopes::interactive(&id, payload))
    }

    /// Pushes `envelope` as given (e.g. one from [`FakeSlack::socket_deliveries`],
    /// to deliver it again); returns its `envelope_id` (`""` if it has none).
    pub fn push_envelope(&self, envelope: Value) -> String {
        self.shared.hub().push(envelope)
    }

    /// While on, every pushed envelope is sent twice: as is, then again with the
    /// same id, `retry_attempt` + 1 and `retry_reason: "timeout"`.
    pub fn set_duplicate_delivery(&self, on: bool) {
        self.shared.hub().duplicate = on;
    }

    /// Every envelope frame sent, in order.
    pub fn socket_deliveries(&self) -> Vec<SocketDelivery> {
        self.shared.hub().deliveries.clone()
    }

    /// Every ack received, in order.
    pub fn socket_acks(&self) -> Vec<SocketAck> {
        self.shared.hub().acks.clone()
    }

    /// Text frames from the client that were not acks (not JSON, or no
    /// `envelope_id`).
    pub fn socket_bad_frames(&self) -> Vec<String> {
        self.shared.hub().bad_frames.clone()
    }

    /// Waits for the first ack of `envelope_id`; panics naming it after 10 s.
    pub async fn wait_for_ack(&self, envelope_id: &str) -> SocketAck {
        let start = Instant::now();
        loop {
            let found = {
                let hub = self.shared.hub();
                hub.acks
                    .iter()
                    .find(|a| a.envelope_id == envelope_id)
                    .cloned()
            };
            if let Some(ack) = found {
                return ack;
            }
            if start.elapsed() >= WAIT_TIMEOUT {
                panic!(
                    "timed out after {WAIT_TIMEOUT:?} waiting for an ack of envelope {envelope_id}"
                );
            }
            tokio::time::sleep(WAIT_POLL).await;
        }
    }

    /// Ids of envelopes delivered but never acked, in push order.
    pub fn unacked(&self) -> Vec<String> {
        self.shared.hub().unacked()
    }

    /// Plays Slack's retry: re-sends every unacked envelope with
    /// `retry_attempt` + 1 and `retry_reason: "timeout"` on the newest
    /// connection (queued if none). Returns their ids.
    pub fn redeliver_unacked(&self) -> Vec<String> {
        self.shared.hub().redeliver_unacked()
    }

    /// `Some(wait)`: from now on, an `events_api` envelope not acked within
    /// `wait` of its latest delivery is redelivered on its own, as Slack does
    /// (same `envelope_id`, `retry_attempt` + 1, `retry_reason: "timeout"`, at
    /// most [`MAX_AUTO_RETRIES`] retries; one queued for want of a connection
    /// waits for it). Slack's real wait is about 3 s. `None` turns it off again.
    /// Call it inside a Tokio runtime: it spawns the task that watches the acks.
    pub fn set_auto_redeliver(&self, wait: Option<Duration>) {
        let mut hub = self.shared.hub();
        hub.auto_redeliver = wait;
        if let Some(old) = hub.ticker.take() {
            old.abort();
        }
        let Some(wait) = wait else {
            return;
        };
        let tick = (wait / 4).clamp(Duration::from_millis(5), Duration::from_millis(50));
        let weak = std::sync::Arc::downgrade(&self.shared);
        hub.ticker = Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(tick).await;
                let Some(shared) = weak.upgrade() else {
                    return;
                };
                shared.hub().redeliver_due(Instant::now());
            }
        }));
    }

    /// Sends `{"type":"disconnect","reason":…}` on the newest connection and
    /// closes it (close frame) [`DISCONNECT_GRACE`] later. New envelopes skip a
    /// connection told to disconnect. False when no connection is open.
    pub fn socket_disconnect(&self, reason: DisconnectReason) -> bool {
        self.shared
            .hub()
            .disconnect(reason.as_str(), DISCONNECT_GRACE)
    }

    /// Drops every connection abruptly (no close frame); returns how many.
    pub fn socket_drop(&self) -> usize {
        self.shared.hub().drop_all()
    }

    /// While set, `apps.connections.open` answers `{"ok":false,"error":"internal_error"}`.
    pub fn set_socket_refuse(&self, refuse: bool) {
        self.shared.hub().refuse = refuse;
    }
}
