//! [`FakePagerDuty`]: a strict fake of the PagerDuty Events API v2.

mod server;
mod validate;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::failure::{Injector, PagerFailure};
use super::{ServerTask, WAIT_TIMEOUT, lock, serve, wait_until};
use server::{Shared, State};

/// A valid routing (integration) key for tests: exactly 32 characters.
pub const TEST_ROUTING_KEY: &str = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY01";

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Triggered,
    Acknowledged,
    Resolved,
}

impl AlertStatus {
    /// Triggered or acknowledged: a trigger with its dedup key is a duplicate.
    pub fn is_open(self) -> bool {
        self != AlertStatus::Resolved
    }
}

/// An alert, opened by a trigger and identified by `(routing_key, dedup_key)`.
/// Once resolved, a new trigger with the same dedup key opens a new alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub routing_key: String,
    pub dedup_key: String,
    pub status: AlertStatus,
    /// From the trigger that opened it (later duplicates don't change it).
    pub summary: String,
    pub source: String,
    pub severity: String,
    /// The opening trigger's `payload`, as sent.
    pub payload: Value,
    /// Triggers folded into this alert: 1 plus the duplicates.
    pub trigger_count: u32,
}

/// What an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// A trigger that opened a new alert.
    Opened,
    /// A trigger whose dedup key already had an open alert: its count went up.
    Duplicate,
    Acknowledged,
    Resolved,
    /// A valid acknowledge/resolve matching no open alert. PagerDuty still
    /// answers 202 (events are processed asynchronously) and drops it.
    NoOpenAlert,
    /// Not applied: invalid (400), injected failure, outage, or the client went
    /// away during an injected hang.
    NotApplied,
}

/// One request to `/v2/enqueue`.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// The body parsed as JSON (`Value::Null` when it was not JSON).
    pub body: Value,
    /// HTTP status answered; `0` when the client went away before the answer.
    pub status: u16,
    /// JSON answered (`Value::Null` when the answer was not JSON).
    pub response: Value,
    /// The dedup key of an accepted event (generated for a trigger without one).
    pub dedup_key: Option<String>,
    pub outcome: EventOutcome,
    /// When the request arrived (its answer follows at once, unless a failure was
    /// injected): for latency measurements.
    pub at: Instant,
}

/// A running fake PagerDuty (Events API v2). Clones share the same server and
/// state; the server stops when the last clone is dropped.
///
/// Any 32-character routing key is accepted (see [`TEST_ROUTING_KEY`]).
#[derive(Clone)]
pub struct FakePagerDuty {
    shared: Arc<Shared>,
    base_url: String,
    _server: Arc<ServerTask>,
}

impl std::fmt::Debug for FakePagerDuty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakePagerDuty")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl FakePagerDuty {
    /// Starts the fake on `127.0.0.1:0`. Panics if it cannot bind.
    pub async fn start() -> FakePagerDuty {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            injector: Mutex::new(Injector::default()),
        });
        let (base_url, task) = serve("fake pagerduty", server::router(shared.clone())).await;
        FakePagerDuty {
            shared,
            base_url,
            _server: Arc::new(task),
        }
    }

    /// `http://127.0.0.1:PORT` (events go to `{url}/v2/enqueue`).
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    /// `http://127.0.0.1:PORT/v2/enqueue`.
    pub fn enqueue_url(&self) -> String {
        format!("{}/v2/enqueue", self.base_url)
    }

    /// Every request received, in arrival order (including rejected and failed ones).
    pub fn events(&self) -> Vec<RecordedEvent> {
        lock(&self.shared.state).events.clone()
    }

    /// Every alert ever opened, in opening order.
    pub fn alerts(&self) -> Vec<Alert> {
        lock(&self.shared.state).alerts.clone()
    }

    /// Alerts triggered or acknowledged, in opening order.
    pub fn open_alerts(&self) -> Vec<Alert> {
        let state = lock(&self.shared.state);
        state
            .alerts
            .iter()
            .filter(|a| a.status.is_open())
            .cloned()
            .collect()
    }

    /// The most recent alert with this dedup key (any routing key, any status).
    pub fn alert(&self, dedup_key: &str) -> Option<Alert> {
        let state = lock(&self.shared.state);
        state
            .alerts
            .iter()
            .rev()
            .find(|a| a.dedup_key == dedup_key)
            .cloned()
    }

    /// The next `n` requests fail with `failure` (queued after those already
    /// queued). Bodies: 429 `{"status":"throttle event","message":"Requests for
    /// this service are arriving too quickly. Please retry later."}`, 500
    /// `{"status":"error","message":"Internal Server Error"}`, 400 `{"status":
    /// "invalid event","message":"Event object is invalid","errors":["injected
    /// failure"]}`.
    pub fn fail_next(&self, n: usize, failure: PagerFailure) {
        lock(&self.shared.injector).push(n, failure);
    }

    /// While down, every request answers HTTP 503 (plain text).
    pub fn set_down(&self, down: bool) {
        lock(&self.shared.injector).set_down(down);
    }

    /// Polls `f` every 20 ms until it holds; panics naming `what` after 10 s.
    pub async fn wait_for<F: Fn(&Self) -> bool>(&self, what: &str, f: F) {
        self.wait_for_within(what, WAIT_TIMEOUT, f).await;
    }

    /// Like [`FakePagerDuty::wait_for`] with a custom timeout.
    pub async fn wait_for_within<F: Fn(&Self) -> bool>(&self, what: &str, timeout: Duration, f: F) {
        wait_until(what, timeout, || f(self)).await;
    }
}
