//! What every handler can reach: the store, the Slack client, settings, the clock,
//! the pagers, the timeline writer, the metrics and the wake-ups of the background
//! workers.
//! [`crate::app`] builds one and hands it to the transports; handlers depend on this
//! module, never on `app`.

use crate::clock::Clock;
use crate::config::Settings;
use crate::metrics::Metrics;
use crate::pagers::Providers;
use crate::slack::client::SlackApi;
use crate::slack::verify::RequestVerifier;
use crate::store::Store;
use crate::supervisor::Tasks;
use std::sync::Arc;
use tokio::sync::Notify;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub slack: SlackApi,
    pub settings: Arc<Settings>,
    pub verifier: RequestVerifier,
    pub clock: Clock,
    pub providers: Providers,
    /// The batching writer that message events go through.
    pub timeline: crate::timeline::Writer,
    /// Backfill runs one at a time per process.
    pub backfill_lock: Arc<tokio::sync::Mutex<()>>,
    /// The supervised background tasks, for the health check.
    pub tasks: Tasks,
    /// This application's Prometheus registry (its own, not the process's: tests
    /// run many apps in one process).
    pub metrics: Arc<Metrics>,
    outbox_wake: Arc<Notify>,
    escalation_wake: Arc<Notify>,
    timer_wake: Arc<Notify>,
    fallback_wake: Arc<Notify>,
    /// The fallback watch's own wake-up: one `Notify` wakes one waiter, and the IRC
    /// connection and the watch each wait.
    fallback_watch_wake: Arc<Notify>,
}

impl AppState {
    pub fn new(
        store: Store,
        slack: SlackApi,
        settings: Settings,
        verifier: RequestVerifier,
        clock: Clock,
        providers: Providers,
        metrics: Arc<Metrics>,
    ) -> Self {
        let timeline = crate::timeline::Writer::new(store.clone(), metrics.clone());
        Self {
            store,
            slack,
            verifier,
            settings: Arc::new(settings),
            clock,
            providers,
            timeline,
            backfill_lock: Arc::new(tokio::sync::Mutex::new(())),
            tasks: Tasks::new(),
            metrics,
            outbox_wake: Arc::new(Notify::new()),
            escalation_wake: Arc::new(Notify::new()),
            timer_wake: Arc::new(Notify::new()),
            fallback_wake: Arc::new(Notify::new()),
            fallback_watch_wake: Arc::new(Notify::new()),
        }
    }

    /// Wakes an outbox worker so freshly queued work goes out now.
    pub fn wake_outbox(&self) {
        self.outbox_wake.notify_one();
    }

    /// Wakes the escalation worker: an escalation was started and is due now.
    pub fn wake_escalations(&self) {
        self.escalation_wake.notify_one();
    }

    /// Wakes the timer worker: the clock moved, or a timer is due now.
    pub fn wake_timers(&self) {
        self.timer_wake.notify_one();
    }

    /// Wakes the IRC fallback connection and the fallback watch: a room opened or
    /// closed, so the connection joins or parts now instead of at its next look.
    pub fn wake_fallback(&self) {
        self.fallback_wake.notify_one();
        self.fallback_watch_wake.notify_one();
    }

    /// What the IRC fallback connection waits on.
    pub fn fallback_waker(&self) -> Arc<Notify> {
        self.fallback_wake.clone()
    }

    /// What the fallback watch (Slack's health, rooms opened by themselves) waits on.
    pub fn fallback_watch_waker(&self) -> Arc<Notify> {
        self.fallback_watch_wake.clone()
    }

    /// What the timer worker waits on.
    pub fn timer_waker(&self) -> Arc<Notify> {
        self.timer_wake.clone()
    }

    /// What the outbox workers wait on.
    pub fn outbox_waker(&self) -> Arc<Notify> {
        self.outbox_wake.clone()
    }

    /// What the escalation worker waits on.
    pub fn escalation_waker(&self) -> Arc<Notify> {
        self.escalation_wake.clone()
    }
}
