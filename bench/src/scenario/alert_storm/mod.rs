//! `scenario alert-storm`: how soon an alert pages someone. The app runs with paging
//! on (one team: a PagerDuty routing key and a Slack point of contact, paged for
//! SEV1) and alert rules (critical alerts declare SEV1s), against a fake PagerDuty
//! and a fake Slack that holds it to Slack's limits. Four phases, each on a fresh app
//! and database:
//!
//! 1. `single_alert`: K Alertmanager notifications, each a new group, one at a time;
//! 2. `storm`: N notifications open loop at R/s across G groups (later ones re-send
//!    and add alerts), each group timed from its first notification's send;
//! 3. `declare_single` / `declare_burst`: `/incident declare … sev1`, one at a time,
//!    and B at once.
//!
//! Each incident is timed from its send to its PagerDuty trigger accepted, its
//! Slack DM page shown (the first post or update of a page DM carrying its
//! Acknowledge button), the post that notified the point of contact of it (that
//! post, or the notice that follows a page added by an update), and its war room
//! ready ([`observe`]). Every phase also counts: one incident per group or declare,
//! one PagerDuty trigger and one page of the point of contact per incident, notified
//! by exactly one post, one war room each; a wrong count fails the run.

mod observe;
mod phases;
mod setup;

pub use setup::SLACK_LIMITS;

use super::env::Backend;
use crate::stats::{LatencySummary, StatusHistogram};
use observe::{Snapshot, Timing, Tracker, Watched};
use phases::Sent;
use serde::Serialize;
use setup::AlertEnv;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A ready war room from an alert has the summary and the alert post pinned.
const ALERT_PINS: usize = 2;
/// One from a slash command has the summary pinned.
const DECLARE_PINS: usize = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Params {
    pub backend: Backend,
    /// Phase 1: alerts one at a time.
    pub alerts: usize,
    /// Phase 2: notifications in the storm, across `groups`, at `rate` per second.
    pub notifications: usize,
    pub groups: usize,
    pub rate: f64,
    /// Phase 3: declares one at a time, then `burst` at once.
    pub declares: usize,
    pub burst: usize,
    /// Pause after each one-at-a-time incident is ready.
    pub gap_ms: u64,
    /// How long a phase waits for its pages and war rooms.
    pub timeout_secs: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub slack_limits: &'static str,
    pub single_alert: PhaseOutcome,
    pub storm: PhaseOutcome,
    pub declare_single: PhaseOutcome,
    pub declare_burst: PhaseOutcome,
}

impl Outcome {
    pub fn phases(&self) -> [(&'static str, &PhaseOutcome); 4] {
        [
            ("single alert", &self.single_alert),
            ("storm", &self.storm),
            ("declare, one at a time", &self.declare_single),
            ("declare, all at once", &self.declare_burst),
        ]
    }

    pub fn problems(&self) -> usize {
        self.phases().iter().map(|(_, p)| p.problems.len()).sum()
    }

    /// The human summary, ending in `alert-storm: N passed, N failed`.
    pub fn print(&self, backend: Backend) {
        println!(
            "alert-storm: {} backend; fake Slack limits: {}",
            backend.as_str(),
            self.slack_limits
        );
        for (name, phase) in self.phases() {
            println!(
                "  {name}: {} incidents expected, {:.1}s, answers {}",
                phase.expected,
                phase.elapsed_secs,
                crate::stats::describe(&phase.statuses)
            );
            for (what, l) in [
                ("PagerDuty trigger", &phase.pd_trigger),
                ("DM page shown", &phase.dm_page_shown),
                ("DM page notified", &phase.dm_page_notified),
                ("war room ready", &phase.war_room),
            ] {
                println!(
                    "    {what:<18} n={:<3} p50 {:>9.1} ms  p99 {:>9.1} ms  max {:>9.1} ms",
                    l.count, l.p50_ms, l.p99_ms, l.max_ms
                );
            }
            let c = &phase.counts;
            println!(
                "    counts: incidents {}, PD triggers {} (once each: {}), paged once: {}, war rooms {}, Slack 429s {}, outbox failed {}",
                c.incidents,
                c.pd_triggers_accepted,
                c.triggered_once,
                c.paged_once,
                c.war_rooms,
                c.slack_429s,
                c.outbox_failed
            );
            for problem in &phase.problems {
                println!("    PROBLEM: {problem}");
            }
        }
        let problems = self.problems();
        println!(
            "alert-storm: {} passed, {} failed",
            (problems == 0) as u8,
            (problems != 0) as u8
        );
    }
}

/// One phase: latencies (ms from send) of the incidents that got there, and counts.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseOutcome {
    /// Incidents the phase should make.
    pub expected: usize,
    pub pd_trigger: LatencySummary,
    /// The page first visible in the DM with its button (a post or an update).
    pub dm_page_shown: LatencySummary,
    /// The post that rang the phone for the page (the DM carrying it, or its notice).
    pub dm_page_notified: LatencySummary,
    pub war_room: LatencySummary,
    pub counts: Counts,
    /// The senders' answers by HTTP status.
    pub statuses: StatusHistogram,
    /// The open-loop sender's worst lateness against its schedule (storm only).
    pub max_send_lag_ms: f64,
    pub elapsed_secs: f64,
    /// Wrong counts, missing pages or rooms, refused sends; empty when all is well.
    pub problems: Vec<String>,
    /// Every incident's three times, for a closer look.
    pub incidents: Vec<Timing>,
}

/// What the phase left behind, counted after the outbox drained.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub incidents: i64,
    pub pd_triggers_accepted: usize,
    /// Incidents with exactly one accepted PagerDuty trigger.
    pub triggered_once: usize,
    /// Incidents whose point of contact has exactly one page, shown in a DM and
    /// notified by exactly one post.
    pub paged_once: usize,
    pub war_rooms: usize,
    pub slack_429s: usize,
    pub outbox_failed: i64,
}

pub async fn run(p: &Params) -> anyhow::Result<Outcome> {
    let timeout = Duration::from_secs_f64(p.timeout_secs);
    let gap = Duration::from_millis(p.gap_ms);
    let single_alert = phase(p, p.alerts, ALERT_PINS, |env, tracker| {
        Box::pin(phases::single_alerts(env, tracker, p.alerts, gap, timeout))
    })
    .await?;
    let storm = phase(p, p.groups, ALERT_PINS, |env, _| {
        Box::pin(phases::storm(env, p.notifications, p.groups, p.rate))
    })
    .await?;
    let declare_single = phase(p, p.declares, DECLARE_PINS, |env, tracker| {
        Box::pin(phases::single_declares(
            env, tracker, p.declares, gap, timeout,
        ))
    })
    .await?;
    let declare_burst = phase(p, p.burst, DECLARE_PINS, |env, _| {
        Box::pin(phases::burst_declares(env, p.burst))
    })
    .await?;
    Ok(Outcome {
        slack_limits: SLACK_LIMITS,
        single_alert,
        storm,
        declare_single,
        declare_burst,
    })
}

type SendFuture<'a> = std::pin::Pin<Box<dyn Future<Output = anyhow::Result<Sent>> + 'a>>;

/// Starts a fresh app, sends, waits for every page and war room, counts, stops.
async fn phase<F>(p: &Params, expected: usize, pins: usize, send: F) -> anyhow::Result<PhaseOutcome>
where
    F: for<'a, 'b> FnOnce(&'a AlertEnv, &'a mut Tracker<'b>) -> SendFuture<'a>,
{
    let env = AlertEnv::start(p.backend).await?;
    let result = measure(&env, p, expected, pins, send).await;
    env.stop().await?;
    result
}

async fn measure<F>(
    env: &AlertEnv,
    p: &Params,
    expected: usize,
    pins: usize,
    send: F,
) -> anyhow::Result<PhaseOutcome>
where
    F: for<'a, 'b> FnOnce(&'a AlertEnv, &'a mut Tracker<'b>) -> SendFuture<'a>,
{
    let started = Instant::now();
    let mut tracker = Tracker::new(&env.app.db, &env.app.slack, &env.pagerduty, pins);
    let sent = send(env, &mut tracker).await?;
    let timeout = Duration::from_secs_f64(p.timeout_secs);
    let timings = tracker.wait(&sent.watched, timeout).await?;
    let outbox_failed = env
        .app
        .db
        .wait_outbox_drained(Duration::from_secs(60))
        .await
        .unwrap_or(-1);
    let elapsed_secs = started.elapsed().as_secs_f64();
    let counts = count(env, &mut tracker, &sent.watched, outbox_failed).await?;
    let mut problems = sent.problems;
    problems.extend(check(expected, &counts, &timings));
    let summary = |f: fn(&Timing) -> Option<f64>| {
        let mut us: Vec<u64> = timings
            .iter()
            .filter_map(f)
            .map(|ms| (ms * 1000.0) as u64)
            .collect();
        LatencySummary::from_micros(&mut us)
    };
    Ok(PhaseOutcome {
        expected,
        pd_trigger: summary(|t| t.pd_trigger_ms),
        dm_page_shown: summary(|t| t.dm_page_shown_ms),
        dm_page_notified: summary(|t| t.dm_page_notified_ms),
        war_room: summary(|t| t.war_room_ms),
        counts,
        statuses: sent.statuses,
        max_send_lag_ms: sent.max_send_lag_ms,
        elapsed_secs,
        problems,
        incidents: timings,
    })
}

async fn count(
    env: &AlertEnv,
    tracker: &mut Tracker<'_>,
    watched: &[Watched],
    outbox_failed: i64,
) -> anyhow::Result<Counts> {
    let snap: Snapshot = tracker.snapshot();
    let mut per_key: HashMap<&str, usize> = HashMap::new();
    for e in snap.accepted_triggers() {
        *per_key
            .entry(e.dedup_key.as_deref().unwrap_or(""))
            .or_default() += 1;
    }
    let mut counts = Counts {
        incidents: env.app.db.incident_count().await?,
        pd_triggers_accepted: snap.accepted_triggers().count(),
        war_rooms: snap.war_rooms_created().len(),
        slack_429s: snap.slack_429s(),
        outbox_failed,
        ..Counts::default()
    };
    for w in watched {
        let key = warroom::paging::pager::dedup_key(w.incident_id, setup::TEAM, 0);
        if per_key.get(key.as_str()) == Some(&1) {
            counts.triggered_once += 1;
        }
        let pages = tracker.page_ids(w.incident_id).await?;
        if pages.len() == 1
            && snap.dm_shown(&pages).is_some()
            && snap.dm_notifications(&pages).len() == 1
        {
            counts.paged_once += 1;
        }
    }
    Ok(counts)
}

/// What is wrong with a phase's counts and times.
fn check(expected: usize, c: &Counts, timings: &[Timing]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut want = |what: &str, got: i64| {
        if got != expected as i64 {
            problems.push(format!("{what}: {got}, expected {expected}"));
        }
    };
    want("incidents", c.incidents);
    want("incidents timed", timings.len() as i64);
    want("PagerDuty triggers accepted", c.pd_triggers_accepted as i64);
    want("incidents triggered exactly once", c.triggered_once as i64);
    want(
        "incidents whose contact was paged exactly once",
        c.paged_once as i64,
    );
    want("war rooms created", c.war_rooms as i64);
    let missing = |f: fn(&Timing) -> bool| timings.iter().filter(|t| f(t)).count();
    for (what, n) in [
        (
            "no PagerDuty trigger",
            missing(|t| t.pd_trigger_ms.is_none()),
        ),
        (
            "no DM page shown",
            missing(|t| t.dm_page_shown_ms.is_none()),
        ),
        (
            "no DM page notified",
            missing(|t| t.dm_page_notified_ms.is_none()),
        ),
        ("no ready war room", missing(|t| t.war_room_ms.is_none())),
    ] {
        if n > 0 {
            problems.push(format!("{n} incidents with {what} before the timeout"));
        }
    }
    if c.outbox_failed != 0 {
        problems.push(format!(
            "outbox: {} items failed (-1: it never drained)",
            c.outbox_failed
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing(id: i64) -> Timing {
        Timing {
            incident_id: id,
            pd_trigger_ms: Some(1.0),
            dm_page_shown_ms: Some(2.0),
            dm_page_notified_ms: Some(2.5),
            war_room_ms: Some(3.0),
        }
    }

    fn exact(n: usize) -> Counts {
        Counts {
            incidents: n as i64,
            pd_triggers_accepted: n,
            triggered_once: n,
            paged_once: n,
            war_rooms: n,
            slack_429s: 7,
            outbox_failed: 0,
        }
    }

    #[test]
    fn exact_counts_and_complete_times_are_no_problem() {
        let t: Vec<Timing> = (1..=3).map(timing).collect();
        assert!(check(3, &exact(3), &t).is_empty());
    }

    #[test]
    fn a_double_page_a_missing_room_and_a_failed_item_are_each_a_problem() {
        let mut t: Vec<Timing> = (1..=3).map(timing).collect();
        t[1].war_room_ms = None;
        let mut c = exact(3);
        c.pd_triggers_accepted = 4;
        c.triggered_once = 2;
        c.outbox_failed = 1;
        let problems = check(3, &c, &t);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("PagerDuty triggers accepted: 4"));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("1 incidents with no ready war room"))
        );
    }
}
