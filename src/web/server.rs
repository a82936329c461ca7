//! `warroom dashboard`: the dashboard alone, from the database, without Slack (no
//! Slack credentials, no workers). `/` leads to `/dashboard/`. It refuses to start
//! when the dashboard would be off, rather than serve nothing but 404s.

use super::{Access, DashboardState, router};
use crate::clock::Clock;
use crate::config::{Settings, redact_url};
use crate::postmortem::Style;
use crate::store::Store;
use anyhow::{Context, bail};
use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

pub struct DashboardServer {
    listener: TcpListener,
    app: Router,
    store: Store,
}

impl DashboardServer {
    /// Checks the settings, opens the database and binds `listen` (port 0 works).
    pub async fn build(
        settings: Settings,
        listen: SocketAddr,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        // Before anything else: a dashboard that would be off is a mistake to say.
        let access = Access::decide(&settings.dashboard, listen);
        if access == Access::Off {
            bail!("{}", Access::off_reason(listen));
        }
        let postmortem = Style::from_settings(&settings.postmortem, None)?;
        let store = Store::connect(&settings.database_url)
            .await
            .with_context(|| {
                format!(
                    "cannot open the database at {}",
                    redact_url(&settings.database_url)
                )
            })?;
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let bound = listener.local_addr()?;
        let state = DashboardState::new(store.clone(), &settings, bound, clock, postmortem);
        state.access.announce(&settings.dashboard, bound);
        let app = Router::new()
            .route("/", get(|| async { Redirect::to("/dashboard/") }))
            .merge(router(state));
        Ok(Self {
            listener,
            app,
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        tracing::info!(addr = %self.listener.local_addr()?, backend = self.store.backend(), "the dashboard is listening");
        axum::serve(self.listener, self.app)
            .with_graceful_shutdown(shutdown)
            .await?;
        self.store.close().await;
        Ok(())
    }
}
