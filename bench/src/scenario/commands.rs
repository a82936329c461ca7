//! `scenario commands`: slash-command ack latency (`declare`, `note`) while message
//! ingest runs at full load into the same app.

use super::env::{Backend, InProcessApp, SIGNING_SECRET, TempDb, declare_incidents};
use crate::ingest::{self, IngestParams};
use crate::report::IngestReport;
use crate::slash::{self, DECLARE_CHANNEL, Planned};
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
    let warmup = Duration::from_secs(1).min(duration / 4);
    let stop = Instant::now() + duration.saturating_sub(Duration::from_millis(500));
    let (ingest, mut commands) = tokio::join!(
        ingest::run(&params, Some(&app.db)),
        slash::drive(
            &slash,
            warmup,
            interval,
            || Instant::now() >= stop,
            |n| declare_or_note(n, &rooms)
        )
    );
    let mut take = |name: &str| commands.by_command.remove(name).unwrap_or_default();
    Ok(Outcome {
        declare: take("declare"),
        note: take("note"),
        statuses: commands.statuses,
        ingest: ingest?,
    })
}

/// Even turns declare a new incident, odd ones note into the war rooms in turn.
fn declare_or_note(n: usize, rooms: &[String]) -> Planned {
    if n.is_multiple_of(2) {
        Planned {
            name: "declare".into(),
            channel: DECLARE_CHANNEL.into(),
            text: format!("declare Bench load incident {n} sev3"),
            expect_declared: true,
        }
    } else {
        Planned {
            name: "note".into(),
            channel: rooms[(n / 2) % rooms.len()].clone(),
            text: format!("note bench note {n} during load"),
            expect_declared: false,
        }
    }
}
