//! The Wheel of Misfortune: a past incident replayed into a new drill war room.
//!
//! [`ReplayPlan::from_export`] turns an exported channel into the lines to post: each
//! message's author by name, its original time, and its text with mentions made
//! plain (`@Alice Smith`, so a replay never pings the people of the original).
//! [`declare`] declares the drill through [`crate::commands::declare::declare_in`];
//! [`run`] waits, on the app's [`crate::clock::Clock`], for each line's turn (the
//! original gap divided by the speed) and queues it as a war-room notice, keyed by
//! its place in the replay so it is posted once. The outbox posts them in order in
//! the war room's lane, at most about one a second (Slack's `chat.postMessage` limit
//! per channel): when the speed asks for more, lines wait their turn and the replay
//! runs late rather than out of order.

use crate::commands::declare::{DeclareArgs, DeclaredVia, NewIncident, declare_in};
pub use crate::domain::REPLAY_DECLARER;
use crate::domain::{IncidentTitle, MAX_TITLE_CHARS, Person, Severity, clip};
use crate::error::AppError;
use crate::import::{ImportedChannel, incident_from};
use crate::outbox::{self, Op};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::Duration;

/// The fastest replay: past it, every gap rounds to nothing and the pace is Slack's.
pub const MAX_SPEED: f64 = 1000.0;
/// The slowest: a tenth of real time (a day-long incident over ten days is no drill).
pub const MIN_SPEED: f64 = 0.1;
/// How often a wait re-reads the clock: a manual clock moves without waking anyone.
const POLL: Duration = Duration::from_millis(50);

/// How much faster than real time to replay: original gaps are divided by it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed(f64);

impl Speed {
    /// A speed from [`MIN_SPEED`] to [`MAX_SPEED`]; anything else says what is allowed.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let n: f64 = raw
            .trim()
            .parse()
            .map_err(|_| format!("`{raw}` is not a number; try 10 (ten times real time)"))?;
        if !n.is_finite() || n <= 0.0 {
            return Err(format!(
                "must be more than 0 (it divides the gaps between messages), got `{raw}`"
            ));
        }
        if !(MIN_SPEED..=MAX_SPEED).contains(&n) {
            return Err(format!(
                "must be from {MIN_SPEED} to {MAX_SPEED} times real time, got `{raw}`"
            ));
        }
        Ok(Self(n))
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// `gap` at this speed.
    pub fn scale(self, gap: Duration) -> Duration {
        gap.div_f64(self.0)
    }
}

/// One message of the past incident, as the replay posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayLine {
    /// When it was first said.
    pub at: DateTime<Utc>,
    /// Since the first message of the replay.
    pub offset: Duration,
    /// The author's name (the export's people), or "Someone" when it names none.
    pub author: String,
    /// The message, mentions and links made plain; not yet escaped.
    pub text: String,
}

impl ReplayLine {
    /// `*Alice Smith* (replay, 09:17 UTC): text`, for a notice (which escapes it).
    pub fn render(&self) -> String {
        format!(
            "*{}* (replay, {} UTC): {}",
            self.author,
            self.at.format("%H:%M"),
            self.text
        )
    }
}

/// What to declare and what to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayPlan {
    /// `Replay: <the original's title>`.
    pub title: IncidentTitle,
    pub severity: Severity,
    /// The exported channel's name, for the timeline.
    pub channel: String,
    /// In the original order (time, then ts).
    pub lines: Vec<ReplayLine>,
}

impl ReplayPlan {
    pub fn from_export(channel: &ImportedChannel) -> Self {
        let original = incident_from(channel);
        let title = clip(&format!("Replay: {}", original.title), MAX_TITLE_CHARS);
        let title = IncidentTitle::parse(&title)
            .or_else(|_| IncidentTitle::parse(&format!("Replay of #{}", channel.name)))
            .unwrap_or_else(|_| IncidentTitle::parse("Replay").expect("a fixed title parses"));
        let people: HashMap<String, Person> = channel.people_by_id();
        let first = channel.entries.first().map(|e| e.at);
        let lines = channel
            .entries
            .iter()
            .filter(|e| e.deleted_at.is_none())
            .filter_map(|e| {
                let mut text = crate::report::format::plain(&e.text, &people);
                for file in &e.files {
                    text.push_str(&format!(" [file: {}]", file.name));
                }
                let text = text.trim().to_string();
                if text.is_empty() {
                    return None;
                }
                let author = e
                    .author_id
                    .as_deref()
                    .and_then(|id| people.get(id))
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| "Someone".to_string());
                let offset = first
                    .and_then(|f| (e.at - f).to_std().ok())
                    .unwrap_or_default();
                Some(ReplayLine {
                    at: e.at,
                    offset,
                    author,
                    text,
                })
            })
            .collect();
        Self {
            title,
            severity: original.severity,
            channel: channel.name.clone(),
            lines,
        }
    }
}

/// Declares the drill the replay runs in, through the normal declare path: its war
/// room (`drill-inc-…`), topic, pinned summary and escalation are a drill's. `lead`
/// (a Slack user id) commands it and is invited; without one, nobody is.
pub async fn declare(
    state: &AppState,
    plan: &ReplayPlan,
    lead: Option<&str>,
) -> Result<i64, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let new = NewIncident {
        args: DeclareArgs {
            title: plan.title.clone(),
            severity: plan.severity,
            service: None,
            summary: None,
            drill: true,
        },
        declared_by: lead.unwrap_or(REPLAY_DECLARER).to_string(),
        lead: lead.map(str::to_string),
        invite: lead.map(|l| vec![l.to_string()]).unwrap_or_default(),
        policy: None,
        author: lead.map(str::to_string),
        how: Some(format!(
            "as a Wheel of Misfortune replay of #{}",
            plan.channel
        )),
        via: DeclaredVia::Command,
    };
    let (incident, escalates) = declare_in(state, &mut tx, new, now).await?;
    tx.commit().await?;
    state.wake_outbox();
    if escalates {
        state.wake_escalations();
    }
    Ok(incident.id)
}

/// Queues each line of `plan` into incident `incident_id`'s war room when its turn
/// comes on the app's clock: the first at once, each next one its original gap
/// divided by `speed` later. Returns how many were queued. Each is keyed by its
/// place in the replay, so a line is never queued twice.
pub async fn run(
    state: &AppState,
    incident_id: i64,
    plan: &ReplayPlan,
    speed: Speed,
) -> Result<usize, AppError> {
    let start = state.clock.now();
    for (n, line) in plan.lines.iter().enumerate() {
        let due = start + chrono::Duration::from_std(speed.scale(line.offset)).unwrap_or_default();
        wait_until(state, due).await;
        let mut tx = state.store.begin().await?;
        let op = Op::Notice {
            incident_id,
            text: line.render(),
        };
        outbox::enqueue(&mut tx, &op, Some(&format!("replay:{incident_id}:{n}"))).await?;
        tx.commit().await?;
        state.wake_outbox();
    }
    Ok(plan.lines.len())
}

/// Returns once the app's clock reads `due` or later.
async fn wait_until(state: &AppState, due: DateTime<Utc>) {
    loop {
        let left = state.clock.until(due);
        if left.is_zero() {
            return;
        }
        tokio::time::sleep(left.min(POLL)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_from_a_tenth_to_a_thousand_are_taken_and_the_rest_explained() {
        assert_eq!(Speed::parse("10").unwrap().get(), 10.0);
        assert_eq!(Speed::parse("0.5").unwrap().get(), 0.5);
        for bad in ["0", "-3", "abc", "NaN", "inf", "1e9", "0.01", ""] {
            let e = Speed::parse(bad).unwrap_err();
            assert!(!e.is_empty(), "{bad}");
        }
        assert!(Speed::parse("0").unwrap_err().contains("more than 0"));
        assert!(Speed::parse("5000").unwrap_err().contains("1000"));
    }

    #[test]
    fn a_gap_is_divided_by_the_speed() {
        let s = Speed::parse("100").unwrap();
        assert_eq!(s.scale(Duration::from_secs(300)), Duration::from_secs(3));
    }

    #[test]
    fn a_line_names_its_author_and_original_time() {
        let line = ReplayLine {
            at: DateTime::parse_from_rfc3339("2021-03-09T09:17:00Z")
                .unwrap()
                .with_timezone(&Utc),
            offset: Duration::ZERO,
            author: "Alice Smith".into(),
            text: "is the DB up?".into(),
        };
        assert_eq!(
            line.render(),
            "*Alice Smith* (replay, 09:17 UTC): is the DB up?"
        );
    }
}
