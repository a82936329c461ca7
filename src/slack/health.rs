//! Whether Slack's Web API is reachable, learned from every call this process makes
//! ([`crate::slack::client::SlackApi`] records each outcome at its one choke point).
//!
//! An answer from Slack, whatever it says (`ok`, `ok:false`, a 429, a 4xx), means
//! Slack is up: it is there and talking. A 5xx, a timeout or a transport error means
//! that call failed. Slack counts as down once every call has failed for at least
//! `fallback.after`: "failing since" is the first failure after the last answer, and
//! any answer clears it. Times come from the app's [`Clock`], so tests move them.

use crate::clock::Clock;
use chrono::{DateTime, Utc};
use std::sync::Mutex;
use std::time::Duration;

/// What one Web API call tells about Slack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// Slack answered (ok, ok:false, 429, a 4xx).
    Answered,
    /// A 5xx, a timeout or a connection error: nobody answered for Slack.
    Failed,
}

impl CallOutcome {
    /// The outcome of an HTTP status Slack (or whatever sits in front of it) gave.
    pub fn of_status(status: u16) -> CallOutcome {
        if status >= 500 {
            CallOutcome::Failed
        } else {
            CallOutcome::Answered
        }
    }
}

/// What this process knows of Slack's health; shared by every clone of the client.
#[derive(Debug)]
pub struct SlackHealth {
    clock: Clock,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Inner {
    /// The first failure since the last answer; `None` while Slack answers.
    failing_since: Option<DateTime<Utc>>,
    last_answer: Option<DateTime<Utc>>,
    last_call: Option<DateTime<Utc>>,
}

/// A copy of what [`SlackHealth`] knows, at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthView {
    pub now: DateTime<Utc>,
    pub failing_since: Option<DateTime<Utc>>,
    pub last_answer: Option<DateTime<Utc>>,
    pub last_call: Option<DateTime<Utc>>,
}

impl HealthView {
    /// Every call has failed for at least `after`.
    pub fn is_down(&self, after: Duration) -> bool {
        self.failing_since
            .is_some_and(|since| (self.now - since).to_std().unwrap_or_default() >= after)
    }

    /// Slack has answered since this process started, and nothing failed since.
    pub fn is_up(&self) -> bool {
        self.last_answer.is_some() && self.failing_since.is_none()
    }

    /// No call for `quiet` (or none ever): a probe is what would tell.
    pub fn idle_for(&self, quiet: Duration) -> bool {
        self.last_call
            .is_none_or(|at| (self.now - at).to_std().unwrap_or_default() >= quiet)
    }
}

impl SlackHealth {
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Records one call's outcome, now.
    pub fn record(&self, outcome: CallOutcome) {
        let now = self.clock.now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.last_call = Some(now);
        match outcome {
            CallOutcome::Answered => {
                inner.last_answer = Some(now);
                inner.failing_since = None;
            }
            CallOutcome::Failed => {
                inner.failing_since.get_or_insert(now);
            }
        }
    }

    /// What is known, now.
    pub fn view(&self) -> HealthView {
        let inner = *self.inner.lock().unwrap_or_else(|e| e.into_inner());
        HealthView {
            now: self.clock.now(),
            failing_since: inner.failing_since,
            last_answer: inner.last_answer,
            last_call: inner.last_call,
        }
    }
}

impl Default for SlackHealth {
    fn default() -> Self {
        Self::new(Clock::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const AFTER: Duration = Duration::from_secs(180);

    fn health() -> (SlackHealth, Clock) {
        let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap());
        (SlackHealth::new(clock.clone()), clock)
    }

    #[test]
    fn a_single_429_is_slack_answering() {
        let (h, clock) = health();
        h.record(CallOutcome::of_status(429));
        clock.advance(AFTER * 2);
        let v = h.view();
        assert!(!v.is_down(AFTER));
        assert!(v.is_up());
    }

    #[test]
    fn server_errors_for_less_than_after_are_not_down() {
        let (h, clock) = health();
        h.record(CallOutcome::of_status(503));
        clock.advance(AFTER - Duration::from_secs(1));
        h.record(CallOutcome::Failed);
        assert!(!h.view().is_down(AFTER));
        assert!(!h.view().is_up());
    }

    #[test]
    fn every_call_failing_for_after_is_down() {
        let (h, clock) = health();
        h.record(CallOutcome::of_status(500));
        clock.advance(Duration::from_secs(60));
        h.record(CallOutcome::Failed);
        clock.advance(AFTER - Duration::from_secs(60));
        let v = h.view();
        assert!(v.is_down(AFTER), "{v:?}");
        assert_eq!(
            v.failing_since,
            Some(Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()),
            "failing since the first failure, not the latest"
        );
    }

    #[test]
    fn an_answer_resets_the_failures() {
        let (h, clock) = health();
        h.record(CallOutcome::Failed);
        clock.advance(AFTER - Duration::from_secs(10));
        h.record(CallOutcome::of_status(200));
        h.record(CallOutcome::Failed);
        clock.advance(Duration::from_secs(20));
        let v = h.view();
        assert!(!v.is_down(AFTER), "the failure clock restarted: {v:?}");
        clock.advance(AFTER);
        assert!(h.view().is_down(AFTER));
    }

    #[test]
    fn a_client_error_is_an_answer_and_nothing_known_is_not_up() {
        let (h, _) = health();
        assert!(!h.view().is_up(), "no call yet proves nothing");
        assert!(h.view().idle_for(Duration::from_secs(30)));
        h.record(CallOutcome::of_status(404));
        assert!(h.view().is_up());
        assert!(!h.view().idle_for(Duration::from_secs(30)));
    }
}
