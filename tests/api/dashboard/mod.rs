//! The web dashboard, as a person (or a browser) uses it: `spawn_dashboard` runs
//! `warroom dashboard`'s server on port 0 against a fresh database on a manual clock,
//! and the seed helpers store incidents the way Warroom would. Every page is checked
//! by its content, on SQLite and PostgreSQL.

mod auth;
mod cli;
mod incident;
mod list;
mod report;
mod safety;
mod slack_sign_in;
mod trends;

use crate::db::{Backend, TestDb};
use chrono::{DateTime, TimeDelta, Utc};
use std::path::Path;
use warroom::clock::Clock;
use warroom::config::Settings;
use warroom::domain::{Declaration, Incident, IncidentTitle, Severity, Status, TimelineEntry};
use warroom::store::{MessageWrite, Store};
use warroom::web::DashboardServer;

/// A dashboard token long enough to be accepted.
pub const TOKEN: &str = "dashboard-token-for-tests-0123456789";

/// The manual clock's "now": a Wednesday.
pub fn now() -> DateTime<Utc> {
    at("2026-11-18T09:00:00Z")
}

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub struct Dash {
    pub address: String,
    pub store: Store,
    pub clock: Clock,
    pub http: reqwest::Client,
    _db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Settings as the shipped defaults make them, on `db`.
pub fn settings_for(db: &TestDb) -> Settings {
    let url = db.url.clone();
    Settings::load(Path::new("/nonexistent/default.toml"), &move |k| {
        (k == "DATABASE_URL").then(|| url.clone())
    })
    .expect("default settings load")
}

/// The dashboard alone on 127.0.0.1:0 (open, unless `adjust` sets a token).
pub async fn spawn_dashboard(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Dash {
    warroom::telemetry::init_for_tests();
    let db = TestDb::new(backend).await;
    let mut settings = settings_for(&db);
    adjust(&mut settings);
    let clock = Clock::manual(now());
    let server = DashboardServer::build(settings, "127.0.0.1:0".parse().unwrap(), clock.clone())
        .await
        .expect("the dashboard starts");
    let address = format!("http://127.0.0.1:{}", server.port());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = server
            .run_until(async {
                let _ = rx.await;
            })
            .await;
    });
    Dash {
        address,
        store: db.store().await,
        clock,
        http: client(),
        _db: db,
        shutdown: Some(tx),
    }
}

/// A client that shows redirects instead of following them, and keeps no cookies.
pub fn client() -> reqwest::Client {
    warroom::tls::install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Protected by [`TOKEN`].
pub fn with_token(s: &mut Settings) {
    s.dashboard.token = Some(TOKEN.to_string().into());
    s.dashboard.token_env = Some("WARROOM_TEST_DASHBOARD_TOKEN".into());
}

impl Drop for Dash {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Dash {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GETs `path` as a browser would (asking for HTML); the status and the body.
    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, String) {
        let res = self.browse(path, &[]).await;
        let status = res.status();
        (status, res.text().await.unwrap())
    }

    /// GETs `path` as a browser, with extra headers.
    pub async fn browse(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self
            .http
            .get(self.url(path))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("the dashboard answers")
    }

    /// GETs a page that must answer 200; its body.
    pub async fn page(&self, path: &str) -> String {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// An incident to seed.
pub struct Seed {
    pub title: &'static str,
    pub severity: u8,
    pub status: Status,
    pub declared_at: DateTime<Utc>,
    /// Seconds after the declare.
    pub resolved_after: Option<i64>,
    pub private: bool,
}

impl Seed {
    pub fn new(title: &'static str, severity: u8, declared_at: &str) -> Self {
        Seed {
            title,
            severity,
            status: Status::Investigating,
            declared_at: at(declared_at),
            resolved_after: None,
            private: false,
        }
    }
}

/// Stores an incident as a declare would; returns its id.
pub async fn seed(store: &Store, s: Seed) -> i64 {
    let (mut incident, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse(s.title).unwrap(),
        severity: Severity::from_level(i64::from(s.severity)).unwrap(),
        service: Some("checkout".into()),
        summary: None,
        declared_by: "U0DECLARER".into(),
        declared_at: s.declared_at,
    });
    incident.status = s.status;
    incident.resolved_at = s
        .resolved_after
        .map(|secs| s.declared_at + TimeDelta::seconds(secs));
    if s.status == Status::Closed {
        incident.closed_at = incident.resolved_at.or(Some(s.declared_at));
    }
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_incident_as(&incident, s.private).await.unwrap();
    tx.set_channel(id, &format!("C0INC{id:05}"), &format!("inc-{id}"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

/// Stores `n` war-room messages, one a second from `from`, texts `"{prefix} {i}"`.
pub async fn seed_messages(store: &Store, id: i64, from: DateTime<Utc>, n: usize, prefix: &str) {
    let channel = format!("C0INC{id:05}");
    let mut tx = store.begin().await.unwrap();
    for i in 1..=n {
        let when = from + TimeDelta::seconds(i as i64);
        let ts = format!("{}.{:06}", when.timestamp(), i);
        let text = format!("{prefix} {i}");
        tx.insert_message(&MessageWrite {
            incident_id: id,
            channel_id: &channel,
            ts: &ts,
            thread_ts: None,
            author_id: Some("U0RESPONDER"),
            text: &text,
            files: &[],
            at: when,
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Stores a system entry (`status`, `note`, …).
pub async fn seed_system(store: &Store, id: i64, at: DateTime<Utc>, event: &str, text: &str) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_system_entry(&TimelineEntry::system(
        id,
        at,
        event,
        Some("U0DECLARER"),
        text.to_string(),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The `href`s of links of class `class` (HTML entities undone).
pub fn links(html: &str, class: &str) -> Vec<String> {
    let marker = format!("class=\"{class}\"");
    html.match_indices(&marker)
        .filter_map(|(i, _)| {
            let rest = &html[i..];
            let start = rest.find("href=\"")? + 6;
            let end = rest[start..].find('"')? + start;
            Some(unescape(&rest[start..end]))
        })
        .collect()
}

/// The one link of class `class`, if any.
pub fn link(html: &str, class: &str) -> Option<String> {
    let found = links(html, class);
    assert!(found.len() <= 2, "{class}: {found:?}");
    found.into_iter().next()
}

pub fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// The values of attribute `attr` on each element whose opening tag contains `marker`.
pub fn attrs(html: &str, marker: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    html.match_indices(marker)
        .filter_map(|(i, _)| {
            let tag_start = html[..i].rfind('<')?;
            let tag_end = i + html[i..].find('>')?;
            let tag = &html[tag_start..tag_end];
            let start = tag.find(&needle)? + needle.len();
            let end = tag[start..].find('"')? + start;
            Some(unescape(&tag[start..end]))
        })
        .collect()
}
