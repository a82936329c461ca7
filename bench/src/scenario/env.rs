//! What a self-contained scenario stands on: a throwaway database, a fake Slack, the
//! app started in-process, and declared incidents with their war rooms.

use crate::db::Db;
use crate::slash::SlashClient;
use anyhow::Context;
use futures::StreamExt;
use sqlx::Connection;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::oneshot;
use warroom::app::Application;
use warroom::clock::Clock;
use warroom::config::{PagingSettings, Settings, SlackSecrets};
use warroom::state::AppState;
use warroom_fakes::FakeSlack;

/// The signing secret scenarios give the app and sign with.
pub const SIGNING_SECRET: &str = "bench-signing-secret-0123456789abcdef";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The PostgreSQL server scenarios create their databases on (as the tests do).
pub fn pg_admin_url() -> String {
    std::env::var("WARROOM_TEST_PG_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database, removed on drop: a SQLite file in its own temp dir, or a
/// PostgreSQL database on the local server.
pub struct TempDb {
    pub url: String,
    pub backend: Backend,
    pg_name: Option<String>,
    sqlite_dir: Option<PathBuf>,
}

impl TempDb {
    pub async fn create(backend: Backend) -> anyhow::Result<TempDb> {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("warroom-bench-{unique}"));
                std::fs::create_dir_all(&dir)?;
                Ok(TempDb {
                    url: format!("sqlite://{}", dir.join("warroom.db").display()),
                    backend,
                    pg_name: None,
                    sqlite_dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let name = format!("warroom_bench_{unique}");
                let admin = pg_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin).await.with_context(|| {
                    format!(
                        "PostgreSQL is not reachable at {}. Start a server there (trust auth), \
                         or set WARROOM_TEST_PG_ADMIN_URL to one where databases may be created",
                        warroom::app::redact_url(&admin)
                    )
                })?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await?;
                let server = admin.rsplit_once('/').map_or(admin.as_str(), |(s, _)| s);
                Ok(TempDb {
                    url: format!("{server}/{name}"),
                    backend,
                    pg_name: Some(name),
                    sqlite_dir: None,
                })
            }
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if let Some(dir) = self.sqlite_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            // Drop may run inside the runtime: clean up on a thread with its own.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async {
                    if let Ok(mut admin) = sqlx::PgConnection::connect(&pg_admin_url()).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut admin)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// What an in-process app runs with beyond the production defaults. The default is
/// paging off, no alert sources, and no rate tiers in the fake Slack.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// The escalation file's text, loaded as `warroom serve` loads it (paging on);
    /// `None` turns paging off.
    pub escalation_toml: Option<String>,
    /// The alert rules file's text, loaded as `warroom serve` loads it (checked
    /// against the escalation file); `None` leaves both alert routes answering 404.
    pub alert_rules_toml: Option<String>,
    /// Environment variables the files name (routing keys, source tokens), as
    /// `(name, value)`.
    pub env: Vec<(String, String)>,
    /// Whether the fake Slack enforces Slack's per-method rate tiers (off by
    /// default: most scenarios measure Warroom, not the wait for Tier 2).
    pub slack_tiers: bool,
}

/// The app's settings as `warroom serve` would load them with no config file (the
/// production defaults), pointed at `database_url` and a fake Slack, with paging off
/// and no alert sources.
pub fn settings(database_url: &str, slack_api_url: &str) -> anyhow::Result<Settings> {
    settings_with(database_url, slack_api_url, &AppOptions::default())
}

/// [`settings`] with `options`' escalation file, alert rules and variables.
pub fn settings_with(
    database_url: &str,
    slack_api_url: &str,
    options: &AppOptions,
) -> anyhow::Result<Settings> {
    let dir = std::env::temp_dir().join(format!(
        "warroom-bench-cfg-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("default.toml");
    let escalation = dir.join("escalation.toml");
    std::fs::write(&config, "")?;
    let alerts = dir.join("alerts.toml");
    let escalation_text = options.escalation_toml.as_deref().unwrap_or("");
    std::fs::write(&escalation, escalation_text)?;
    // Always a file of our own, so the repository's config/alerts.toml is never read.
    std::fs::write(&alerts, options.alert_rules_toml.as_deref().unwrap_or(""))?;
    let mut vars = vec![
        ("WARROOM_CONFIG", config.display().to_string()),
        (
            "WARROOM_ESCALATION_CONFIG",
            escalation.display().to_string(),
        ),
        ("WARROOM_ALERT_RULES", alerts.display().to_string()),
        ("WARROOM_LISTEN", "127.0.0.1:0".to_string()),
        ("DATABASE_URL", database_url.to_string()),
        ("SLACK_API_URL", slack_api_url.to_string()),
    ];
    vars.extend(options.env.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let env = |k: &str| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.clone())
    };
    let loaded = Settings::load(&config, &env);
    let _ = std::fs::remove_dir_all(&dir);
    let mut settings = loaded.context("loading the bench's settings")?;
    if options.escalation_toml.is_none() {
        settings.paging = PagingSettings::disabled();
    }
    Ok(settings)
}

/// Warroom running in this process against a fake Slack, on `127.0.0.1:0`.
pub struct InProcessApp {
    pub url: String,
    pub slack: FakeSlack,
    pub state: AppState,
    pub db: Db,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl InProcessApp {
    /// Starts the app on `db` with the production defaults, no paging and no rate
    /// tiers in the fake Slack.
    pub async fn start(db: &TempDb, slack: FakeSlack) -> anyhow::Result<InProcessApp> {
        InProcessApp::start_with(db, slack, &AppOptions::default()).await
    }

    /// Starts the app on `db` with `options` (paging, alert rules) over the defaults.
    pub async fn start_with(
        db: &TempDb,
        slack: FakeSlack,
        options: &AppOptions,
    ) -> anyhow::Result<InProcessApp> {
        crate::install_crypto_provider();
        // The scenarios measure Warroom itself with up to a thousand war rooms; Slack's
        // Tier 2 (20 rooms a minute) would make them measure the wait instead, unless
        // the scenario asks for the tiers.
        slack.enforce_tiers(options.slack_tiers);
        let settings = settings_with(&db.url, &slack.api_url(), options)?;
        let secrets = SlackSecrets {
            bot_token: slack.bot_token().into(),
            signing_secret: SIGNING_SECRET.to_string().into(),
            app_token: None,
        };
        let app = Application::build_with_clock(settings, secrets, Clock::new()).await?;
        let url = format!("http://127.0.0.1:{}", app.port());
        let state = app.state().clone();
        let (tx, rx) = oneshot::channel();
        let server = tokio::spawn(app.run_until(async {
            let _ = rx.await;
        }));
        let verify_db = Db::connect(&db.url).await?;
        Ok(InProcessApp {
            url,
            slack,
            state,
            db: verify_db,
            shutdown: Some(tx),
            server: Some(server),
        })
    }

    pub fn slash(&self) -> anyhow::Result<SlashClient> {
        SlashClient::new(&self.url, SIGNING_SECRET, &self.slack.response_url("x"))
    }

    /// Stops the server and its workers.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.db.close().await;
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await??;
        }
        Ok(())
    }
}

/// Declares `n` incidents (`concurrency` at a time), waits for every war room and for
/// the outbox to drain, and returns `(incident id, war-room channel id)` pairs.
pub async fn declare_incidents(
    slash: &SlashClient,
    db: &Db,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<(i64, String)>> {
    let ids: Vec<i64> = futures::stream::iter(0..n)
        .map(|i| async move {
            let user = format!("U0LEAD{:04}", i % 10_000);
            slash
                .declare(&user, &format!("Bench incident {i} checkout errors"))
                .await
                .map(|(id, _)| id)
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let timeout = Duration::from_secs(60 + n as u64 / 5);
    let mut channels = Vec::with_capacity(n);
    for id in ids {
        channels.push((id, db.wait_for_channel(id, timeout).await?));
    }
    let failed = db.wait_outbox_drained(timeout).await?;
    if failed > 0 {
        anyhow::bail!("{failed} outbox items failed while opening the war rooms");
    }
    Ok(channels)
}
