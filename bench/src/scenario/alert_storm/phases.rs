//! The four phases, each on a fresh app: alerts one at a time, the storm, and
//! slash-command declares one at a time and all at once. Each returns the incidents
//! it caused (with their send times) and how the sends were answered; the caller
//! times and counts them.

use super::observe::{Tracker, Watched};
use super::setup::{AlertClient, AlertEnv, alertmanager_body};
use crate::stats::StatusHistogram;
use chrono::Utc;
use futures::future::join_all;
use serde_json::Value;
use std::time::{Duration, Instant};

/// What a phase's senders got back.
pub struct Sent {
    pub watched: Vec<Watched>,
    pub statuses: StatusHistogram,
    /// Problems seen while sending (refusals, answers without an incident).
    pub problems: Vec<String>,
    /// How late the open-loop sender was against its schedule, at worst (ms).
    pub max_send_lag_ms: f64,
}

impl Sent {
    fn new() -> Self {
        Sent {
            watched: Vec::new(),
            statuses: StatusHistogram::new(),
            problems: Vec::new(),
            max_send_lag_ms: 0.0,
        }
    }

    fn count(&mut self, label: String) {
        *self.statuses.entry(label).or_default() += 1;
    }
}

fn label(result: &anyhow::Result<(u16, Value)>) -> String {
    match result {
        Ok((status, _)) => status.to_string(),
        Err(_) => "error".into(),
    }
}

/// `k` alerts, each of a new group, one at a time: each is timed to its war room
/// before the next goes, `gap` apart (so the DM channel's per-second limit never
/// holds one page behind the last).
pub async fn single_alerts(
    env: &AlertEnv,
    tracker: &mut Tracker<'_>,
    k: usize,
    gap: Duration,
    timeout: Duration,
) -> anyhow::Result<Sent> {
    let client = AlertClient::new(&env.app.url)?;
    let mut sent = Sent::new();
    let now = Utc::now();
    for i in 0..k {
        let body = alertmanager_body(&format!("single-{i}"), 1, now);
        let t0 = Instant::now();
        let result = client.send(&body).await;
        sent.count(label(&result));
        match result {
            Ok((200, answer)) if answer["declared"] == true => {
                let Some(id) = answer["incident_id"].as_i64() else {
                    sent.problems
                        .push(format!("alert {i}: no incident in {answer}"));
                    continue;
                };
                let w = Watched {
                    incident_id: id,
                    sent: t0,
                };
                tracker.wait(&[w], timeout).await?;
                sent.watched.push(w);
            }
            Ok((status, answer)) => sent
                .problems
                .push(format!("alert {i}: answered {status} {answer}, no declare")),
            Err(e) => sent.problems.push(format!("alert {i}: {e:#}")),
        }
        tokio::time::sleep(gap).await;
    }
    Ok(sent)
}

/// The storm's plan: notification `n` is of group `n % groups`; a group's `r`th
/// notification carries its first `min(r, 4) + 1` alerts, so later ones add alerts
/// and, past the fifth, re-send the same five.
pub fn storm_body(n: usize, groups: usize, now: chrono::DateTime<Utc>) -> Vec<u8> {
    let (group, round) = (n % groups, n / groups);
    alertmanager_body(&format!("storm-{group}"), round.min(4) + 1, now)
}

/// `notifications` sent open loop at `rate` per second across `groups`; each group
/// is timed from its first notification's send.
pub async fn storm(
    env: &AlertEnv,
    notifications: usize,
    groups: usize,
    rate: f64,
) -> anyhow::Result<Sent> {
    let client = AlertClient::new(&env.app.url)?;
    let now = Utc::now();
    let bodies: Vec<Vec<u8>> = (0..notifications)
        .map(|n| storm_body(n, groups, now))
        .collect();
    let interval = Duration::from_secs_f64(1.0 / rate.max(0.001));
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let client = &client;
    let sends = bodies.iter().enumerate().map(|(n, body)| async move {
        let due = start + interval * n as u32;
        tokio::time::sleep_until(due).await;
        let t0 = Instant::now();
        let lag = tokio::time::Instant::now().saturating_duration_since(due);
        (n, t0, lag, client.send(body).await)
    });
    let results = join_all(sends).await;

    let mut sent = Sent::new();
    let mut first: Vec<Option<(Instant, Option<i64>)>> = vec![None; groups];
    let mut declared = vec![0usize; groups];
    for (n, t0, lag, result) in results {
        sent.max_send_lag_ms = sent.max_send_lag_ms.max(lag.as_secs_f64() * 1000.0);
        sent.count(label(&result));
        let group = n % groups;
        let incident = match &result {
            Ok((200, answer)) => {
                if answer["declared"] == true {
                    declared[group] += 1;
                }
                answer["incident_id"].as_i64()
            }
            Ok((status, answer)) => {
                sent.problems
                    .push(format!("notification {n}: answered {status} {answer}"));
                None
            }
            Err(e) => {
                sent.problems.push(format!("notification {n}: {e:#}"));
                None
            }
        };
        match &mut first[group] {
            None => first[group] = Some((t0, incident)),
            Some((_, id @ None)) => *id = incident,
            Some((_, Some(known))) if incident.is_some_and(|i| i != *known) => {
                sent.problems.push(format!(
                    "group {group} fed incidents #{known} and #{}",
                    incident.unwrap_or(0)
                ))
            }
            Some(_) => {}
        }
    }
    for (group, d) in declared.iter().enumerate() {
        if *d != 1 {
            sent.problems
                .push(format!("group {group} declared {d} incidents, not 1"));
        }
    }
    for (group, f) in first.into_iter().enumerate() {
        match f {
            Some((t0, Some(id))) => sent.watched.push(Watched {
                incident_id: id,
                sent: t0,
            }),
            _ => sent.problems.push(format!("group {group} fed no incident")),
        }
    }
    Ok(sent)
}

/// `k` slash-command SEV1 declares one at a time, each timed to its war room before
/// the next, `gap` apart.
pub async fn single_declares(
    env: &AlertEnv,
    tracker: &mut Tracker<'_>,
    k: usize,
    gap: Duration,
    timeout: Duration,
) -> anyhow::Result<Sent> {
    let slash = env.app.slash()?;
    let mut sent = Sent::new();
    for i in 0..k {
        let t0 = Instant::now();
        match slash
            .declare_as(&lead(i), &format!("Bench page {i} checkout down"), "sev1")
            .await
        {
            Ok((id, answer)) => {
                sent.count(answer.status.to_string());
                let w = Watched {
                    incident_id: id,
                    sent: t0,
                };
                tracker.wait(&[w], timeout).await?;
                sent.watched.push(w);
            }
            Err(e) => {
                sent.count("error".into());
                sent.problems.push(format!("declare {i}: {e:#}"));
            }
        }
        tokio::time::sleep(gap).await;
    }
    Ok(sent)
}

/// `k` slash-command SEV1 declares sent at once, by `k` different people.
pub async fn burst_declares(env: &AlertEnv, k: usize) -> anyhow::Result<Sent> {
    let slash = env.app.slash()?;
    let slash = &slash;
    let results = join_all((0..k).map(|i| async move {
        let t0 = Instant::now();
        let r = slash
            .declare_as(&lead(i), &format!("Bench burst {i} checkout down"), "sev1")
            .await;
        (i, t0, r)
    }))
    .await;
    let mut sent = Sent::new();
    for (i, t0, r) in results {
        match r {
            Ok((id, answer)) => {
                sent.count(answer.status.to_string());
                sent.watched.push(Watched {
                    incident_id: id,
                    sent: t0,
                });
            }
            Err(e) => {
                sent.count("error".into());
                sent.problems.push(format!("declare {i}: {e:#}"));
            }
        }
    }
    Ok(sent)
}

fn lead(i: usize) -> String {
    format!("U0LEAD{:04}", i % 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storm_groups_take_turns_and_grow_to_five_alerts_then_resend() {
        let now = Utc::now();
        let body = |n| serde_json::from_slice::<Value>(&storm_body(n, 20, now)).unwrap();
        let alerts = |n| body(n)["alerts"].as_array().unwrap().len();
        let group = |n| body(n)["groupLabels"]["group"].clone();
        assert_eq!(group(0), "storm-0");
        assert_eq!(group(19), "storm-19");
        assert_eq!(group(20), "storm-0");
        assert_eq!(
            (alerts(0), alerts(20), alerts(80), alerts(100), alerts(499)),
            (1, 2, 5, 5, 5)
        );
        assert_eq!(
            storm_body(100, 20, now),
            storm_body(480, 20, now),
            "a re-send"
        );
    }
}
