//! A Warroom connected to the test IRC server, an incident declared in Slack, and
//! its fallback room opened straight through the store (opening it is the
//! lifecycle's business, tested elsewhere).

use super::IrcServer;
use crate::db::Backend;
use crate::helpers::{TestApp, irc_fallback, spawn_app_with};
use std::time::Duration;
use warroom::config::IrcFallbackSettings;
use warroom::domain::{EntrySource, TimelineEntry};
use warroom::store::FallbackReason;

pub const ALICE: &str = "U0ALICE";

pub struct Fallback {
    pub app: TestApp,
    pub id: i64,
    /// The IRC channel.
    pub channel: String,
}

/// Warroom on `server` with alice mapped (`adjust` changes the IRC settings), and
/// an incident declared by alice.
pub async fn warroom_on(
    backend: Backend,
    server: &IrcServer,
    adjust: impl FnOnce(&mut IrcFallbackSettings),
) -> Fallback {
    let mut irc = irc_fallback(server.port, &[(ALICE, "alice")]);
    adjust(&mut irc);
    let channel_of = irc.clone();
    let app = spawn_app_with(backend, move |s, _| s.fallback.irc = Some(irc)).await;
    let id = app
        .declare(ALICE, "Checkout is down sev2")
        .await
        .incident_id;
    Fallback {
        channel: channel_of.channel_of(id),
        app,
        id,
    }
}

impl Fallback {
    /// Opens the incident's fallback room and wakes the IRC connection.
    pub async fn open_room(&self) {
        let now = self.app.clock.now();
        let mut tx = self.app.store.begin().await.unwrap();
        tx.open_fallback_room(self.id, &self.channel, FallbackReason::Cli, None, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        self.app.state.wake_fallback();
    }
}

/// The incident's entries said on IRC.
pub async fn irc_entries(app: &TestApp, id: i64) -> Vec<TimelineEntry> {
    app.entries(id)
        .await
        .into_iter()
        .filter(|e| e.source == EntrySource::Irc)
        .collect()
}

/// Waits (10 s at most) until the incident has `n` entries said on IRC; returns them.
pub async fn wait_for_irc_entries(app: &TestApp, id: i64, n: usize) -> Vec<TimelineEntry> {
    for _ in 0..100 {
        let entries = irc_entries(app, id).await;
        if entries.len() >= n {
            return entries;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "expected {n} IRC entries, have {:?}",
        irc_entries(app, id).await
    );
}
