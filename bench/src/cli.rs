//! Command line: `ingest` against any server, `scenario …` self-contained, `smoke`.

use crate::db::Db;
use crate::ingest::{IngestParams, parse_duration};
use crate::report::IngestReport;
use crate::scenario::{self, env::Backend};
use crate::slash::{self, Planned, SlashClient};
use crate::workload::Mix;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

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
    Ingest(Box<IngestArgs>),
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
    /// Also send this slash command's text while the load runs, e.g.
    /// `--command "note load test"` (repeat for several, sent in turn). Each goes to
    /// the next of `--channels`; its ack latency is reported by its first word.
    #[arg(long = "command", value_name = "TEXT")]
    pub commands: Vec<String>,
    /// Pause between two slash commands (one in flight at a time).
    #[arg(long, default_value = "100ms", value_parser = parse_duration)]
    pub command_interval: Duration,
    /// The slash command the texts are sent as.
    #[arg(long, default_value = "/incident")]
    pub slash_command: String,
    /// `response_url` given with each command, for answers the server posts later.
    /// Nothing listens there by default.
    #[arg(long, default_value = "http://127.0.0.1:9/slash-responses")]
    pub response_url: String,
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
    /// Alert → page: Alertmanager notifications one at a time and in a storm, and
    /// slash-command declares, timed to the PagerDuty trigger, the Slack DM page
    /// shown (post or update) and notified (the post that rang), and the war room;
    /// fails on a wrong count (incidents, triggers, pages notified once, war rooms).
    AlertStorm {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        /// Alerts sent one at a time, each a new group.
        #[arg(long, default_value_t = 20)]
        alerts: usize,
        /// Notifications in the storm.
        #[arg(long, default_value_t = 500)]
        notifications: usize,
        /// Alert groups the storm's notifications take turns between.
        #[arg(long, default_value_t = 20)]
        groups: usize,
        /// The storm's open-loop rate, notifications per second.
        #[arg(long, default_value_t = 50.0)]
        rate: f64,
        /// Slash-command declares one at a time.
        #[arg(long, default_value_t = 20)]
        declares: usize,
        /// Slash-command declares sent at once.
        #[arg(long, default_value_t = 20)]
        burst: usize,
        /// Pause after each one-at-a-time incident is ready.
        #[arg(long, default_value = "1s", value_parser = parse_duration)]
        gap: Duration,
        /// How long a phase waits for its pages and war rooms.
        #[arg(long, default_value = "300s", value_parser = parse_duration)]
        timeout: Duration,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Dashboard page render times (p50/p99) over a seeded history: `incidents`
    /// incidents over two years, one of them a war room of `big_entries` entries.
    Dashboard {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 10_000)]
        incidents: usize,
        /// Timeline entries of the one big incident.
        #[arg(long, default_value_t = 100_000)]
        big_entries: usize,
        /// Incidents are declared over this many days before now.
        #[arg(long, default_value_t = 730)]
        span_days: i64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Timed GETs per page.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Untimed GETs per page first.
        #[arg(long, default_value_t = 20)]
        warmup: usize,
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
        Command::Ingest(a) => ingest(*a).await,
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
    let report = if a.commands.is_empty() {
        crate::ingest::run(&params, db.as_ref()).await?
    } else {
        let slash = SlashClient::new(&params.url, &params.signing_secret, &a.response_url)?
            .with_command(&a.slash_command);
        let load_done = AtomicBool::new(false);
        // Stop commands half a second before a timed load ends, or when it finishes.
        let stop = a
            .duration
            .map(|d| Instant::now() + d.saturating_sub(Duration::from_millis(500)));
        let load = async {
            let report = crate::ingest::run(&params, db.as_ref()).await;
            load_done.store(true, Ordering::Relaxed);
            report
        };
        let (report, commands) = tokio::join!(
            load,
            slash::drive(
                &slash,
                a.warmup,
                a.command_interval,
                || load_done.load(Ordering::Relaxed) || stop.is_some_and(|s| Instant::now() >= s),
                |n| planned_command(n, &a.commands, &params.channels),
            )
        );
        let mut report = report?;
        report.commands = Some(commands);
        report
    };
    report.print();
    if let Some(path) = &a.json {
        crate::report::write_json(path, &report)?;
    }
    Ok(verdict(&report))
}

/// The `n`th command: the texts in turn, each to the next channel.
fn planned_command(n: usize, texts: &[String], channels: &[String]) -> Planned {
    let text = texts[n % texts.len()].trim().to_string();
    let name = text
        .split_whitespace()
        .next()
        .unwrap_or("(empty)")
        .to_string();
    Planned {
        expect_declared: name == "declare",
        name,
        channel: channels[n % channels.len()].clone(),
        text,
    }
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
            println!(
                "  command statuses {}",
                crate::stats::describe(&out.statuses)
            );
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
        Scenario::AlertStorm {
            backend,
            alerts,
            notifications,
            groups,
            rate,
            declares,
            burst,
            gap,
            timeout,
            json,
        } => {
            let p = scenario::alert_storm::Params {
                backend,
                alerts,
                notifications,
                groups,
                rate,
                declares,
                burst,
                gap_ms: gap.as_millis() as u64,
                timeout_secs: timeout.as_secs_f64(),
            };
            let out = scenario::alert_storm::run(&p).await?;
            out.print(p.backend);
            scenario::save(json.as_deref(), "alert-storm", started, &p, &out)?;
            Ok(if out.problems() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Scenario::Dashboard {
            backend,
            incidents,
            big_entries,
            span_days,
            seed,
            requests,
            warmup,
            json,
        } => {
            let p = scenario::dashboard::Params {
                backend,
                incidents,
                big_entries,
                span_days,
                big_days_ago: 40,
                seed,
                requests,
                warmup,
            };
            let out = scenario::dashboard::run(&p).await?;
            out.print(backend);
            scenario::save(json.as_deref(), "dashboard", started, &p, &out)?;
            Ok(if out.problems() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_take_turns_and_each_goes_to_the_next_channel() {
        let texts = [
            "note first".to_string(),
            " declare DB down sev2".to_string(),
        ];
        let channels = ["C1".to_string(), "C2".to_string(), "C3".to_string()];
        let plan: Vec<Planned> = (0..4)
            .map(|n| planned_command(n, &texts, &channels))
            .collect();
        let seen: Vec<(&str, &str, &str)> = plan
            .iter()
            .map(|p| (p.name.as_str(), p.channel.as_str(), p.text.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("note", "C1", "note first"),
                ("declare", "C2", "declare DB down sev2"),
                ("note", "C3", "note first"),
                ("declare", "C1", "declare DB down sev2"),
            ]
        );
        assert_eq!(
            plan.iter().map(|p| p.expect_declared).collect::<Vec<_>>(),
            [false, true, false, true]
        );
    }

    #[test]
    fn alert_storm_defaults_to_20_alerts_and_500_notifications_in_20_groups_at_50_a_second() {
        let cli =
            Cli::try_parse_from(["warroom-bench", "scenario", "alert-storm"]).expect("parses");
        let Command::Scenario(Scenario::AlertStorm {
            backend,
            alerts,
            notifications,
            groups,
            rate,
            declares,
            burst,
            ..
        }) = cli.command
        else {
            panic!("not alert-storm: {:?}", cli.command)
        };
        assert_eq!(backend, Backend::Sqlite);
        assert_eq!(
            (alerts, notifications, groups, declares, burst),
            (20, 500, 20, 20, 20)
        );
        assert_eq!(rate, 50.0);
    }

    #[test]
    fn the_command_line_takes_repeated_commands_and_a_slash_command_name() {
        let cli = Cli::try_parse_from([
            "warroom-bench",
            "ingest",
            "--signing-secret",
            "s",
            "--channels",
            "C1",
            "--events",
            "10",
            "--command",
            "note a",
            "--command",
            "status",
            "--slash-command",
            "oncall",
        ])
        .expect("parses");
        let Command::Ingest(a) = cli.command else {
            panic!("not ingest: {:?}", cli.command)
        };
        assert_eq!(a.commands, ["note a", "status"]);
        assert_eq!(a.slash_command, "oncall");
        assert_eq!(a.command_interval, Duration::from_millis(100));
    }
}
