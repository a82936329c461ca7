//! The application: connects the store, builds the Slack client and routes (Slack's,
//! and the web dashboard's), binds the listener (port 0 works, for tests) and runs the
//! outbox workers beside the server until shutdown.

use crate::clock::Clock;
use crate::config::{Settings, SlackSecrets};
use crate::followup::reminders::Reminders;
use crate::inbound::routes;
use crate::metrics::Metrics;
use crate::outbox::ops::{Ctx, GithubExport, StatuspageExport};
use crate::outbox::worker::Worker;
use crate::pagers::Providers;
use crate::paging::engine::Escalator;
use crate::slack::client::SlackApi;
use crate::slack::verify::RequestVerifier;
use crate::state::AppState;
use crate::store::Store;
use crate::supervisor::AbortOnDrop;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Outbox workers per process: enough for several war rooms to progress at once.
const OUTBOX_WORKERS: usize = 4;
/// How long shutdown waits for in-flight Slack writes before leaving them to a
/// lease takeover.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How long one GitHub call may take before it counts as failed (and is retried).
const GITHUB_CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// How long one Statuspage call may take before it counts as failed (and is retried).
const STATUSPAGE_CALL_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Application {
    listener: TcpListener,
    state: AppState,
    /// Set: events also arrive over Socket Mode (the HTTP routes stay up).
    app_token: Option<secrecy::SecretString>,
    /// The postmortem template and blameless phrases, checked at startup.
    postmortem: crate::postmortem::Style,
    /// Set: action items are exported as GitHub issues.
    github: Option<GithubExport>,
    /// The web dashboard, served beside Slack's routes (or not at all when off).
    dashboard: crate::web::DashboardState,
    /// Set: public stakeholder updates are mirrored on Statuspage.
    statuspage: Option<StatuspageExport>,
}

impl Application {
    pub async fn build(settings: Settings, secrets: SlackSecrets) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, secrets, Clock::new()).await
    }

    /// As [`Application::build`], on the given clock (tests use a manual one).
    pub async fn build_with_clock(
        settings: Settings,
        secrets: SlackSecrets,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        Self::build_inner(settings, secrets, clock, true).await
    }

    /// For `warroom drill --replay`, which runs beside `warroom serve` on the same
    /// database: it must not take back the claims `serve` holds (see below).
    pub async fn build_beside_serve(
        settings: Settings,
        secrets: SlackSecrets,
    ) -> anyhow::Result<Self> {
        Self::build_inner(settings, secrets, Clock::new(), false).await
    }

    /// `owns_database`: this is the only Warroom process on it (a SQLite file's
    /// claims still in flight are then its own from before a crash).
    async fn build_inner(
        settings: Settings,
        secrets: SlackSecrets,
        clock: Clock,
        owns_database: bool,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        for warning in settings.plain_http_warnings() {
            tracing::warn!("{warning}");
        }
        // Before anything else starts: a bad template or phrase list stops startup.
        let postmortem = crate::postmortem::Style::from_settings(&settings.postmortem, None)?;
        let store = Store::connect(&settings.database_url)
            .await
            .with_context(|| {
                format!(
                    "cannot open the database at {}",
                    redact_url(&settings.database_url)
                )
            })?;
        if let (Store::Sqlite(..), true) = (&store, owns_database) {
            // One process owns a SQLite file: claims still in flight are this
            // process's own from before a crash.
            let reclaimed = store.reclaim_in_flight().await?;
            if reclaimed > 0 {
                tracing::info!(
                    items = reclaimed,
                    "took back the outbound writes a previous run left in flight"
                );
            }
        }
        let metrics = Arc::new(Metrics::new());
        let slack = SlackApi::new(
            &settings.slack.api_url,
            &secrets.bot_token,
            std::time::Duration::from_millis(settings.slack.call_timeout_ms),
        )?
        .with_metrics(metrics.clone())
        .with_health(Arc::new(crate::slack::health::SlackHealth::new(
            clock.clone(),
        )));
        let listener = TcpListener::bind(settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let providers = Providers::new(settings.paging.escalation.clone())?;
        let github = match &settings.postmortem.github {
            Some(github) => {
                let http = reqwest::Client::builder()
                    .timeout(GITHUB_CALL_TIMEOUT)
                    .build()?;
                tracing::info!(repo = %github.repo, "action items are exported as GitHub issues");
                Some(GithubExport::new(github, http))
            }
            None => None,
        };
        let addr = listener.local_addr()?;
        let dashboard = crate::web::DashboardState::new(
            store.clone(),
            &settings,
            addr,
            clock.clone(),
            postmortem.clone(),
        );
        dashboard.access.announce(&settings.dashboard, addr);
        let statuspage = match &settings.statuspage {
            Some(sp) => {
                let http = reqwest::Client::builder()
                    .timeout(STATUSPAGE_CALL_TIMEOUT)
                    .build()?;
                tracing::info!(page_id = %sp.page_id, "public updates are mirrored on Statuspage");
                Some(StatuspageExport::new(sp, http))
            }
            None => None,
        };
        let state = AppState::new(
            store,
            slack,
            settings,
            RequestVerifier::new(&secrets.signing_secret),
            clock,
            providers,
            metrics,
        );
        Ok(Self {
            listener,
            state,
            app_token: secrets.app_token,
            postmortem,
            github,
            dashboard,
            statuspage,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The outbox worker every outbox task runs a clone of.
    fn outbox_worker(&self) -> Worker {
        Worker {
            ctx: Ctx {
                store: self.state.store.clone(),
                slack: self.state.slack.clone(),
                providers: self.state.providers.clone(),
                clock: self.state.clock.clone(),
                private_channels: self.state.settings.slack.private_channels,
                postmortem: self.postmortem.clone(),
                github: self.github.clone(),
                statuspage: self.statuspage.clone(),
                wake: self.state.outbox_waker(),
                alerts: self.state.settings.alerts.clone(),
                metrics: self.state.metrics.clone(),
                drill_page_providers: self.state.settings.drills.page_providers,
                irc_server: self
                    .state
                    .settings
                    .fallback
                    .irc
                    .as_ref()
                    .map(|irc| format!("{}:{}", irc.host, irc.port)),
            },
            settings: self.state.settings.outbox.clone(),
            last_post: Default::default(),
            in_hand: Default::default(),
        }
    }

    /// `warroom drill --replay`: declares the drill of `plan`, then replays its lines
    /// into the war room at `speed`, with only the outbox workers running (no HTTP
    /// server, no Socket Mode: `warroom serve` answers the team's commands, and its
    /// escalator pages the drill). Returns the drill's number once every line has
    /// been posted or given up on.
    pub async fn replay_drill(
        self,
        plan: &crate::drills::ReplayPlan,
        speed: crate::drills::Speed,
        lead: Option<&str>,
    ) -> anyhow::Result<i64> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = self.outbox_worker();
        let mut workers: Vec<AbortOnDrop<()>> = Vec::new();
        for n in 1..=OUTBOX_WORKERS {
            let worker = worker.clone();
            workers.push(self.state.tasks.supervise(
                format!("outbox worker {n}"),
                stop_rx.clone(),
                move |stop| worker.clone().run(stop),
            ));
        }
        let id = crate::drills::replay::declare(&self.state, plan, lead).await?;
        tracing::info!(
            incident_id = id,
            lines = plan.lines.len(),
            speed = speed.get(),
            "replaying into a new drill"
        );
        crate::drills::replay::run(&self.state, id, plan, speed).await?;
        let lane = format!("incident:{id}");
        while self.state.store.lane_unsent(&lane).await? > 0 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let _ = stop_tx.send(true);
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, futures::future::join_all(workers)).await;
        self.state.store.close().await;
        Ok(id)
    }

    /// Serves until `shutdown` completes, then stops taking requests, lets workers
    /// finish the item in hand (bounded), and returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = self.outbox_worker();
        let tasks = self.state.tasks.clone();
        let mut workers: Vec<AbortOnDrop<()>> = Vec::new();
        for n in 1..=self.state.timeline.tasks() {
            let writer = self.state.timeline.clone();
            workers.push(tasks.supervise(
                format!("timeline writer {n}"),
                stop_rx.clone(),
                move |stop| writer.run_task(stop),
            ));
        }
        for n in 1..=OUTBOX_WORKERS {
            let worker = worker.clone();
            workers.push(tasks.supervise(
                format!("outbox worker {n}"),
                stop_rx.clone(),
                move |stop| worker.clone().run(stop),
            ));
        }
        let escalator = Escalator {
            store: self.state.store.clone(),
            config: self.state.settings.paging.escalation.clone(),
            clock: self.state.clock.clone(),
            wake: self.state.escalation_waker(),
            outbox_wake: self.state.outbox_waker(),
            metrics: self.state.metrics.clone(),
            drill_page_providers: self.state.settings.drills.page_providers,
        };
        workers.push(tasks.supervise("escalator", stop_rx.clone(), move |stop| {
            escalator.clone().run(stop)
        }));
        let reminders = Reminders::new(
            self.state.store.clone(),
            self.state.clock.clone(),
            self.state.outbox_waker(),
        );
        workers.push(tasks.supervise("reminders", stop_rx.clone(), move |stop| {
            reminders.clone().run(stop)
        }));
        if self.state.settings.nudges.enabled {
            let timers = crate::timers::Timers {
                store: self.state.store.clone(),
                clock: self.state.clock.clone(),
                nudges: Arc::new(self.state.settings.nudges.clone()),
                metrics: self.state.metrics.clone(),
                wake: self.state.timer_waker(),
                outbox_wake: self.state.outbox_waker(),
            };
            workers.push(tasks.supervise("timers", stop_rx.clone(), move |stop| {
                timers.clone().run(stop)
            }));
        }
        if self.state.settings.fallback.irc.is_some() {
            let watch = crate::fallback::watch::Watch {
                state: self.state.clone(),
            };
            workers.push(
                tasks.supervise("fallback watch", stop_rx.clone(), move |stop| {
                    watch.clone().run(stop)
                }),
            );
        }
        if let Some(irc) = crate::fallback::irc::IrcWorker::new(&self.state) {
            workers.push(
                tasks.supervise("irc fallback", stop_rx.clone(), move |stop| {
                    irc.clone().run(stop)
                }),
            );
        }
        let store = self.state.store.clone();
        workers.push(
            tasks.supervise("checkpointer", stop_rx.clone(), move |stop| {
                store.clone().run_checkpoints(stop)
            }),
        );
        match self.app_token {
            Some(app_token) => {
                // Socket Mode backfills after every hello, including the first.
                let state = self.state.clone();
                workers.push(
                    tasks.supervise("socket mode", stop_rx.clone(), move |stop| {
                        let socket = crate::inbound::socket_mode::SocketMode {
                            state: state.clone(),
                            app_token: app_token.clone(),
                        };
                        socket.run(stop)
                    }),
                );
            }
            // Gaps are measured before the server takes its first request.
            None => crate::inbound::backfill::spawn(&self.state).await,
        }
        let store = self.state.store.clone();
        tracing::info!(addr = %self.listener.local_addr()?, backend = store.backend(), "warroom is listening");
        let app = routes::router(self.state).merge(crate::web::router(self.dashboard));
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await?;
        tracing::info!("shutting down: finishing in-flight Slack writes");
        let _ = stop_tx.send(true);
        let all = futures::future::join_all(workers);
        // On timeout the handles are dropped with `all`, which aborts their tasks.
        if tokio::time::timeout(SHUTDOWN_GRACE, all).await.is_err() {
            tracing::warn!(
                "some Slack writes were still in flight after the grace period; handing them back"
            );
            worker.release_all().await;
        }
        store.close().await;
        Ok(())
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub use crate::config::redact_url;

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn database_passwords_never_reach_messages() {
        assert_eq!(
            redact_url("postgres://bob:hunter2@db:5432/x"),
            "postgres://bob:***@db:5432/x"
        );
        assert_eq!(redact_url("sqlite://warroom.db"), "sqlite://warroom.db");
    }
}
