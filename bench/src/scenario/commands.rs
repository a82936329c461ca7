//! `scenario commands`: slash-command ack latency (`declare`, `note`) while message
//! ingest runs at full load into the same app.

use super::env::{Backend, InProcessApp, SIGNING_SECRET, TempDb, declare_incidents};
use crate::ingest::{self, IngestParams};
use crate::report::IngestReport;
use crate::slash::{DECLARE_CHANNEL, SlashClient};
use crate::stats::{LatencySummary, StatusHistogram};
use crate::workload::Mix;
use serde::Serialize;
use std::time::{Duration, Instant};
use warroom_fakes::FakeSlack;

#[derive(Debug, Clone, Serialize)]
pub struct Params {
    pub backend: Backend,
    pub incidents: usize,
    pub connections: usize,
    pub duration_secs: f64,
    /// Pause between two commands (one command in flight at a time).
    pub interval_ms: u64,
    pub mix: Mix,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub declare: LatencySummary,
    pub note: LatencySummary,
    /// `declare:200`, `note:200`, `note:error`, …
    pub statuses: StatusHistogram,
    pub ingest: IngestReport,
}

pub async fn run(p: &Params) -> anyhow::Result<Outcome> {
    let db = TempDb::create(p.backend).await?;
    let app = InProcessApp::start(&db, FakeSlack::start().await).await?;
    let result = measure(&app, p).await;
    app.stop().await?;
    drop(db);
    result
}

async fn measure(app: &InProcessApp, p: &Params) -> anyhow::Result<Outcome> {
    let slash = app.slash()?;
    let rooms: Vec<String> = declare_incidents(&slash, &app.db, p.incidents, 4)
        .await?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let duration = Duration::from_secs_f64(p.duration_secs);
    let params = IngestParams {
        url: app.url.clone(),
        signing_secret: SIGNING_SECRET.into(),
        channels: rooms.clone(),
        connections: p.connections,
        events: None,
        duration: Some(duration),
        mix: p.mix,
        seed: 0xc0de,
        settle: Duration::ZERO,
        request_timeout: Duration::from_secs(30),
        rate: None,
        warmup: Duration::ZERO,
    };
    let interval = Duration::from_millis(p.interval_ms);
    let (ingest, commands) = tokio::join!(
        ingest::run(&params, Some(&app.db)),
        drive_commands(&slash, &rooms, duration, interval)
    );
    let (mut declare, mut note, statuses) = commands?;
    Ok(Outcome {
        declare: LatencySummary::from_micros(&mut declare),
        note: LatencySummary::from_micros(&mut note),
        statuses,
        ingest: ingest?,
    })
}

/// After a one-second warm-up, alternates `declare` and `note` until shortly before
/// the load ends. Returns latencies in µs by command, and statuses.
async fn drive_commands(
    slash: &SlashClient,
    rooms: &[String],
    duration: Duration,
    interval: Duration,
) -> anyhow::Result<(Vec<u64>, Vec<u64>, StatusHistogram)> {
    let warmup = Duration::from_secs(1).min(duration / 4);
    let stop = Instant::now() + duration.saturating_sub(Duration::from_millis(500));
    tokio::time::sleep(warmup).await;
    let (mut declare, mut note, mut statuses) = (Vec::new(), Vec::new(), StatusHistogram::new());
    let mut n = 0usize;
    while Instant::now() < stop {
        let is_declare = n.is_multiple_of(2);
        let user = format!("U0CMD{:05}", n % 100_000);
        let answer = if is_declare {
            slash
                .run(
                    &user,
                    DECLARE_CHANNEL,
                    &format!("declare Bench load incident {n} sev3"),
                )
                .await
        } else {
            let room = &rooms[(n / 2) % rooms.len()];
            slash
                .run(&user, room, &format!("note bench note {n} during load"))
                .await
        };
        let name = if is_declare { "declare" } else { "note" };
        let label = match &answer {
            // A 200 that is not "Declared incident #N" is a refusal, not a success.
            Ok(a) if is_declare && crate::slash::incident_number(&a.body).is_none() => {
                format!("{name}:{}:refused", a.status)
            }
            Ok(a) => format!("{name}:{}", a.status),
            Err(_) => format!("{name}:error"),
        };
        *statuses.entry(label).or_default() += 1;
        if let Ok(a) = answer {
            let us = a.latency.as_micros() as u64;
            if is_declare { &mut declare } else { &mut note }.push(us);
        }
        n += 1;
        tokio::time::sleep(interval).await;
    }
    Ok((declare, note, statuses))
}
