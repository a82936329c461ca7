//! The fallback watch: a supervised worker that reads Slack's health
//! ([`crate::slack::health`]) and acts on it, when `[fallback.irc]` is set.
//!
//! Only real incidents still being worked get a room by themselves (see
//! [`opens_when_slack_is_down`]): not drills, not resolved incidents waiting to be
//! closed. Opening by hand is open to any incident that is not closed.
//!
//! - While such an incident is open and no call has told for `fallback.probe_every`
//!   whether Slack answers, it asks Slack (`auth.test`: no scope, a special rate limit
//!   of hundreds a minute, and documented for testing whether the API works), so
//!   both a failure and a recovery are noticed with nobody writing.
//! - Once every call has failed for `fallback.after` while such incidents are open,
//!   it opens a fallback room for each (reason `slack_down`; the store makes a second
//!   replica's opening a no-op) and marks rooms already open as used while Slack was
//!   down.
//! - Once Slack answers again, each room marked so gets one notice in its Slack war
//!   room, through the outbox: that the fallback was used, how many lines were said
//!   on IRC meanwhile, and where the timeline shows them. Clearing the mark and
//!   queueing the notice are one transaction, and the mark is cleared only if it is
//!   still the one read, so two replicas tell it once.

use crate::commands::fallback::{Outcome, open_room, opens_when_slack_is_down};
use crate::error::AppError;
use crate::outbox::{self, Op};
use crate::state::AppState;
use crate::store::{FallbackReason, FallbackRoom};
use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// The worker; one per process.
#[derive(Clone)]
pub struct Watch {
    pub state: AppState,
}

impl Watch {
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let wake = self.state.fallback_watch_waker();
        loop {
            if *shutdown.borrow() {
                return;
            }
            if let Err(e) = self.tick().await {
                tracing::error!(error = %e, "the fallback watch failed to look at Slack's health");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.state.settings.fallback.probe_every) => {}
                _ = wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// One look: probe if idle, open rooms if Slack is down, tell war rooms if it is
    /// back. Does nothing without `[fallback.irc]`.
    pub async fn tick(&self) -> Result<(), AppError> {
        let settings = &self.state.settings.fallback;
        if settings.irc.is_none() {
            return Ok(());
        }
        let open = {
            let mut tx = self.state.store.read().await?;
            let open = tx.open_incidents().await?;
            tx.commit().await?;
            open.into_iter()
                .filter(opens_when_slack_is_down)
                .collect::<Vec<_>>()
        };
        let health = self.state.slack.health();
        if !open.is_empty() && health.view().idle_for(settings.probe_every) {
            // The outcome is what matters, and the client records it.
            let _ = self.state.slack.identity().await;
        }
        let view = health.view();
        if view.is_down(settings.after)
            && let Some(since) = view.failing_since
        {
            self.on_down(&open, since).await?;
        } else if view.is_up() {
            self.on_back().await?;
        }
        Ok(())
    }

    async fn on_down(
        &self,
        open: &[crate::domain::Incident],
        since: DateTime<Utc>,
    ) -> Result<(), AppError> {
        for incident in open {
            let outcome =
                open_room(&self.state, incident.id, FallbackReason::SlackDown, None).await?;
            if let Outcome::Opened { place } = &outcome {
                tracing::warn!(incident_id = incident.id, %place, "Slack is down: the war room continues on IRC");
            }
        }
        let mut tx = self.state.store.begin().await?;
        let marked = tx.mark_slack_down(since).await?;
        tx.commit().await?;
        if marked > 0 {
            tracing::warn!(
                rooms = marked,
                "Slack is down while fallback rooms are open"
            );
        }
        Ok(())
    }

    async fn on_back(&self) -> Result<(), AppError> {
        let rooms = {
            let mut tx = self.state.store.read().await?;
            let rooms = tx.slack_down_rooms().await?;
            tx.commit().await?;
            rooms
        };
        let mut told = false;
        for room in rooms {
            told |= self.tell_back(&room).await?;
        }
        if told {
            self.state.wake_outbox();
        }
        Ok(())
    }

    /// Queues the one "Slack is back" notice of `room`; `false` when another replica
    /// (or an earlier look) told it already.
    async fn tell_back(&self, room: &FallbackRoom) -> Result<bool, AppError> {
        let Some(since) = room.slack_down_at else {
            return Ok(false);
        };
        let now = self.state.clock.now();
        let id = room.incident_id;
        let mut tx = self.state.store.begin().await?;
        if !tx.clear_slack_down(id, since).await? {
            return Ok(false);
        }
        let lines = tx.count_irc_entries(id, since, now).await?;
        let base = self
            .state
            .settings
            .dashboard
            .public_url
            .as_ref()
            .map(|u| u.as_str().trim_end_matches('/').to_string());
        let text = back_notice(&room.channel, lines, since, base.as_deref(), id);
        let op = Op::Notice {
            incident_id: id,
            text,
        };
        let key = format!("fallback-back:{id}:{}", since.timestamp_micros());
        outbox::enqueue(&mut tx, &op, Some(&key)).await?;
        tx.commit().await?;
        tracing::info!(
            incident_id = id,
            lines,
            "Slack is back: the war room is told what happened on IRC"
        );
        Ok(true)
    }
}

/// The dashboard's incident page, its timeline starting just before `since`: the
/// timeline's own `after` page position (`<RFC 3339 time>_<entry id>`, see
/// `web::filters::format_cursor`), one second earlier and past every id, so the page
/// starts with the first entry said from then on.
pub fn timeline_link(base: &str, incident_id: i64, since: DateTime<Utc>) -> String {
    let from = since - chrono::Duration::seconds(1);
    let cursor = format!(
        "{}_{}",
        from.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        i64::MAX
    );
    let query = serde_urlencoded::to_string([("after", cursor)]).unwrap_or_default();
    format!("{base}/dashboard/incidents/{incident_id}?{query}#timeline")
}

/// What the war room is told when Slack is back.
pub fn back_notice(
    channel: &str,
    lines: i64,
    since: DateTime<Utc>,
    dashboard: Option<&str>,
    incident_id: i64,
) -> String {
    let said = match lines {
        0 => "no messages were".to_string(),
        1 => "1 message was".to_string(),
        n => format!("{n} messages were"),
    };
    let mut text = format!(
        "Slack is back. While it was down (since {} UTC), this war room continued on IRC \
         in {channel}: {said} exchanged there, and they are in this incident's timeline.",
        since.format("%H:%M")
    );
    match dashboard {
        Some(base) => {
            text.push_str(" Read them from where Slack went down: ");
            text.push_str(&timeline_link(base, incident_id, since));
        }
        None => text.push_str(&format!(
            " `warroom postmortem {incident_id}` shows them beside the rest."
        )),
    }
    text.push_str(
        " The IRC channel stays open until the incident is closed or `/incident fallback close`.",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_notice_counts_the_lines_and_links_the_timeline_from_the_outage() {
        let since = Utc.with_ymd_and_hms(2026, 12, 3, 9, 15, 0).unwrap();
        let text = back_notice("#warroom-inc-4", 7, since, Some("https://wr.example"), 4);
        assert!(text.contains("#warroom-inc-4"), "{text}");
        assert!(text.contains("7 messages were exchanged"), "{text}");
        assert!(
            text.contains(
                "https://wr.example/dashboard/incidents/4?after=2026-12-03T09%3A14%3A59Z_9223372036854775807#timeline"
            ),
            "{text}"
        );
        let one = back_notice("#c", 1, since, None, 4);
        assert!(one.contains("1 message was exchanged"), "{one}");
        assert!(one.contains("warroom postmortem 4"), "{one}");
    }
}
