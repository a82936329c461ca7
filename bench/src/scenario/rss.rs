//! `scenario rss`: the real `warroom serve` binary as a child process against a fake
//! Slack in this process; resident memory idle, then with N open incidents × M
//! messages each.

use super::env::{Backend, SIGNING_SECRET, TempDb, declare_incidents};
use crate::db::Db;
use crate::ingest::{self, IngestParams};
use crate::report::IngestReport;
use crate::slash::SlashClient;
use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use warroom_fakes::FakeSlack;

#[derive(Debug, Clone, Serialize)]
pub struct Params {
    pub binary: PathBuf,
    pub backend: Backend,
    pub incidents: usize,
    pub messages_per_incident: u64,
    pub connections: usize,
    /// Quiet time before each reading.
    pub settle_secs: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub idle_rss_kib: u64,
    pub loaded_rss_kib: u64,
    /// `VmHWM`: the most the process ever had resident.
    pub peak_rss_kib: u64,
    pub setup_secs: f64,
    pub ingest: IngestReport,
}

/// `target/release/warroom` of this workspace.
pub fn default_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/warroom")
}

/// `(VmRSS, VmHWM)` of a process, in KiB.
pub fn memory_kib(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("process {pid} is gone"))?;
    Ok((
        status_field(&status, "VmRSS:"),
        status_field(&status, "VmHWM:"),
    ))
}

fn status_field(status: &str, name: &str) -> u64 {
    status
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

pub async fn run(p: &Params) -> anyhow::Result<Outcome> {
    anyhow::ensure!(
        p.binary.exists(),
        "{} not found: build it with `cargo build --release --bin warroom`",
        p.binary.display()
    );
    let db = TempDb::create(p.backend).await?;
    let slack = FakeSlack::start().await;
    // Memory with a thousand war rooms, not Slack's 20 rooms a minute, is measured.
    slack.enforce_tiers(false);
    let work_dir = std::env::temp_dir().join(format!(
        "warroom-bench-rss-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&work_dir)?;
    let port = free_port()?;
    let log = std::fs::File::create(work_dir.join("warroom.log"))?;
    // A fresh working directory: no config/ files, so defaults apply and nobody is paged.
    let mut child = tokio::process::Command::new(&p.binary)
        .arg("serve")
        .current_dir(&work_dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("SLACK_API_URL", slack.api_url())
        .env("DATABASE_URL", &db.url)
        .env("WARROOM_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", p.binary.display()))?;
    let pid = child.id().context("child has no pid")?;
    let url = format!("http://127.0.0.1:{port}");
    let result = measure(p, pid, &url, &db, &slack).await;
    stop(&mut child, pid).await;
    if result.is_err() {
        let log = std::fs::read_to_string(work_dir.join("warroom.log")).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        eprintln!(
            "warroom log (last lines, newest first):\n{}",
            tail.join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(&work_dir);
    drop(db);
    result
}

async fn measure(
    p: &Params,
    pid: u32,
    url: &str,
    db: &TempDb,
    slack: &FakeSlack,
) -> anyhow::Result<Outcome> {
    wait_healthy(url, Duration::from_secs(30)).await?;
    let settle = Duration::from_secs_f64(p.settle_secs);
    tokio::time::sleep(settle).await;
    let (idle_rss_kib, _) = memory_kib(pid)?;
    println!("rss: idle {idle_rss_kib} KiB");

    let verify_db = Db::connect(&db.url).await?;
    let slash = SlashClient::new(url, SIGNING_SECRET, &slack.response_url("x"))?;
    let t = Instant::now();
    let rooms = declare_incidents(&slash, &verify_db, p.incidents, 8).await?;
    let setup_secs = t.elapsed().as_secs_f64();
    println!("rss: {} war rooms open after {setup_secs:.1}s", rooms.len());
    let params = IngestParams {
        url: url.to_string(),
        signing_secret: SIGNING_SECRET.into(),
        channels: rooms.into_iter().map(|(_, c)| c).collect(),
        connections: p.connections,
        // New messages only, handed out round-robin: exactly M per war room.
        events: Some(p.incidents as u64 * p.messages_per_incident),
        duration: None,
        mix: "new=1".parse()?,
        seed: 0x7255,
        settle: Duration::ZERO,
        request_timeout: Duration::from_secs(30),
        rate: None,
        warmup: Duration::ZERO,
    };
    let ingest = ingest::run(&params, Some(&verify_db)).await?;
    verify_db
        .wait_outbox_drained(Duration::from_secs(120))
        .await?;
    verify_db.close().await;
    tokio::time::sleep(settle).await;
    let (loaded_rss_kib, peak_rss_kib) = memory_kib(pid)?;
    Ok(Outcome {
        idle_rss_kib,
        loaded_rss_kib,
        peak_rss_kib,
        setup_secs,
        ingest,
    })
}

fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

async fn wait_healthy(url: &str, timeout: Duration) -> anyhow::Result<()> {
    let http = crate::load::client(Duration::from_secs(2))?;
    let start = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{url}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        anyhow::ensure!(
            start.elapsed() < timeout,
            "warroom did not answer /healthz within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// SIGTERM, then SIGKILL if it has not exited within 15 s.
async fn stop(child: &mut tokio::process::Child, pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    if tokio::time::timeout(Duration::from_secs(15), child.wait())
        .await
        .is_err()
    {
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_fields() {
        let s = "Name:\twarroom\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n";
        assert_eq!(status_field(s, "VmRSS:"), 10240);
        assert_eq!(status_field(s, "VmHWM:"), 20480);
        assert_eq!(status_field(s, "VmSwap:"), 0);
        let (rss, _) = memory_kib(std::process::id()).unwrap();
        assert!(rss > 0);
    }
}
