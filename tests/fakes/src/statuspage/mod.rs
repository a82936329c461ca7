//! [`FakeStatuspage`]: a strict fake of the Atlassian Statuspage REST API (v1)
//! endpoints Warroom uses to mirror public updates: create an incident
//! (`POST /v1/pages/{page_id}/incidents`), update it (`PATCH` or `PUT
//! …/incidents/{incident_id}`), read one (`GET …/incidents/{incident_id}`) and list
//! the page's incidents (`GET …/incidents`, newest first, `page` and `per_page`).
//!
//! As strict as Statuspage, and stricter where it would silently ignore something:
//! * `Authorization: OAuth <api key>` is required: 401 `{"error": "Could not
//!   authenticate"}` without it, with another scheme or another key;
//! * an unknown page or incident answers 404 `{"error": "Not found"}`;
//! * a body that is not JSON, or has no `incident` object, answers 400;
//! * a create needs a `name`; `status` must be investigating, identified,
//!   monitoring, resolved or postmortem; `impact_override` none, minor, major or
//!   critical; `component_ids` and the keys of `components` must be components of
//!   the page, and each `components` value operational, degraded_performance,
//!   partial_outage, major_outage or under_maintenance; `metadata` an object of
//!   objects; unknown keys are refused. Refusals are 422 with `{"error": [..]}`;
//! * more than [`RATE_LIMIT_PER_MINUTE`] requests in a rolling minute per key
//!   answer 429 with `Retry-After` (Statuspage allows about one a second, and
//!   answers 420 or 429 past it).
//!
//! Every request is recorded; [`StatuspageFault`]s are injected to any request or
//! only to creates, including "created but the answer was lost".

mod incidents;
mod server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::pagers::{ServerTask, lock, serve, wait_until};
use server::{Shared, State};

/// Statuspage's documented limit: about one request a second, over a minute.
pub const RATE_LIMIT_PER_MINUTE: usize = 60;
pub const INCIDENT_STATUSES: &[&str] = &[
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "postmortem",
];
pub const IMPACTS: &[&str] = &["none", "minor", "major", "critical"];
pub const COMPONENT_STATUSES: &[&str] = &[
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
];

/// What the next request(s) meet instead of (or after) being handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatuspageFault {
    /// 429 `{"error": "Rate limit exceeded"}` with `Retry-After`.
    TooManyRequests { retry_after_secs: u64 },
    /// 420, the older rate-limit answer, with `Retry-After`.
    EnhanceYourCalm { retry_after_secs: u64 },
    /// 500 `{"error": "Internal Server Error"}`.
    ServerError,
    /// Handled (an incident it creates stays), then answered 500: the answer is lost.
    /// Recorded with `applied: true`.
    AppliedThenServerError,
}

/// One update of an incident, as Statuspage keeps them.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentUpdate {
    pub status: String,
    pub body: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An incident the fake holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub page_id: String,
    pub id: String,
    pub name: String,
    pub status: String,
    pub impact: String,
    /// Component id → status, for the components the incident affects.
    pub components: Vec<(String, String)>,
    pub metadata: Value,
    pub updates: Vec<IncidentUpdate>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// One request, whatever its path.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    /// The body parsed as JSON (`Value::Null` when empty or not JSON).
    pub body: Value,
    /// HTTP status answered.
    pub status: u16,
    pub response: Value,
    /// Whether it changed state, answered or not.
    pub applied: bool,
}

/// A running fake Statuspage. Clones share the same server and state.
#[derive(Clone)]
pub struct FakeStatuspage {
    shared: Arc<Shared>,
    base_url: String,
    _server: Arc<ServerTask>,
}

impl std::fmt::Debug for FakeStatuspage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeStatuspage")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl FakeStatuspage {
    /// Starts the fake on `127.0.0.1:0` holding `page_id` (no components yet) and
    /// accepting `api_key`.
    pub async fn start(page_id: &str, api_key: &str) -> FakeStatuspage {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            api_key: api_key.to_string(),
        });
        let (base_url, task) = serve("fake statuspage", server::router(shared.clone())).await;
        let fake = FakeStatuspage {
            shared,
            base_url,
            _server: Arc::new(task),
        };
        fake.add_page(page_id);
        fake
    }

    /// `http://127.0.0.1:PORT`: the API base URL to give a client.
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    pub fn add_page(&self, page_id: &str) {
        lock(&self.shared.state)
            .pages
            .entry(page_id.to_string())
            .or_default();
    }

    /// A component of `page_id` (operational).
    pub fn add_component(&self, page_id: &str, component_id: &str, name: &str) {
        lock(&self.shared.state)
            .pages
            .entry(page_id.to_string())
            .or_default()
            .push((component_id.to_string(), name.to_string()));
    }

    /// An incident opened by someone else at `created_at` (seed in time order).
    pub fn seed_incident(&self, page_id: &str, name: &str, created_at: DateTime<Utc>) -> String {
        let mut state = lock(&self.shared.state);
        let id = state.next_id();
        state.incidents.push(Incident {
            page_id: page_id.to_string(),
            id: id.clone(),
            name: name.to_string(),
            status: "investigating".to_string(),
            impact: "minor".to_string(),
            components: Vec::new(),
            metadata: Value::Object(Default::default()),
            updates: Vec::new(),
            created_at,
            resolved_at: None,
        });
        id
    }

    /// The incidents of `page_id`, in creation order.
    pub fn incidents(&self, page_id: &str) -> Vec<Incident> {
        lock(&self.shared.state)
            .incidents
            .iter()
            .filter(|i| i.page_id == page_id)
            .cloned()
            .collect()
    }

    /// Every request received, in arrival order (refused and failed ones too).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.state).requests.clone()
    }

    /// The next `n` requests meet `fault`.
    pub fn fail_next(&self, n: usize, fault: StatuspageFault) {
        lock(&self.shared.state).faults.queue(None, n, fault);
    }

    /// The next `n` creates (`POST`) meet `fault`; other requests pass by.
    pub fn fail_next_creates(&self, n: usize, fault: StatuspageFault) {
        lock(&self.shared.state)
            .faults
            .queue(Some(Method::POST), n, fault);
    }

    /// The next `n` updates (`PATCH`/`PUT`) meet `fault`.
    pub fn fail_next_updates(&self, n: usize, fault: StatuspageFault) {
        lock(&self.shared.state)
            .faults
            .queue(Some(Method::PATCH), n, fault);
    }

    /// Polls `f` every 20 ms until it holds; panics naming `what` after 10 s.
    pub async fn wait_for<F: Fn(&Self) -> bool>(&self, what: &str, f: F) {
        wait_until(what, Duration::from_secs(10), || f(self)).await;
    }
}
