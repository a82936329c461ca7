//! Results: the machine-readable report, the human summary, and the machine it ran on.

use crate::load::LoadOutcome;
use crate::stats::{LatencySummary, RateSummary, StatusHistogram, rates};
use crate::verify::VerifyReport;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    pub url: String,
    pub connections: usize,
    /// Open loop: the events per second offered. `None`: closed loop.
    pub offered_rate: Option<f64>,
    pub channels: usize,
    pub mix: crate::workload::Mix,
    pub elapsed_secs: f64,
    pub requests: usize,
    /// Requests in the warm-up: sent and verified, not in `latency`.
    pub warmup_requests: usize,
    pub acked: usize,
    pub throughput: RateSummary,
    pub latency: LatencySummary,
    pub statuses: StatusHistogram,
    /// kind → [sent, acknowledged]
    pub by_kind: BTreeMap<&'static str, (u64, u64)>,
    pub verify: Option<VerifyReport>,
    /// Slash commands sent beside the load (`ingest --command …`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commands: Option<crate::slash::CommandsReport>,
}

impl IngestReport {
    pub fn new(
        url: &str,
        connections: usize,
        offered_rate: Option<f64>,
        channels: usize,
        mix: crate::workload::Mix,
        mut outcome: LoadOutcome,
        verify: Option<VerifyReport>,
    ) -> Self {
        let elapsed = outcome.elapsed.as_secs_f64();
        IngestReport {
            url: url.to_string(),
            connections,
            offered_rate,
            channels,
            mix,
            elapsed_secs: elapsed,
            requests: outcome.latencies_us.len() + outcome.warmup_requests,
            warmup_requests: outcome.warmup_requests,
            acked: outcome.acked.iter().filter(|a| **a).count(),
            throughput: rates(&outcome.completions_ms, elapsed),
            latency: LatencySummary::from_micros(&mut outcome.latencies_us),
            statuses: outcome.statuses,
            by_kind: outcome.sent_by_kind,
            verify,
            commands: None,
        }
    }

    pub fn print(&self) {
        let t = &self.throughput;
        let l = &self.latency;
        let mode = match self.offered_rate {
            Some(r) => format!("open loop at {r:.0} ev/s"),
            None => "closed loop".to_string(),
        };
        println!(
            "ingest: {} requests in {:.2}s over {} connections, {} channels, {mode}",
            self.requests, self.elapsed_secs, self.connections, self.channels
        );
        if t.whole_seconds == 0 {
            println!(
                "  throughput  {:.0} ev/s overall (under a second: no per-second figures)",
                t.overall_per_sec
            );
        } else {
            println!(
                "  throughput  {:.0} ev/s overall; per whole second min {:.0} / median {:.0} / max {:.0}",
                t.overall_per_sec, t.min_per_sec, t.median_per_sec, t.max_per_sec
            );
        }
        if self.warmup_requests > 0 {
            println!(
                "  warm-up     the first {} requests are left out of the latencies",
                self.warmup_requests
            );
        }
        println!(
            "  ack latency p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  p99.9 {:.2} ms  max {:.2} ms",
            l.p50_ms, l.p90_ms, l.p99_ms, l.p999_ms, l.max_ms
        );
        println!("  statuses    {}", crate::stats::describe(&self.statuses));
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, (s, a))| format!("{k} {a}/{s}"))
            .collect();
        println!("  acked/sent  {}", kinds.join(", "));
        if let Some(v) = &self.verify {
            println!(
                "  store       expected {} stored {} lost {} duplicated {} unexpected {} edits {}/{} text mismatches {}",
                v.expected,
                v.stored,
                v.lost,
                v.duplicated,
                v.unexpected,
                v.edits_applied,
                v.edits_expected,
                v.text_mismatch
            );
            for e in &v.examples {
                println!("    {e}");
            }
        }
        if let Some(c) = &self.commands {
            c.print();
        }
    }
}

/// The machine a result was measured on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
    pub build: &'static str,
}

impl Machine {
    pub fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find(|l| l.starts_with("model name"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let mem_kb: f64 = meminfo
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: (mem_kb / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .unwrap_or_default()
                .trim()
                .to_string(),
            build: if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
        }
    }
}

/// Writes `value` as pretty JSON, creating the parent directory.
pub fn write_json(path: &Path, value: &impl Serialize) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(value)? + "\n")?;
    println!("wrote {}", path.display());
    Ok(())
}
