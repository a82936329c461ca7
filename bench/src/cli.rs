//! Command line: `ingest` against any server, `scenario …` self-contained, `smoke`.

use crate::db::Db;
use crate::ingest::{IngestParams, parse_duration};
use crate::report::IngestReport;
use crate::scenario::{self, env::Backend};
use crate::workload::Mix;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "warroom-bench",
    version,
    about = "Load and benchmark harness for Warroom"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Signed Slack message events against a running server.
    Ingest(IngestArgs),
    /// A self-contained measurement (starts its own fake Slack, database and app).
    #[command(subcommand)]
    Scenario(Scenario),
    /// A few seconds of ingest on SQLite; fails unless nothing is lost or duplicated.
    Smoke {
        #[arg(long, default_value = "3s", value_parser = parse_duration)]
        duration: Duration,
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Base URL of the server (events go to `<url>/slack/events`).
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub url: String,
    #[arg(long, env = "SLACK_SIGNING_SECRET", hide_env_values = true)]
    pub signing_secret: String,
    /// War-room channel ids, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub channels: Vec<String>,
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// At most this many deliveries.
    #[arg(long)]
    pub events: Option<u64>,
    /// At most this long (e.g. 10s, 500ms, 2m).
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    #[arg(long, default_value = "new=70,reply=15,edit=10,dup=5")]
    pub mix: Mix,
    /// Open loop: offer this many events per second in all and time each from when
    /// it was due. Without it, each connection sends as soon as its last answer came.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Leave requests started this early out of the latency figures (they are still
    /// sent and verified): connections, caches and pools are filling.
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub warmup: Duration,
    /// Database to read back from (`sqlite://…` or `postgres://…`).
    #[arg(long)]
    pub verify_db: Option<String>,
    /// Pause before the read-back.
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub settle: Duration,
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Also write the result as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Scenario {
    /// Ingest into the war rooms of K open incidents, through the app in-process.
    Ingest {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 10)]
        incidents: usize,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long, default_value_t = 20_000)]
        events: u64,
        #[arg(long, value_parser = parse_duration)]
        duration: Option<Duration>,
        #[arg(long, default_value = "new=70,reply=15,edit=10,dup=5")]
        mix: Mix,
        /// Open loop at this many events per second (see `ingest --rate`).
        #[arg(long)]
        rate: Option<f64>,
        /// Left out of the latency figures (see `ingest --warmup`).
        #[arg(long, default_value = "0s", value_parser = parse_duration)]
        warmup: Duration,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// `declare` and `note` ack latency while ingest runs at full load.
    Commands {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 10)]
        incidents: usize,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        duration: Duration,
        /// Pause between commands.
        #[arg(long, default_value = "50ms", value_parser = parse_duration)]
        interval: Duration,
        #[arg(long, default_value = "new=70,reply=15,edit=10,dup=5")]
        mix: Mix,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// RSS of the real `warroom serve`, idle and with N incidents × M messages.
    Rss {
        /// Defaults to this workspace's target/release/warroom.
        #[arg(long)]
        binary: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 1000)]
        incidents: usize,
        #[arg(long, default_value_t = 100)]
        messages: u64,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        #[arg(long, default_value = "3s", value_parser = parse_duration)]
        settle: Duration,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Drain queued posts against a per-channel post limit.
    Outbound {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 50)]
        channels: usize,
        #[arg(long, default_value_t = 10)]
        posts_per_channel: usize,
        /// Posts per channel per second the fake Slack accepts.
        #[arg(long, default_value_t = 1.0)]
        rate: f64,
        #[arg(long, default_value = "120s", value_parser = parse_duration)]
        timeout: Duration,
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let started = chrono::Utc::now();
    match cli.command {
        Command::Ingest(a) => ingest(a).await,
        Command::Smoke { duration, json } => {
            let (outcome, problems) = scenario::smoke::run(duration.as_secs_f64()).await?;
            outcome.ingest.print();
            let p = scenario::smoke::params(duration.as_secs_f64());
            scenario::save(json.as_deref(), "smoke", started, &p, &outcome)?;
            for problem in &problems {
                println!("smoke FAILED: {problem}");
            }
            let ok = problems.is_empty();
            println!("smoke: {} passed, {} failed", ok as u8, !ok as u8);
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Command::Scenario(s) => run_scenario(s, started).await,
    }
}

async fn ingest(a: IngestArgs) -> anyhow::Result<ExitCode> {
    let params = IngestParams {
        url: a.url,
        signing_secret: a.signing_secret,
        channels: a.channels,
        connections: a.connections,
        events: a.events,
        duration: a.duration,
        mix: a.mix,
        seed: a.seed,
        settle: a.settle,
        request_timeout: a.timeout,
        rate: a.rate,
        warmup: a.warmup,
    };
    let db = match &a.verify_db {
        Some(url) => Some(Db::connect(url).await?),
        None => None,
    };
    let report = crate::ingest::run(&params, db.as_ref()).await?;
    report.print();
    if let Some(path) = &a.json {
        crate::report::write_json(path, &report)?;
    }
    Ok(verdict(&report))
}

/// Failure exit when nothing was acknowledged, or the read-back found lost,
/// duplicated or wrong rows.
fn verdict(report: &IngestReport) -> ExitCode {
    match &report.verify {
        _ if report.acked == 0 => ExitCode::FAILURE,
        Some(v) if !v.ok() => ExitCode::FAILURE,
        _ => ExitCode::SUCCESS,
    }
}

async fn run_scenario(
    s: Scenario,
    started: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<ExitCode> {
    match s {
        Scenario::Ingest {
            backend,
            incidents,
            connections,
            events,
            duration,
            mix,
            rate,
            warmup,
            json,
        } => {
            let p = scenario::ingest::Params {
                backend,
                incidents,
                connections,
                events: Some(events),
                duration_secs: duration.map(|d| d.as_secs_f64()),
                mix,
                rate,
                warmup_secs: warmup.as_secs_f64(),
            };
            let out = scenario::ingest::run(&p).await?;
            println!(
                "scenario ingest: {} backend, {incidents} incidents (war rooms ready in {:.1}s)",
                backend.as_str(),
                out.setup_secs
            );
            out.ingest.print();
            scenario::save(json.as_deref(), "ingest", started, &p, &out)?;
            Ok(verdict(&out.ingest))
        }
        Scenario::Commands {
            backend,
            incidents,
            connections,
            duration,
            interval,
            mix,
            json,
        } => {
            let p = scenario::commands::Params {
                backend,
                incidents,
                connections,
                duration_secs: duration.as_secs_f64(),
                interval_ms: interval.as_millis() as u64,
                mix,
            };
            let out = scenario::commands::run(&p).await?;
            out.ingest.print();
            for (name, l) in [("declare", &out.declare), ("note", &out.note)] {
                println!(
                    "  /incident {name:<8} n={} p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
                    l.count, l.p50_ms, l.p99_ms, l.max_ms
                );
            }
            println!("  command statuses {:?}", out.statuses);
            scenario::save(json.as_deref(), "commands", started, &p, &out)?;
            Ok(verdict(&out.ingest))
        }
        Scenario::Rss {
            binary,
            backend,
            incidents,
            messages,
            connections,
            settle,
            json,
        } => {
            let p = scenario::rss::Params {
                binary: binary.unwrap_or_else(scenario::rss::default_binary),
                backend,
                incidents,
                messages_per_incident: messages,
                connections,
                settle_secs: settle.as_secs_f64(),
            };
            let out = scenario::rss::run(&p).await?;
            out.ingest.print();
            println!(
                "rss: idle {:.1} MiB, loaded ({incidents} incidents × {messages} messages) {:.1} MiB, peak {:.1} MiB",
                out.idle_rss_kib as f64 / 1024.0,
                out.loaded_rss_kib as f64 / 1024.0,
                out.peak_rss_kib as f64 / 1024.0
            );
            scenario::save(json.as_deref(), "rss", started, &p, &out)?;
            Ok(verdict(&out.ingest))
        }
        Scenario::Outbound {
            backend,
            channels,
            posts_per_channel,
            rate,
            timeout,
            json,
        } => {
            let p = scenario::outbound::Params {
                backend,
                channels,
                posts_per_channel,
                rate_per_channel: rate,
                timeout_secs: timeout.as_secs_f64(),
            };
            let out = scenario::outbound::run(&p).await?;
            println!(
                "outbound: {}/{} posts in {:.2}s = {:.1}/s; bound {:.0}/s → ratio {:.2}; efficiency {:.2} (ideal {:.1}s); 429s {}; unhandled {}; outbox failed {}",
                out.delivered,
                out.posts,
                out.drain_secs,
                out.throughput_per_sec,
                out.bound_per_sec,
                out.ratio,
                out.efficiency,
                out.ideal_drain_secs,
                out.rate_limited_429s,
                out.unhandled,
                out.outbox_failed
            );
            scenario::save(json.as_deref(), "outbound", started, &p, &out)?;
            Ok(if out.unhandled == 0 && out.outbox_failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
