//! Fake paging providers, each an axum server on `127.0.0.1:0`:
//!
//! * [`FakePagerDuty`]: the PagerDuty Events API v2 (`POST /v2/enqueue`).
//! * [`FakeOpsgenie`]: the Opsgenie Alert API v2 (create, close, acknowledge).
//! * [`FakeWebhook`]: generic JSON webhooks on `POST /hook/{name}`.
//!
//! Like [`crate::FakeSlack`] they are strict (they reject what the real service
//! rejects, and a little more where the real service would silently drop data),
//! record every request, and take injected failures ([`PagerFailure`]) and outages
//! ([`FakePagerDuty::set_down`] and friends). Injected failures and outages never
//! change state.

mod failure;
mod ids;
pub mod opsgenie;
pub mod pagerduty;
mod reply;
pub mod webhook;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use tokio::task::JoinHandle;

pub use failure::PagerFailure;
pub use opsgenie::FakeOpsgenie;
pub use pagerduty::FakePagerDuty;
pub use webhook::FakeWebhook;

const WAIT_TIMEOUT: Duration = Duration::from_secs(10);
const WAIT_POLL: Duration = Duration::from_millis(20);

/// Aborts the server task when the last handle is dropped.
pub(crate) struct ServerTask(JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Binds `127.0.0.1:0`, serves `app` and returns `http://127.0.0.1:PORT` and the
/// task guard. Panics (naming `who`) if it cannot bind.
pub(crate) async fn serve(who: &str, app: Router) -> (String, ServerTask) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{who}: bind 127.0.0.1:0: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("{who}: local addr: {e}"));
    let name = who.to_string();
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "{name} server stopped");
        }
    });
    (format!("http://{addr}"), ServerTask(task))
}

/// Locks, recovering from poisoning (a panicking test must not hide the state).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Polls `f` every 20 ms until it holds; panics naming `what` after `timeout`.
pub(crate) async fn wait_until(what: &str, timeout: Duration, f: impl Fn() -> bool) {
    let start = Instant::now();
    loop {
        if f() {
            return;
        }
        if start.elapsed() >= timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(WAIT_POLL).await;
    }
}

/// Whether the request's `Content-Type` is `application/json` (parameters allowed).
fn is_json_content_type(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}
