//! The lifecycle of the fallback war room on IRC (issue 17), around the rooms: opening
//! and closing by command and on the command line, closing with the incident, Slack's
//! health and the automatic opening, the notice once Slack is back, pages that point
//! to IRC, and the postmortem with both sources. The IRC transport's tests are in
//! `irc/`.

mod auto_open;
mod cli;
mod commands;
mod dashboard;
mod pages;
mod postmortem;

use crate::helpers::TestApp;
use chrono::{DateTime, Utc};
use warroom::config::{IrcFallbackSettings, Settings};
use warroom::domain::{Declaration, Incident, IncidentTitle, Severity};
use warroom::store::Store;

/// A SEV2 incident "Checkout down" declared at `at`, stored; its id.
pub async fn stored_incident(store: &Store, at: DateTime<Utc>) -> i64 {
    let (incident, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse("Checkout down").unwrap(),
        severity: Severity::SEV2,
        service: None,
        summary: None,
        declared_by: "U0ALICE".into(),
        declared_at: at,
    });
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_incident(&incident).await.unwrap();
    tx.commit().await.unwrap();
    id
}

/// Slack messages in `channel` that say Slack is back.
pub fn back_notices(app: &TestApp, channel: &str) -> Vec<String> {
    app.slack
        .messages_in(channel)
        .into_iter()
        .map(|m| m.text)
        .filter(|t| t.contains("Slack is back"))
        .collect()
}

/// `[fallback.irc]` as a team would set it (the server is never contacted here).
pub fn irc_settings(settings: &mut Settings) {
    // The server is never reached: the IRC connection retries in the background.
    let mut irc = IrcFallbackSettings::new("irc.example.org", 6667, "warroom");
    irc.nicks = [("U0ALICE".to_string(), "alice".to_string())].into();
    settings.fallback.irc = Some(irc);
}

/// Stores one timeline message in plain SQL, as the IRC side (`source = 'irc'`, with
/// its nick) or Slack's timeline writer would: the tests own no store writer.
pub async fn message(
    store: &Store,
    incident_id: i64,
    at: DateTime<Utc>,
    irc_nick: Option<&str>,
    author: Option<&str>,
    text: &str,
) {
    let sql = "INSERT INTO timeline_entries \
        (incident_id, at, kind, author_id, text, channel_id, ts, source, author_nick) \
        VALUES ($1, $2, 'message', $3, $4, $5, $6, $7, $8)";
    let (channel, source) = match irc_nick {
        Some(_) => (format!("irc:#warroom-inc-{incident_id}"), "irc"),
        None => ("C0WARROOM1".to_string(), "slack"),
    };
    let ts = format!("{}.{:06}", at.timestamp(), at.timestamp_subsec_micros());
    macro_rules! run {
        ($pool:expr) => {
            sqlx::query(sql)
                .bind(incident_id)
                .bind(at)
                .bind(author)
                .bind(text)
                .bind(&channel)
                .bind(&ts)
                .bind(source)
                .bind(irc_nick)
                .execute($pool)
                .await
                .expect("the entry is stored")
        };
    }
    match store {
        Store::Sqlite(pool, _) => {
            run!(pool);
        }
        Store::Postgres(pool) => {
            run!(pool);
        }
    }
}

/// A line said on IRC by `nick` (mapped to the Slack user `author`, or not).
pub async fn irc_line(
    store: &Store,
    incident_id: i64,
    at: DateTime<Utc>,
    author: Option<&str>,
    nick: &str,
    text: &str,
) {
    message(store, incident_id, at, Some(nick), author, text).await;
}
