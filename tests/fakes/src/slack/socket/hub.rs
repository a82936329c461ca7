//! Socket Mode bookkeeping: tickets, open connections, envelopes sent, acks.
//! Everything here is synchronous and lives behind one mutex; the connection
//! tasks (see `server.rs`) only exchange [`Outgoing`] commands with it.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;

use super::envelopes::{self, envelope_id, retried, retry_attempt, uuid_like};
use super::{SocketAck, SocketDelivery};

/// What a connection task is told to do.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Send this text frame.
    Frame(String),
    /// Send a close frame after this grace, then end.
    CloseAfter(Duration),
    /// End at once without a close frame (the TCP stream is just dropped).
    Drop,
}

#[derive(Debug)]
struct Conn {
    id: u64,
    tx: UnboundedSender<Outgoing>,
    /// Told to disconnect: receives no new envelopes.
    closing: bool,
}

#[derive(Debug)]
struct Record {
    /// The envelope as last sent (or queued).
    envelope: Value,
    last_delivery: Option<Instant>,
    acked: bool,
}

#[derive(Debug)]
pub(crate) struct Hub {
    seed: u64,
    next_ticket: u64,
    next_envelope: u64,
    next_conn: u64,
    /// Ticket -> already used.
    tickets: HashMap<String, bool>,
    conns: Vec<Conn>,
    pub connects_total: usize,
    /// Envelopes pushed while no connection could take them.
    pending: VecDeque<Value>,
    records: HashMap<String, Record>,
    /// Envelope ids in first-push order.
    order: Vec<String>,
    pub deliveries: Vec<SocketDelivery>,
    pub acks: Vec<SocketAck>,
    pub bad_frames: Vec<String>,
    pub duplicate: bool,
    pub refuse: bool,
    /// `Some(wait)`: an `events_api` envelope not acked within `wait` of its
    /// latest delivery is redelivered (see [`Hub::redeliver_due`]).
    pub auto_redeliver: Option<Duration>,
    /// The task that calls [`Hub::redeliver_due`]; ends once the fake is gone.
    pub ticker: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.abort();
        }
    }
}

/// Slack retries an event at most this many times.
pub const MAX_AUTO_RETRIES: u64 = 3;

impl Hub {
    pub fn new(seed: u64) -> Hub {
        Hub {
            seed,
            next_ticket: 0,
            next_envelope: 0,
            next_conn: 0,
            tickets: HashMap::new(),
            conns: Vec::new(),
            connects_total: 0,
            pending: VecDeque::new(),
            records: HashMap::new(),
            order: Vec::new(),
            deliveries: Vec::new(),
            acks: Vec::new(),
            bad_frames: Vec::new(),
            duplicate: false,
            refuse: false,
            auto_redeliver: None,
            ticker: None,
        }
    }

    /// A fresh single-use ticket for `apps.connections.open`.
    pub fn issue_ticket(&mut self) -> String {
        self.next_ticket += 1;
        let ticket = uuid_like(self.seed.rotate_left(32), self.next_ticket).replace('-', "");
        self.tickets.insert(ticket.clone(), false);
        ticket
    }

    /// Marks `ticket` used; false when unknown or already used.
    pub fn redeem_ticket(&mut self, ticket: &str) -> bool {
        match self.tickets.get_mut(ticket) {
            Some(used) if !*used => {
                *used = true;
                true
            }
            _ => false,
        }
    }

    pub fn new_envelope_id(&mut self) -> String {
        self.next_envelope += 1;
        uuid_like(self.seed, self.next_envelope)
    }

    pub fn open_count(&self) -> usize {
        self.conns.len()
    }

    /// Registers a connection that has just been sent `hello` and hands it
    /// every envelope queued while nobody was connected.
    pub fn register(&mut self, tx: UnboundedSender<Outgoing>) -> u64 {
        self.next_conn += 1;
        let id = self.next_conn;
        self.conns.push(Conn {
            id,
            tx,
            closing: false,
        });
        self.connects_total += 1;
        let queued: Vec<Value> = self.pending.drain(..).collect();
        for envelope in queued {
            self.send(envelope);
        }
        id
    }

    pub fn unregister(&mut self, id: u64) {
        self.conns.retain(|c| c.id != id);
    }

    /// Pushes an envelope (twice with duplicate delivery on); returns its id.
    pub fn push(&mut self, envelope: Value) -> String {
        let id = envelope_id(&envelope);
        if self.duplicate {
            let again = retried(&envelope, retry_attempt(&envelope) + 1, "timeout");
            self.send(envelope);
            self.send(again);
        } else {
            self.send(envelope);
        }
        id
    }

    /// Re-sends every delivered, unacked envelope with `retry_attempt + 1`.
    pub fn redeliver_unacked(&mut self) -> Vec<String> {
        let ids = self.unacked();
        for id in &ids {
            if let Some(record) = self.records.get(id) {
                let envelope = &record.envelope;
                let again = retried(envelope, retry_attempt(envelope) + 1, "timeout");
                self.send(again);
            }
        }
        ids
    }

    /// With automatic redelivery on: re-sends every delivered `events_api`
    /// envelope that is still unacked `wait` after its latest delivery, with
    /// `retry_attempt` + 1 and `retry_reason: "timeout"`, up to
    /// [`MAX_AUTO_RETRIES`] retries. Returns their ids.
    pub fn redeliver_due(&mut self, now: Instant) -> Vec<String> {
        let Some(wait) = self.auto_redeliver else {
            return Vec::new();
        };
        // One waiting for a connection is not retried again meanwhile.
        let queued: Vec<String> = self.pending.iter().map(envelope_id).collect();
        let due: Vec<String> = self
            .order
            .iter()
            .filter(|id| !queued.contains(id))
            .filter(|id| {
                self.records.get(*id).is_some_and(|r| {
                    !r.acked
                        && r.envelope.get("type").and_then(Value::as_str) == Some("events_api")
                        && retry_attempt(&r.envelope) < MAX_AUTO_RETRIES
                        && r.last_delivery
                            .is_some_and(|t| now.saturating_duration_since(t) >= wait)
                })
            })
            .cloned()
            .collect();
        for id in &due {
            if let Some(record) = self.records.get(id) {
                let envelope = &record.envelope;
                let again = retried(envelope, retry_attempt(envelope) + 1, "timeout");
                self.send(again);
            }
        }
        due
    }

    /// Ids of envelopes delivered at least once and never acked, in push order.
    pub fn unacked(&self) -> Vec<String> {
        self.order
            .iter()
            .filter(|id| {
                self.records
                    .get(*id)
                    .is_some_and(|r| r.last_delivery.is_some() && !r.acked)
            })
            .cloned()
            .collect()
    }

    /// Sends on the newest connection not told to disconnect, else queues.
    fn send(&mut self, envelope: Value) {
        let id = envelope_id(&envelope);
        if !self.records.contains_key(&id) {
            self.order.push(id.clone());
        }
        let record = self.records.entry(id.clone()).or_insert(Record {
            envelope: envelope.clone(),
            last_delivery: None,
            acked: false,
        });
        record.envelope = envelope.clone();
        loop {
            let Some(conn) = self.conns.iter().rev().find(|c| !c.closing) else {
                self.pending.push_back(envelope);
                return;
            };
            let conn_id = conn.id;
            if conn.tx.send(Outgoing::Frame(envelope.to_string())).is_ok() {
                if let Some(r) = self.records.get_mut(&id) {
                    r.last_delivery = Some(Instant::now());
                }
                self.deliveries.push(SocketDelivery {
                    envelope_id: id,
                    envelope,
                    connection: conn_id,
                });
                return;
            }
            // The task is gone: forget the connection and try the next one.
            self.unregister(conn_id);
        }
    }

    /// Sends `disconnect` on the newest live connection and closes it after
    /// `grace`. False when no connection is open.
    pub fn disconnect(&mut self, reason: &str, grace: Duration) -> bool {
        let Some(conn) = self.conns.iter_mut().rev().find(|c| !c.closing) else {
            return false;
        };
        conn.closing = true;
        let frame = envelopes::disconnect(reason).to_string();
        let sent = conn.tx.send(Outgoing::Frame(frame)).is_ok()
            && conn.tx.send(Outgoing::CloseAfter(grace)).is_ok();
        if !sent {
            let id = conn.id;
            self.unregister(id);
        }
        sent
    }

    /// Drops every connection abruptly; returns how many there were.
    pub fn drop_all(&mut self) -> usize {
        let n = self.conns.len();
        for conn in self.conns.drain(..) {
            let _ = conn.tx.send(Outgoing::Drop);
        }
        n
    }

    /// Records a text frame the client sent.
    pub fn on_frame(&mut self, connection: u64, text: &str) {
        let parsed: Option<Value> = serde_json::from_str(text).ok();
        let Some(envelope_id) = parsed
            .as_ref()
            .and_then(|v| v.get("envelope_id"))
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            self.bad_frames.push(text.to_string());
            return;
        };
        let payload = parsed
            .as_ref()
            .and_then(|v| v.get("payload"))
            .filter(|p| !p.is_null())
            .cloned();
        let (known, received_after) = match self.records.get_mut(&envelope_id) {
            Some(record) => {
                record.acked = true;
                let after = record.last_delivery.map_or(Duration::ZERO, |t| t.elapsed());
                (true, after)
            }
            None => (false, Duration::ZERO),
        };
        self.acks.push(SocketAck {
            envelope_id,
            payload,
            received_after,
            known,
            connection,
        });
    }
}
