//! The load: N concurrent HTTP/1.1 keep-alive connections. Closed loop (the default):
//! each connection takes the next event, signs it now, POSTs it to `/slack/events` and
//! times it from send to response headers. Open loop (`rate`): event k is due at
//! k ÷ rate seconds; a free connection waits for its due time, and the latency counts
//! from then, so time spent queued behind a slow server is counted rather than hidden
//! (no coordinated omission).

use crate::sign::{SIGNATURE_HEADER, Signer, TIMESTAMP_HEADER};
use crate::stats::StatusHistogram;
use crate::workload::{Generator, Kind};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Base URL of the server, e.g. `http://127.0.0.1:3000`.
    pub url: String,
    pub signing_secret: String,
    pub connections: usize,
    /// Stop after this long even if events remain.
    pub duration: Option<Duration>,
    /// Per-request timeout; a timed-out request counts as `error:timeout`.
    pub request_timeout: Duration,
    /// Open loop: offer this many events per second across all connections.
    pub rate: Option<f64>,
    /// Requests started this early in the run are sent and verified but left out of
    /// the latency figures: connections, caches and pools are still filling.
    pub warmup: Duration,
}

/// Everything one run observed.
#[derive(Debug, Default)]
pub struct LoadOutcome {
    pub elapsed: Duration,
    /// Send → response headers, in µs, one per completed or failed request after
    /// the warm-up.
    pub latencies_us: Vec<u64>,
    /// Requests started during the warm-up.
    pub warmup_requests: usize,
    /// When each request finished, in ms since the start.
    pub completions_ms: Vec<u32>,
    pub statuses: StatusHistogram,
    /// By delivery index: whether the server answered 2xx.
    pub acked: Vec<bool>,
    /// Deliveries by kind, and how many of each were acknowledged.
    pub sent_by_kind: std::collections::BTreeMap<&'static str, (u64, u64)>,
}

struct WorkerResult {
    latencies_us: Vec<u64>,
    warmup_requests: usize,
    completions_ms: Vec<u32>,
    statuses: StatusHistogram,
    results: Vec<(u32, Kind, bool)>,
}

/// One client per connection, so N connections really are N sockets.
pub fn client(request_timeout: Duration) -> anyhow::Result<reqwest::Client> {
    crate::install_crypto_provider();
    Ok(reqwest::Client::builder()
        .http1_only()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .timeout(request_timeout)
        .build()?)
}

/// Label for a failed request: `error:timeout`, `error:connect`, `error:other`.
pub fn error_label(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "error:timeout".into()
    } else if e.is_connect() {
        "error:connect".into()
    } else {
        "error:other".into()
    }
}

/// Runs the load until the generator is exhausted or the duration has passed.
pub async fn run(
    config: &LoadConfig,
    generator: Arc<Mutex<Generator>>,
) -> anyhow::Result<LoadOutcome> {
    let endpoint = format!("{}/slack/events", config.url.trim_end_matches('/'));
    let signer = Signer::new(&config.signing_secret);
    let run = generator.lock().expect("generator lock").run().clone();
    let start = Instant::now();
    let deadline = config.duration.map(|d| start + d);
    let rate = config.rate.filter(|r| *r > 0.0);
    let warmup = config.warmup;
    let mut tasks = Vec::with_capacity(config.connections);
    for _ in 0..config.connections.max(1) {
        let http = client(config.request_timeout)?;
        let generator = generator.clone();
        let endpoint = endpoint.clone();
        let signer = signer.clone();
        let run = run.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = WorkerResult {
                latencies_us: Vec::new(),
                warmup_requests: 0,
                completions_ms: Vec::new(),
                statuses: StatusHistogram::new(),
                results: Vec::new(),
            };
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let Some(planned) = generator.lock().expect("generator lock").next_event() else {
                    break;
                };
                // Open loop: wait for the event's slot and time it from there.
                let due = rate.map(|r| start + Duration::from_secs_f64(planned.index as f64 / r));
                if let Some(due) = due {
                    tokio::time::sleep_until(due.into()).await;
                }
                let body = run.body(&planned);
                let (signature, timestamp) = signer.headers_now(&body);
                let mut req = http
                    .post(&endpoint)
                    .header("content-type", "application/json")
                    .header(SIGNATURE_HEADER, signature)
                    .header(TIMESTAMP_HEADER, timestamp);
                if planned.kind == Kind::Dup {
                    // What Slack adds when it redelivers.
                    req = req
                        .header("x-slack-retry-num", "1")
                        .header("x-slack-retry-reason", "http_timeout");
                }
                let t0 = due.unwrap_or_else(Instant::now);
                let sent = req.body(body).send().await;
                let latency = t0.elapsed();
                let (label, ok) = match sent {
                    Ok(res) => {
                        let status = res.status();
                        // Read the body so the connection can be reused.
                        let _ = res.bytes().await;
                        (status.as_str().to_string(), status.is_success())
                    }
                    Err(e) => (error_label(&e), false),
                };
                if t0.duration_since(start) < warmup {
                    out.warmup_requests += 1;
                } else {
                    out.latencies_us.push(latency.as_micros() as u64);
                }
                out.completions_ms
                    .push(start.elapsed().as_millis().min(u32::MAX as u128) as u32);
                *out.statuses.entry(label).or_default() += 1;
                out.results.push((planned.index, planned.kind, ok));
            }
            out
        }));
    }
    let mut outcome = LoadOutcome::default();
    let mut results = Vec::new();
    for t in tasks {
        let w = t.await?;
        outcome.latencies_us.extend(w.latencies_us);
        outcome.warmup_requests += w.warmup_requests;
        outcome.completions_ms.extend(w.completions_ms);
        crate::stats::merge_histograms(&mut outcome.statuses, &w.statuses);
        results.extend(w.results);
    }
    outcome.elapsed = start.elapsed();
    let generated = generator.lock().expect("generator lock").generated();
    outcome.acked = vec![false; generated];
    for kind in Kind::ALL {
        outcome.sent_by_kind.insert(kind.as_str(), (0, 0));
    }
    for (index, kind, ok) in results {
        outcome.acked[index as usize] = ok;
        let e = outcome.sent_by_kind.entry(kind.as_str()).or_default();
        e.0 += 1;
        e.1 += ok as u64;
    }
    Ok(outcome)
}
