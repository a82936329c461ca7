//! Signed slash commands (`/incident …`), as Slack POSTs them to `/slack/commands`.

use crate::sign::{SIGNATURE_HEADER, Signer, TIMESTAMP_HEADER};
use crate::stats::{LatencySummary, StatusHistogram};
use anyhow::Context;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use warroom_fakes::payloads;

/// The channel where incidents are declared (any non-war-room channel works).
pub const DECLARE_CHANNEL: &str = "C0INCIDENTS";

pub struct SlashClient {
    endpoint: String,
    /// The slash command's name, `/incident` unless told otherwise.
    command: String,
    signer: Signer,
    http: reqwest::Client,
    /// Where the server may POST delayed answers, e.g. the fake Slack's response URLs.
    response_url_base: String,
    counter: AtomicU64,
}

/// One command's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub latency: Duration,
    pub body: Value,
}

impl SlashClient {
    pub fn new(url: &str, signing_secret: &str, response_url_base: &str) -> anyhow::Result<Self> {
        Ok(SlashClient {
            endpoint: format!("{}/slack/commands", url.trim_end_matches('/')),
            command: "/incident".into(),
            signer: Signer::new(signing_secret),
            http: crate::load::client(Duration::from_secs(30))?,
            response_url_base: response_url_base.trim_end_matches('/').to_string(),
            counter: AtomicU64::new(0),
        })
    }

    /// Sends `name` (e.g. `/oncall`) instead of `/incident`.
    pub fn with_command(mut self, name: &str) -> Self {
        self.command = format!("/{}", name.trim_start_matches('/'));
        self
    }

    /// Runs `/incident <text>` as `user` in `channel`, timing send → response headers.
    pub async fn run(&self, user: &str, channel: &str, text: &str) -> anyhow::Result<Answer> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let form = payloads::slash_command_form(
            &format!("{} {text}", self.command),
            channel,
            user,
            &user.to_lowercase(),
            &format!("{}/bench{n}", self.response_url_base),
            &payloads::trigger_id(n),
        );
        let (signature, timestamp) = self.signer.headers_now(form.as_bytes());
        let t0 = Instant::now();
        let res = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .header(SIGNATURE_HEADER, signature)
            .header(TIMESTAMP_HEADER, timestamp)
            .body(form)
            .send()
            .await
            .with_context(|| format!("POST {}", self.endpoint))?;
        let latency = t0.elapsed();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        Ok(Answer {
            status,
            latency,
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
        })
    }

    /// Declares a SEV2 incident; returns its number from the answer.
    pub async fn declare(&self, user: &str, title: &str) -> anyhow::Result<(i64, Answer)> {
        self.declare_as(user, title, "sev2").await
    }

    /// Declares an incident of `severity` (`sev1` … `sev4`); returns its number.
    pub async fn declare_as(
        &self,
        user: &str,
        title: &str,
        severity: &str,
    ) -> anyhow::Result<(i64, Answer)> {
        let answer = self
            .run(
                user,
                DECLARE_CHANNEL,
                &format!("declare {title} {severity}"),
            )
            .await?;
        let id = incident_number(&answer.body).with_context(|| {
            format!(
                "`declare` answered {} {}, not `Declared incident #N`",
                answer.status, answer.body
            )
        })?;
        Ok((id, answer))
    }
}

/// One command of a timed sequence.
#[derive(Debug, Clone)]
pub struct Planned {
    /// What the latency is filed under, e.g. `declare`.
    pub name: String,
    pub channel: String,
    pub text: String,
    /// Only a 200 that names the new incident counts as success; any other 200 is a
    /// refusal (usage message, permission answer).
    pub expect_declared: bool,
}

/// Ack latency per command name, and every answer's `name:status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommandsReport {
    pub interval_ms: u64,
    pub by_command: BTreeMap<String, LatencySummary>,
    /// `note:200`, `declare:200:refused`, `note:error`, …
    pub statuses: StatusHistogram,
}

impl CommandsReport {
    pub fn print(&self) {
        println!(
            "slash commands (one in flight, {} ms apart):",
            self.interval_ms
        );
        for (name, l) in &self.by_command {
            println!(
                "  {name:<12}n {}  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
                l.count, l.p50_ms, l.p99_ms, l.max_ms
            );
        }
        println!("  statuses    {}", crate::stats::describe(&self.statuses));
    }
}

/// Sends `plan(0)`, `plan(1)`, … one at a time, `interval` apart, as user `U0CMD<n>`,
/// from `warmup` after the start until `done()` (the caller ends it before the load
/// it runs beside ends, so each command meets that load). Latencies of answered
/// commands only; failures show in the statuses.
pub async fn drive(
    slash: &SlashClient,
    warmup: Duration,
    interval: Duration,
    done: impl Fn() -> bool,
    mut plan: impl FnMut(usize) -> Planned,
) -> CommandsReport {
    tokio::time::sleep(warmup).await;
    let mut samples: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut statuses = StatusHistogram::new();
    let mut n = 0usize;
    while !done() {
        let cmd = plan(n);
        let user = format!("U0CMD{:05}", n % 100_000);
        let answer = slash.run(&user, &cmd.channel, &cmd.text).await;
        let label = match &answer {
            Ok(a)
                if a.status == 200 && cmd.expect_declared && incident_number(&a.body).is_none() =>
            {
                format!("{}:{}:refused", cmd.name, a.status)
            }
            Ok(a) => format!("{}:{}", cmd.name, a.status),
            Err(_) => format!("{}:error", cmd.name),
        };
        *statuses.entry(label).or_default() += 1;
        let slot = samples.entry(cmd.name).or_default();
        if let Ok(a) = answer {
            slot.push(a.latency.as_micros() as u64);
        }
        n += 1;
        tokio::time::sleep(interval).await;
    }
    CommandsReport {
        interval_ms: interval.as_millis() as u64,
        by_command: samples
            .into_iter()
            .map(|(name, mut us)| (name, LatencySummary::from_micros(&mut us)))
            .collect(),
        statuses,
    }
}

/// The `N` in `… Declared incident #N: …`.
pub fn incident_number(body: &Value) -> Option<i64> {
    body["text"]
        .as_str()?
        .split("incident #")
        .nth(1)?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_incident_number_in_the_answer() {
        let body = serde_json::json!({"response_type": "ephemeral",
            "text": ":rotating_light: Declared incident #42: *DB down* (SEV2). Opening the war room now"});
        assert_eq!(incident_number(&body), Some(42));
        assert_eq!(incident_number(&serde_json::json!({"text": "nope"})), None);
        assert_eq!(incident_number(&Value::Null), None);
    }
}
