//! `scenario ingest`: message events into the war rooms of K open incidents, on a
//! fresh database, through the app started in-process, then read back.

use super::env::{Backend, InProcessApp, SIGNING_SECRET, TempDb, declare_incidents};
use crate::ingest::{self, IngestParams};
use crate::report::IngestReport;
use crate::workload::Mix;
use serde::Serialize;
use std::time::{Duration, Instant};
use warroom_fakes::FakeSlack;

#[derive(Debug, Clone, Serialize)]
pub struct Params {
    pub backend: Backend,
    pub incidents: usize,
    pub connections: usize,
    pub events: Option<u64>,
    pub duration_secs: Option<f64>,
    pub mix: Mix,
    /// Open loop at this many events per second; `None`: closed loop.
    pub rate: Option<f64>,
    /// Seconds at the start left out of the latency figures.
    pub warmup_secs: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Declaring the incidents and waiting for their war rooms.
    pub setup_secs: f64,
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
    let t = Instant::now();
    let rooms = declare_incidents(&app.slash()?, &app.db, p.incidents, 4).await?;
    let setup_secs = t.elapsed().as_secs_f64();
    let params = IngestParams {
        url: app.url.clone(),
        signing_secret: SIGNING_SECRET.into(),
        channels: rooms.into_iter().map(|(_, c)| c).collect(),
        connections: p.connections,
        events: p.events,
        duration: p.duration_secs.map(Duration::from_secs_f64),
        mix: p.mix,
        seed: 0x5eed,
        settle: Duration::ZERO,
        request_timeout: Duration::from_secs(30),
        rate: p.rate,
        warmup: Duration::from_secs_f64(p.warmup_secs),
    };
    let ingest = ingest::run(&params, Some(&app.db)).await?;
    Ok(Outcome { setup_secs, ingest })
}
