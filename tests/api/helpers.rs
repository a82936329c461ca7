//! `spawn_app`: Warroom on port 0 with a fresh database and a fake Slack (and, for
//! paging, fake PagerDuty, Opsgenie and webhook servers), and a `TestApp` with one
//! method per thing Slack (or a user in Slack) does.

use crate::db::{Backend, TestDb};
use reqwest::StatusCode;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::oneshot;
use warroom::app::Application;
use warroom::clock::Clock;
use warroom::config::escalation::EscalationConfig;
use warroom::config::{OutboxSettings, PagingSettings, Settings, SlackSecrets, SlackSettings};
use warroom::domain::{Incident, TimelineEntry};
use warroom::store::Store;
use warroom_fakes::{
    BOT_APP_ID, FakeOpsgenie, FakePagerDuty, FakeSlack, FakeSlackConfig, FakeWebhook, SlackSigner,
    payloads,
};

pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const PD_WEBHOOK_SECRET: &str = "pd-webhook-secret";
pub const OG_WEBHOOK_TOKEN: &str = "og-webhook-token";

/// The paging providers a paging app talks to.
#[derive(Clone)]
pub struct Pagers {
    pub pagerduty: FakePagerDuty,
    pub opsgenie: FakeOpsgenie,
    pub webhook: FakeWebhook,
}

pub struct TestApp {
    pub address: String,
    pub slack: FakeSlack,
    /// Started with an app token: it holds a Socket Mode connection.
    pub socket_mode: bool,
    pub pagers: Option<Pagers>,
    pub signer: SlackSigner,
    pub store: Store,
    pub clock: Clock,
    pub state: warroom::state::AppState,
    db: Arc<TestDb>,
    settings: Settings,
    http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    counter: Arc<AtomicU64>,
    /// Seconds part of the `ts` this app's fake users write at.
    ts_base: i64,
}

/// A killed app, whose database and fakes live on for its successor.
pub struct Stopped {
    app: TestApp,
}

impl Stopped {
    pub fn clock(&self) -> &Clock {
        &self.app.clock
    }

    /// The fake Slack, which goes on without the bot.
    pub fn slack(&self) -> &FakeSlack {
        &self.app.slack
    }

    /// A new process on the same database, fakes and clock.
    pub async fn start(self) -> TestApp {
        self.app.replica().await
    }
}

pub struct Declared {
    pub incident_id: i64,
    pub channel: String,
}

/// The bot scopes our app manifests grant: the fake Slack grants exactly these, so a
/// scope missing from a manifest fails a test instead of failing in production.
pub fn manifest(socket_mode: bool) -> &'static str {
    if socket_mode {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/slack-app-manifest.socket-mode.yml"
        )
    } else {
        concat!(env!("CARGO_MANIFEST_DIR"), "/slack-app-manifest.yml")
    }
}

/// A fake Slack granting the scopes of the (HTTP or Socket Mode) manifest.
pub async fn fake_slack(socket_mode: bool) -> FakeSlack {
    let config = FakeSlackConfig::with_manifest(std::path::Path::new(manifest(socket_mode)))
        .unwrap_or_else(|e| panic!("read the app manifest: {e}"));
    FakeSlack::start_with(config).await
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_, _| {}).await
}

/// `adjust` may change settings and seed the fake Slack before the app starts.
pub async fn spawn_app_with(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings, &FakeSlack),
) -> TestApp {
    warroom::telemetry::init_for_tests();
    warroom::tls::install_crypto_provider();
    let slack = fake_slack(false).await;
    let db = Arc::new(TestDb::new(backend).await);
    let mut settings = base_settings(&db, &slack);
    adjust(&mut settings, &slack);
    start(db, slack, None, settings, Clock::new(), false).await
}

/// An app on a manual clock standing at `now`; `adjust` may change the settings and
/// seed the fake Slack before the app starts.
pub async fn spawn_app_at(
    backend: Backend,
    now: chrono::DateTime<chrono::Utc>,
    adjust: impl FnOnce(&mut Settings, &FakeSlack),
) -> TestApp {
    warroom::telemetry::init_for_tests();
    warroom::tls::install_crypto_provider();
    let slack = fake_slack(false).await;
    let db = Arc::new(TestDb::new(backend).await);
    let mut settings = base_settings(&db, &slack);
    adjust(&mut settings, &slack);
    start(db, slack, None, settings, Clock::manual(now), false).await
}

/// An app with the escalation config in `escalation_toml` (`{pagerduty}`,
/// `{opsgenie}` and `{webhook}` stand for the fakes' URLs), on a manual clock.
pub async fn spawn_paging_app(backend: Backend, escalation_toml: &str) -> TestApp {
    spawn_paging_app_at(backend, escalation_toml, chrono::Utc::now()).await
}

/// [`spawn_paging_app`] with its manual clock standing at `now`.
pub async fn spawn_paging_app_at(
    backend: Backend,
    escalation_toml: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> TestApp {
    spawn_paging_app_with(backend, escalation_toml, now, |_, _, _| {}).await
}

/// [`spawn_paging_app_at`], where `adjust` may change the settings (given the loaded
/// escalation config) and seed the fake Slack before the app starts.
pub async fn spawn_paging_app_with(
    backend: Backend,
    escalation_toml: &str,
    now: chrono::DateTime<chrono::Utc>,
    adjust: impl FnOnce(&mut Settings, &EscalationConfig, &FakeSlack),
) -> TestApp {
    warroom::telemetry::init_for_tests();
    warroom::tls::install_crypto_provider();
    let slack = fake_slack(false).await;
    let pagers = Pagers {
        pagerduty: FakePagerDuty::start().await,
        opsgenie: FakeOpsgenie::start().await,
        webhook: FakeWebhook::start().await,
    };
    let toml = escalation_toml
        .replace("{pagerduty}", &pagers.pagerduty.url())
        .replace("{opsgenie}", &pagers.opsgenie.url())
        .replace("{webhook}", &pagers.webhook.base_url());
    let env = |k: &str| match k {
        "TEST_PD_KEY" => Some(warroom_fakes::pagerduty::TEST_ROUTING_KEY.to_string()),
        "TEST_OG_KEY" => Some(warroom_fakes::opsgenie::DEFAULT_API_KEY.to_string()),
        _ => None,
    };
    let escalation = EscalationConfig::parse(&toml, Path::new("test-escalation.toml"), &env)
        .expect("test escalation config is valid");
    let db = Arc::new(TestDb::new(backend).await);
    let mut settings = base_settings(&db, &slack);
    settings.paging = PagingSettings {
        escalation: Arc::new(escalation),
        pagerduty_webhook_secret: Some(PD_WEBHOOK_SECRET.to_string().into()),
        opsgenie_webhook_token: Some(OG_WEBHOOK_TOKEN.to_string().into()),
    };
    let escalation = settings.paging.escalation.clone();
    adjust(&mut settings, &escalation, &slack);
    start(db, slack, Some(pagers), settings, Clock::manual(now), false).await
}

/// How to start an app for the fault tests.
pub struct Opts {
    pub backend: Backend,
    /// Connect over Socket Mode (the HTTP routes stay up too).
    pub socket_mode: bool,
    /// A manual clock standing at this time; `None` for the system clock.
    pub clock_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn spawn_app_opts(opts: Opts) -> TestApp {
    warroom::telemetry::init_for_tests();
    warroom::tls::install_crypto_provider();
    let slack = fake_slack(opts.socket_mode).await;
    let db = Arc::new(TestDb::new(opts.backend).await);
    let settings = base_settings(&db, &slack);
    let clock = opts.clock_at.map(Clock::manual).unwrap_or_default();
    let mut app = start(db, slack, None, settings, clock, opts.socket_mode).await;
    if opts.socket_mode {
        app.slack.wait_for_socket().await;
    }
    app.socket_mode = opts.socket_mode;
    app
}

fn base_settings(db: &TestDb, slack: &FakeSlack) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: db.url.clone(),
        retention_days: 7,
        slack: SlackSettings {
            api_url: slack.api_url(),
            announcements_channel: None,
            private_channels: false,
            history_pace_ms: 0,
            // Short, so a test of a call that hangs does not wait out the real 15 s.
            call_timeout_ms: 2000,
        },
        // Quick retries, so a test of a Slack outage does not wait out real backoff.
        outbox: OutboxSettings {
            poll_interval_ms: 50,
            give_up_after_secs: 3600,
            retry_base_ms: 100,
            retry_cap_ms: 2000,
            lease_secs: 15,
        },
        paging: PagingSettings::disabled(),
        postmortem: Default::default(),
        alerts: Default::default(),
        metrics: Default::default(),
        dashboard: Default::default(),
        // Off, so other tests' timelines hold no nudges; tests/api/nudges turns them on.
        nudges: warroom::config::NudgeSettings::disabled(),
        updates: Default::default(),
        statuspage: None,
        drills: Default::default(),
        fallback: Default::default(),
    }
}

async fn start(
    db: Arc<TestDb>,
    slack: FakeSlack,
    pagers: Option<Pagers>,
    settings: Settings,
    clock: Clock,
    socket_mode: bool,
) -> TestApp {
    let secrets = SlackSecrets {
        bot_token: slack.bot_token().into(),
        signing_secret: SIGNING_SECRET.to_string().into(),
        app_token: socket_mode.then(|| slack.app_token().into()),
    };
    let app = Application::build_with_clock(settings.clone(), secrets, clock.clone())
        .await
        .expect("app builds");
    let port = app.port();
    let state = app.state().clone();
    let (tx, rx) = oneshot::channel();
    let server = tokio::spawn(async move {
        app.run_until(async {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        slack,
        socket_mode,
        pagers,
        signer: SlackSigner::new(SIGNING_SECRET),
        store: state.store.clone(),
        clock,
        state,
        db,
        settings,
        http: reqwest::Client::new(),
        shutdown: Some(tx),
        server: Some(server),
        counter: Arc::new(AtomicU64::new(0)),
        ts_base: chrono::Utc::now().timestamp(),
    }
}

impl TestApp {
    /// Another replica: same database, same fakes, same clock.
    pub async fn replica(&self) -> TestApp {
        let mut other = start(
            self.db.clone(),
            self.slack.clone(),
            self.pagers.clone(),
            self.settings.clone(),
            self.clock.clone(),
            self.socket_mode,
        )
        .await;
        other.counter = self.counter.clone();
        other.ts_base = self.ts_base;
        other
    }

    /// Kills the process without a goodbye: nothing in flight finishes.
    pub async fn kill(mut self) -> Stopped {
        if let Some(server) = self.server.take() {
            server.abort();
            let _ = server.await;
        }
        Stopped { app: self }
    }

    pub fn pagers(&self) -> &Pagers {
        self.pagers.as_ref().expect("spawned with spawn_paging_app")
    }

    /// Moves the (manual) clock on and lets the escalation and timer workers look at
    /// once.
    pub async fn advance(&self, by: std::time::Duration) {
        self.clock.advance(by);
        self.state.wake_escalations();
        self.state.wake_timers();
        // Let the worker take what is due before the test looks.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        self.outbox_drained().await;
    }

    pub fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// A fresh message ts, later than every earlier one.
    pub fn next_ts(&self) -> String {
        format!("{}.{:06}", self.ts_base + self.next() as i64, 0)
    }

    /// POSTs `body` to `path`, signed now, as Slack would.
    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}{path}", self.address))
            .header("content-type", content_type);
        for (k, v) in self.signer.headers_now(body) {
            req = req.header(k, v);
        }
        req.body(body.to_string())
            .send()
            .await
            .expect("request reaches the app")
    }

    /// POSTs to `path` with the given headers, unsigned by Slack (provider webhooks).
    pub async fn post_raw(
        &self,
        path: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(format!("{}{path}", self.address))
            .header("content-type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req.body(body.to_string())
            .send()
            .await
            .expect("request reaches the app")
    }

    /// Runs `/incident <text>` as `user` in `channel`; returns the HTTP status and
    /// the JSON answer (`Null` for an empty body).
    pub async fn command(&self, user: &str, channel: &str, text: &str) -> (StatusCode, Value) {
        let n = self.next();
        let form = payloads::slash_command_form(
            &format!("/incident {text}"),
            channel,
            user,
            &user.to_lowercase(),
            &self.slack.response_url(&format!("cmd{n}")),
            &payloads::trigger_id(n),
        );
        let res = self
            .post_signed(
                "/slack/commands",
                "application/x-www-form-urlencoded",
                &form,
            )
            .await;
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        (status, serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    /// Runs a slash command over whichever transport the app uses (Socket Mode: the
    /// reply rides in the envelope's ack); returns the reply's text.
    pub async fn command_text(&self, user: &str, channel: &str, text: &str) -> String {
        if self.socket_mode {
            let cmd = payloads::SlashCommand::new(
                &format!("/incident {text}"),
                channel,
                user,
                &user.to_lowercase(),
                "",
                "",
            );
            let id = self.slack.push_slash_command(&cmd);
            let ack = self.slack.wait_for_ack(&id).await;
            return ack
                .payload
                .and_then(|p| p["text"].as_str().map(str::to_string))
                .unwrap_or_default();
        }
        let (status, body) = self.command(user, channel, text).await;
        assert_eq!(status, StatusCode::OK, "/incident {text}");
        body["text"].as_str().unwrap_or_default().to_string()
    }

    /// Delivers a message event over whichever transport the app uses, and waits for
    /// the app to take it (HTTP 200, or the envelope's ack).
    pub async fn deliver(&self, event_id: &str, event: Value) {
        if self.socket_mode {
            let mut callback = payloads::event_callback(event_id, event);
            callback["api_app_id"] = Value::String(BOT_APP_ID.into());
            let id = self.slack.push_event(callback);
            self.slack.wait_for_ack(&id).await;
        } else {
            assert_eq!(self.event(event_id, event).await, StatusCode::OK);
        }
    }

    /// The text of an ephemeral answer, failing the test on any other answer.
    pub async fn ephemeral(&self, user: &str, channel: &str, text: &str) -> String {
        let (status, json) = self.command(user, channel, text).await;
        assert_eq!(status, StatusCode::OK, "`/incident {text}`");
        assert_eq!(
            json["response_type"], "ephemeral",
            "`/incident {text}` answered {json}"
        );
        json["text"].as_str().unwrap_or_default().to_string()
    }

    /// Declares an incident and waits until its war room exists with the summary pinned.
    pub async fn declare(&self, user: &str, args: &str) -> Declared {
        let answer = self
            .ephemeral(user, "C0INCIDENTS", &format!("declare {args}"))
            .await;
        assert!(answer.contains("Declared incident"), "{answer}");
        let incident_id: i64 = answer
            .split("incident #")
            .nth(1)
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .expect("the answer names the incident number");
        let channel = self.war_room_of(incident_id).await;
        Declared {
            incident_id,
            channel,
        }
    }

    /// Waits for an incident's war room to exist with its summary pinned.
    pub async fn war_room_of(&self, incident_id: i64) -> String {
        for _ in 0..1500 {
            if let Some(c) = self.incident(incident_id).await.channel_id
                && !self.slack.pins_in(&c).is_empty()
            {
                return c;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("incident #{incident_id}'s war room never opened with its summary pinned");
    }

    pub async fn event(&self, event_id: &str, event: Value) -> StatusCode {
        if let Err(why) = self.slack.check_delivery(&event) {
            panic!("Slack would not deliver this event: {why}");
        }
        let mut envelope = payloads::event_callback(event_id, event);
        envelope["api_app_id"] = Value::String(BOT_APP_ID.into());
        self.post_signed("/slack/events", "application/json", &envelope.to_string())
            .await
            .status()
    }

    /// `user` writes `text` in `channel`; returns the message ts.
    pub async fn say(&self, channel: &str, user: &str, text: &str) -> String {
        let ts = self.next_ts();
        let id = format!("Ev{}", self.next());
        assert_eq!(
            self.event(&id, payloads::message(channel, user, text, &ts))
                .await,
            StatusCode::OK
        );
        ts
    }

    pub async fn reply(&self, channel: &str, user: &str, text: &str, thread_ts: &str) -> String {
        let ts = self.next_ts();
        let id = format!("Ev{}", self.next());
        let event = payloads::thread_reply(channel, user, text, &ts, thread_ts);
        assert_eq!(self.event(&id, event).await, StatusCode::OK);
        ts
    }

    pub async fn edit(&self, channel: &str, user: &str, ts: &str, previous: &str, new_text: &str) {
        let edit_ts = self.next_ts();
        let id = format!("Ev{}", self.next());
        let event = payloads::message_changed(channel, ts, new_text, user, &edit_ts, previous);
        assert_eq!(self.event(&id, event).await, StatusCode::OK);
    }

    pub async fn delete(&self, channel: &str, user: &str, ts: &str, previous: &str) {
        let id = format!("Ev{}", self.next());
        let event = payloads::message_deleted(channel, ts, previous, user);
        assert_eq!(self.event(&id, event).await, StatusCode::OK);
    }

    pub async fn share_file(&self, channel: &str, user: &str, text: &str, name: &str) -> String {
        let ts = self.next_ts();
        let n = self.next();
        let event = payloads::file_share(
            channel,
            user,
            text,
            &ts,
            &format!("F{n:08}"),
            name,
            "image/png",
        );
        assert_eq!(self.event(&format!("Ev{n}"), event).await, StatusCode::OK);
        ts
    }

    /// Clicks the Acknowledge button of a page DM as `user`.
    pub async fn click_ack(&self, user: &str, page_id: i64) -> StatusCode {
        let n = self.next();
        let payload = serde_json::json!({
            "type": "block_actions",
            "user": {"id": user, "username": user.to_lowercase(), "team_id": warroom_fakes::TEAM_ID},
            "api_app_id": BOT_APP_ID,
            "trigger_id": payloads::trigger_id(n),
            "response_url": self.slack.response_url(&format!("ack{n}")),
            "container": {"type": "message", "is_ephemeral": false},
            "actions": [{"action_id": "warroom_ack", "block_id": "page", "type": "button", "value": page_id.to_string(),
                         "text": {"type": "plain_text", "text": "Acknowledge"}, "action_ts": self.next_ts()}]
        });
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            &form,
        )
        .await
        .status()
    }

    pub async fn newest_open_incident(&self) -> i64 {
        let mut tx = self.store.read().await.unwrap();
        let n = tx
            .open_incidents()
            .await
            .unwrap()
            .iter()
            .map(|i| i.id)
            .max()
            .unwrap_or(0);
        tx.commit().await.unwrap();
        n
    }

    pub async fn incident(&self, id: i64) -> Incident {
        let mut tx = self.store.read().await.unwrap();
        let i = tx.incident(id).await.unwrap().expect("incident exists");
        tx.commit().await.unwrap();
        i
    }

    pub async fn entries(&self, id: i64) -> Vec<TimelineEntry> {
        let mut tx = self.store.read().await.unwrap();
        let e = tx.entries(id).await.unwrap();
        tx.commit().await.unwrap();
        e
    }

    pub async fn pages(&self, id: i64) -> Vec<warroom::store::PageRecord> {
        let mut tx = self.store.read().await.unwrap();
        let p = tx.pages(id).await.unwrap();
        tx.commit().await.unwrap();
        p
    }

    /// Waits until the outbox has nothing pending or in flight that is due.
    pub async fn outbox_drained(&self) {
        for _ in 0..1000 {
            let b = self.store.outbox_backlog().await.unwrap();
            if b.pending == 0 && b.in_flight == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!(
            "outbox never drained: {:?}",
            self.store.outbox_backlog().await.unwrap()
        );
    }

    /// Stops the server and its workers.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

/// `[fallback.irc]` for a test server on 127.0.0.1:`port`, as the nick `warroom`,
/// with `nicks` (Slack user, nick) mapped, and quick looks and a short lease so a
/// test does not wait out production's seconds.
pub fn irc_fallback(port: u16, nicks: &[(&str, &str)]) -> warroom::config::IrcFallbackSettings {
    let mut irc = warroom::config::IrcFallbackSettings::new("127.0.0.1", port, "warroom");
    irc.poll_interval = std::time::Duration::from_millis(200);
    irc.lease = std::time::Duration::from_secs(3);
    for (user, nick) in nicks {
        irc.nicks.insert(user.to_string(), nick.to_string());
    }
    irc
}
