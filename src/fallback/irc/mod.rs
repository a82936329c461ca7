//! The IRC transport of the fallback war room: one connection, held by one replica
//! (the `fallback_lease` row; the holder renews it every third of its length, and
//! another replica takes over once it has run out), made with the `irc` crate.
//! [`session`] is one connection's life; this worker takes the lease, connects, and
//! connects again with a growing wait when the server goes away.
//!
//! - [`connect`]: the crate's configuration (nick, alternative nicks, password);
//! - [`caps`]: the IRCv3 capabilities asked for while registering (`server-time`,
//!   `message-tags`), only when the server offers them;
//! - [`brief`]: the channel topic and the brief said on arrival;
//! - [`capture`]: a line said, as it goes into the timeline, with its key;
//! - [`writer`]: the task beside the read loop that stores lines in order;
//! - [`commands`]: `!` lines through the same command handlers as Slack's;
//! - [`plain`]: Warroom's Slack text as IRC plain text.
//!
//! The lease's times are the system clock's, not [`crate::clock`]'s: they are about
//! which process is alive, and a test's manual clock must not stop them.

pub mod brief;
pub mod caps;
pub mod capture;
pub mod commands;
pub mod connect;
pub mod plain;
mod session;
pub mod supervise;
pub mod writer;

use crate::config::IrcFallbackSettings;
use crate::state::AppState;
use chrono::Utc;
use session::Ended;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The supervised task that holds the IRC connection while this replica has the lease.
#[derive(Clone)]
pub struct IrcWorker {
    state: AppState,
    settings: Arc<IrcFallbackSettings>,
    /// This process's name in the lease.
    holder: String,
}

impl IrcWorker {
    /// `None` when no IRC server is configured.
    pub fn new(state: &AppState) -> Option<IrcWorker> {
        let settings = state.settings.fallback.irc.clone()?;
        Some(IrcWorker {
            state: state.clone(),
            settings: Arc::new(settings),
            holder: format!("warroom-{}", uuid::Uuid::new_v4().simple()),
        })
    }

    /// Until `stop`: takes the lease, holds the connection, and makes it again when
    /// it drops. When stopping, stores the lines still queued, then gives the lease
    /// back.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        // One writer for every connection: lines read just before a drop are still
        // stored, in order, after it.
        let store_lines = writer::start(self.state.clone());
        let mut backoff = FIRST_BACKOFF;
        loop {
            if *stop.borrow() {
                break;
            }
            match self.renew().await {
                Ok(true) => {}
                Ok(false) => {
                    if self.pause(&mut stop, self.settings.lease / 3).await {
                        break;
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot take the IRC lease");
                    if self.pause(&mut stop, self.settings.poll_interval).await {
                        break;
                    }
                    continue;
                }
            }
            let wait = match session::run(&self, &store_lines.lines, &mut stop).await {
                Ended::Stopped => break,
                Ended::LostLease => {
                    tracing::info!("another replica holds the IRC connection now");
                    self.settings.poll_interval
                }
                Ended::Dropped { welcomed, why } => {
                    if welcomed {
                        backoff = FIRST_BACKOFF;
                    }
                    tracing::warn!(
                        server = %format!("{}:{}", self.settings.host, self.settings.port),
                        why = %why,
                        retry_in_ms = backoff.as_millis() as u64,
                        "the IRC connection dropped"
                    );
                    let wait = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    wait
                }
            };
            if self.pause(&mut stop, wait).await {
                break;
            }
        }
        store_lines.flush(writer::FLUSH_LIMIT).await;
        let released = async {
            let mut tx = self.state.store.begin().await?;
            tx.release_fallback_lease(&self.holder).await?;
            tx.commit().await
        };
        if let Err(e) = released.await {
            tracing::warn!(error = %e, "the IRC lease was not given back; it will run out");
        }
    }

    /// Takes or renews the lease; `Ok(false)` when another replica holds it.
    async fn renew(&self) -> Result<bool, crate::store::StoreError> {
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(self.settings.lease).unwrap_or_default();
        let mut tx = self.state.store.begin().await?;
        let got = tx.take_fallback_lease(&self.holder, now, until).await?;
        tx.commit().await?;
        Ok(got)
    }

    /// Waits `wait`, or until stopped (`true`) or woken.
    async fn pause(&self, stop: &mut watch::Receiver<bool>, wait: Duration) -> bool {
        let wake = self.state.fallback_waker();
        tokio::select! {
            _ = stop.changed() => true,
            _ = tokio::time::sleep(wait) => *stop.borrow(),
            _ = wake.notified() => *stop.borrow(),
        }
    }
}
