//! `scenario dashboard`: how fast the web dashboard renders with a long history.
//! A fresh database is seeded (not timed with the pages) with `incidents` incidents
//! declared over about two years ([`history`]), one of them a war room of
//! `big_entries` timeline entries ([`big`]), written in one transaction ([`seed`]).
//! Then `warroom dashboard`'s server runs on it (open, on loopback, no workers) and
//! each page is timed ([`measure`]): the list, a filtered list, the trends, an
//! ordinary incident, the big incident's first and last timeline pages, the on-call
//! report of a week and a postmortem download. Last, the full app (`warroom serve`'s,
//! with a fake Slack) serves `GET /metrics` on the same database, and its scrape is
//! timed the same way.

mod batch;
mod big;
mod history;
mod lifecycle;
mod measure;
mod seed;
mod synth;

use super::env::{Backend, TempDb};
use serde::Serialize;
use std::time::Instant;
use warroom::store::Store;

#[derive(Debug, Clone, Serialize)]
pub struct Params {
    pub backend: Backend,
    pub incidents: usize,
    pub big_entries: usize,
    /// Incidents are declared over this many days before now.
    pub span_days: i64,
    /// The big incident was declared about this many days ago.
    pub big_days_ago: i64,
    pub seed: u64,
    /// Timed GETs per page, after `warmup` untimed ones.
    pub requests: usize,
    pub warmup: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Generating the history in memory.
    pub plan_secs: f64,
    /// Writing it, one transaction (and ANALYZE on PostgreSQL); not in any page time.
    pub seed_secs: f64,
    pub rows: seed::Rows,
    pub big_incident_id: i64,
    /// A closed SEV2 of the last months, with action items: an ordinary incident.
    pub sample_incident_id: i64,
    /// Each page's render time, to the last byte.
    pub pages: Vec<measure::PageTiming>,
}

pub async fn run(p: &Params) -> anyhow::Result<Outcome> {
    let db = TempDb::create(p.backend).await?;
    let store = Store::connect(&db.url).await?;
    let started = Instant::now();
    let shape = history::Shape {
        incidents: p.incidents,
        big_entries: p.big_entries,
        span_days: p.span_days,
        big_days_ago: p.big_days_ago,
        seed: p.seed,
        now: chrono::Utc::now(),
    };
    let (plan, big) = history::plan(&shape);
    let plan_secs = started.elapsed().as_secs_f64();
    let seeded = seed::seed(&store, &plan, big).await;
    store.close().await;
    let seeded = seeded?;
    // Progress on stderr: a page that takes seconds shows which one it is, instead
    // of a run that prints nothing until its end.
    eprintln!(
        "dashboard ({}): seeded in {:.1}s; timing pages",
        p.backend.as_str(),
        seeded.secs
    );
    let sample = sample(&plan, big)
        .map(|k| seeded.ids[k])
        .ok_or_else(|| anyhow::anyhow!("no closed SEV2 with action items in the history"))?;
    drop(plan);
    let mut pages = time_pages(p, &db, seeded.big_id, sample).await?;
    pages.push(time_metrics(p, &db).await?);
    drop(db);
    Ok(Outcome {
        plan_secs,
        seed_secs: seeded.secs,
        rows: seeded.rows,
        big_incident_id: seeded.big_id,
        sample_incident_id: sample,
        pages,
    })
}

/// The dashboard alone on the seeded database, each page timed in turn.
async fn time_pages(
    p: &Params,
    db: &TempDb,
    big: i64,
    sample: i64,
) -> anyhow::Result<Vec<measure::PageTiming>> {
    let settings = super::env::settings(&db.url, "http://127.0.0.1:9/api")?;
    let server = warroom::web::DashboardServer::build(
        settings,
        "127.0.0.1:0".parse()?,
        warroom::clock::Clock::new(),
    )
    .await?;
    let base = format!("http://127.0.0.1:{}", server.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let client = measure::Pages::new(&base, None)?;
    let targets = [
        ("list", "/dashboard/".to_string()),
        (
            "list filtered",
            "/dashboard/?status=closed&severity=2".to_string(),
        ),
        ("trends", "/dashboard/trends".to_string()),
        ("incident", format!("/dashboard/incidents/{sample}")),
        (
            "big incident, first page",
            format!("/dashboard/incidents/{big}"),
        ),
        (
            "big incident, last page",
            format!("/dashboard/incidents/{big}?page=last"),
        ),
        (
            "on-call report, 7 days",
            "/dashboard/report?since=7d".to_string(),
        ),
        (
            "postmortem download",
            format!("/dashboard/incidents/{sample}/postmortem.md"),
        ),
    ];
    let mut timings = Vec::new();
    for (name, path) in targets {
        let t = client.time(name, &path, p.warmup, p.requests).await?;
        eprintln!("  timed {name}: p50 {:.2} ms", t.latency.p50_ms);
        timings.push(t);
    }
    let _ = stop.send(());
    running.await??;
    Ok(timings)
}

/// `GET /metrics` from the full app on the seeded database: the process's counters
/// and the database's gauges (open incidents, outbox backlog) read at scrape time.
async fn time_metrics(p: &Params, db: &TempDb) -> anyhow::Result<measure::PageTiming> {
    let slack = warroom_fakes::FakeSlack::start().await;
    let app = super::env::InProcessApp::start(db, slack).await?;
    let client = measure::Pages::new(&app.url, None)?;
    let timing = client
        .time("/metrics scrape", "/metrics", p.warmup, p.requests)
        .await;
    app.stop().await?;
    timing
}

/// The newest closed SEV2 with action items (not the big incident).
fn sample(plan: &[history::Planned], big: usize) -> Option<usize> {
    plan.iter().enumerate().rev().find_map(|(k, p)| {
        let i = &p.incident;
        (k != big
            && i.severity.level() == 2
            && i.status == warroom::domain::Status::Closed
            && !p.actions.is_empty())
        .then_some(k)
    })
}

impl Outcome {
    pub fn print(&self, backend: Backend) {
        let r = &self.rows;
        println!(
            "dashboard ({}): seeded {} incidents ({} open), {} timeline entries ({} in #{}), {} pages ({} acked), {} action items in {:.1}s (plan {:.1}s)",
            backend.as_str(),
            r.incidents,
            r.open_incidents,
            r.timeline_entries,
            r.big_incident_entries,
            self.big_incident_id,
            r.pages,
            r.acked_pages,
            r.action_items,
            self.seed_secs,
            self.plan_secs
        );
        for t in &self.pages {
            println!(
                "  {:<28} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  {:>7} bytes{}",
                t.name,
                t.latency.p50_ms,
                t.latency.p99_ms,
                t.latency.max_ms,
                t.bytes,
                if t.ok() { "" } else { "  NOT ALL 200" }
            );
        }
    }

    /// Pages that did not answer 200 every time.
    pub fn problems(&self) -> usize {
        self.pages.iter().filter(|t| !t.ok()).count()
    }
}
