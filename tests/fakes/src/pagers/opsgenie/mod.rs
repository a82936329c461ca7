//! [`FakeOpsgenie`]: a strict fake of the Opsgenie Alert API v2 (create, close,
//! acknowledge).

mod server;
mod validate;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use super::failure::{Injector, PagerFailure};
use super::{ServerTask, WAIT_TIMEOUT, lock, serve, wait_until};
use server::{Shared, State};

/// The API key [`FakeOpsgenie::start`] accepts (`Authorization: GenieKey ogk-test-key`).
pub const DEFAULT_API_KEY: &str = "ogk-test-key";

/// Where an alert is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Open,
    Acked,
    Closed,
}

impl AlertStatus {
    /// Open or acked: a create with its alias de-duplicates into it.
    pub fn is_open(self) -> bool {
        self != AlertStatus::Closed
    }
}

/// How a responder is identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderRef {
    Id(String),
    Name(String),
    /// Only for `type: user`.
    Username(String),
}

/// One entry of `responders`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responder {
    /// `team`, `user`, `escalation` or `schedule`.
    pub kind: String,
    pub by: ResponderRef,
}

/// An alert, as created (later de-duplicated creates only bump `count`).
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// UUID-like id, as Opsgenie's alert ids.
    pub id: String,
    /// `"1"`, `"2"`, … in creation order.
    pub tiny_id: String,
    pub alias: Option<String>,
    pub message: String,
    pub description: Option<String>,
    pub status: AlertStatus,
    pub responders: Vec<Responder>,
    /// `P1`..`P5`; `P3` when not given.
    pub priority: String,
    pub tags: Vec<String>,
    pub details: BTreeMap<String, String>,
    /// Creates folded into this alert: 1 plus the de-duplicated ones.
    pub count: u32,
    /// The create body, as sent.
    pub body: Value,
}

/// Which endpoint a request hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `POST /v2/alerts`
    Create,
    /// `POST /v2/alerts/{identifier}/close`
    Close,
    /// `POST /v2/alerts/{identifier}/acknowledge`
    Acknowledge,
}

/// What a request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// A create whose alias matched an open (or acked) alert: its count went up.
    Deduplicated,
    Acknowledged,
    Closed,
    /// A valid close matching no open alert. Opsgenie answers 202 anyway (it
    /// processes requests asynchronously) and drops it.
    CloseOfUnknown,
    /// A valid acknowledge matching no open alert (202 anyway).
    AcknowledgeOfUnknown,
    /// Not applied: unauthenticated, invalid, injected failure, outage, or the
    /// client went away during an injected hang.
    NotApplied,
}

/// One request to an alert endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub action: Action,
    /// The `{identifier}` of close / acknowledge (percent-decoded).
    pub identifier: Option<String>,
    /// The `identifierType` query parameter, as sent.
    pub identifier_type: Option<String>,
    /// The `Authorization` header, as sent.
    pub authorization: Option<String>,
    /// The body parsed as JSON (`Value::Null` when empty or not JSON).
    pub body: Value,
    /// HTTP status answered; `0` when the client went away before the answer.
    pub status: u16,
    /// JSON answered (`Value::Null` when the answer was not JSON).
    pub response: Value,
    pub outcome: Outcome,
    /// The id of the alert created, de-duplicated into, acknowledged or closed.
    pub alert_id: Option<String>,
}

impl RecordedRequest {
    /// A close that matched no open alert (answered 202 all the same).
    pub fn is_close_of_unknown(&self) -> bool {
        self.outcome == Outcome::CloseOfUnknown
    }
}

/// A running fake Opsgenie. Clones share the same server and state; the server
/// stops when the last clone is dropped.
#[derive(Clone)]
pub struct FakeOpsgenie {
    shared: Arc<Shared>,
    base_url: String,
    _server: Arc<ServerTask>,
}

impl std::fmt::Debug for FakeOpsgenie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeOpsgenie")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl FakeOpsgenie {
    /// Starts a fake accepting [`DEFAULT_API_KEY`]. Panics if it cannot bind.
    pub async fn start() -> FakeOpsgenie {
        FakeOpsgenie::start_with_key(DEFAULT_API_KEY).await
    }

    /// Starts a fake accepting only `Authorization: GenieKey {api_key}`.
    pub async fn start_with_key(api_key: &str) -> FakeOpsgenie {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            injector: Mutex::new(Injector::default()),
            api_key: api_key.to_string(),
        });
        let (base_url, task) = serve("fake opsgenie", server::router(shared.clone())).await;
        FakeOpsgenie {
            shared,
            base_url,
            _server: Arc::new(task),
        }
    }

    /// `http://127.0.0.1:PORT` (the API is under `{url}/v2/alerts`).
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    /// The key the fake accepts.
    pub fn api_key(&self) -> String {
        self.shared.api_key.clone()
    }

    /// Every request to an alert endpoint, in arrival order (including rejected
    /// and failed ones).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.state).requests.clone()
    }

    /// Closes that matched no open alert.
    pub fn closes_of_unknown(&self) -> Vec<RecordedRequest> {
        let state = lock(&self.shared.state);
        state
            .requests
            .iter()
            .filter(|r| r.is_close_of_unknown())
            .cloned()
            .collect()
    }

    /// Every alert ever created, in creation order.
    pub fn alerts(&self) -> Vec<Alert> {
        lock(&self.shared.state).alerts.clone()
    }

    /// Alerts open or acked, in creation order.
    pub fn open_alerts(&self) -> Vec<Alert> {
        let state = lock(&self.shared.state);
        state
            .alerts
            .iter()
            .filter(|a| a.status.is_open())
            .cloned()
            .collect()
    }

    /// The most recent alert with this alias (any status).
    pub fn alert_by_alias(&self, alias: &str) -> Option<Alert> {
        let state = lock(&self.shared.state);
        state
            .alerts
            .iter()
            .rev()
            .find(|a| a.alias.as_deref() == Some(alias))
            .cloned()
    }

    /// The next `n` requests fail with `failure` (queued after those already
    /// queued). Bodies have Opsgenie's error shape `{"message":…,"took":…,
    /// "requestId":…}`: 429 "You are making too many requests! …", 500 "Internal
    /// Server Error", 400 "Injected failure".
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

    /// Like [`FakeOpsgenie::wait_for`] with a custom timeout.
    pub async fn wait_for_within<F: Fn(&Self) -> bool>(&self, what: &str, timeout: Duration, f: F) {
        wait_until(what, timeout, || f(self)).await;
    }
}
