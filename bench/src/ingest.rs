//! One ingest run: generate, load, and (optionally) read back through the store.

use crate::db::Db;
use crate::load::{self, LoadConfig};
use crate::report::IngestReport;
use crate::verify;
use crate::workload::{Generator, Mix, Run};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct IngestParams {
    pub url: String,
    pub signing_secret: String,
    pub channels: Vec<String>,
    pub connections: usize,
    /// At most this many deliveries.
    pub events: Option<u64>,
    /// At most this long.
    pub duration: Option<Duration>,
    pub mix: Mix,
    pub seed: u64,
    /// Pause between the last ack and the read-back, for servers that store after
    /// acknowledging (Warroom stores first, so 0 is enough for it).
    pub settle: Duration,
    pub request_timeout: Duration,
    /// Open loop at this many events per second (see `load`); `None`: closed loop.
    pub rate: Option<f64>,
    /// Left out of the latency figures (see `load`).
    pub warmup: Duration,
}

pub async fn run(params: &IngestParams, verify_db: Option<&Db>) -> anyhow::Result<IngestReport> {
    anyhow::ensure!(!params.channels.is_empty(), "no channels to send to");
    anyhow::ensure!(
        params.events.is_some() || params.duration.is_some(),
        "give --events, --duration or both"
    );
    let run = Run::new(params.channels.clone());
    let generator = Arc::new(Mutex::new(Generator::new(
        run,
        params.mix,
        params.events,
        params.seed,
    )));
    let config = LoadConfig {
        url: params.url.clone(),
        signing_secret: params.signing_secret.clone(),
        connections: params.connections,
        duration: params.duration,
        request_timeout: params.request_timeout,
        rate: params.rate,
        warmup: params.warmup,
    };
    let outcome = load::run(&config, generator.clone()).await?;
    let verified = match verify_db {
        Some(db) => {
            tokio::time::sleep(params.settle).await;
            let expected = generator
                .lock()
                .expect("generator lock")
                .expectation(&outcome.acked);
            Some(verify::verify(db, &expected).await?)
        }
        None => None,
    };
    Ok(IngestReport::new(
        &params.url,
        params.connections,
        params.rate,
        params.channels.len(),
        params.mix,
        outcome,
        verified,
    ))
}

/// `10s`, `500ms`, `2m`, or plain seconds.
pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let (number, unit) = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or((s, ""), |i| s.split_at(i));
    let n: f64 = number
        .parse()
        .map_err(|_| anyhow::anyhow!("`{s}`: expected a duration like 10s, 500ms or 2m"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        _ => anyhow::bail!("`{s}`: unit must be ms, s or m"),
    };
    anyhow::ensure!(secs.is_finite() && secs >= 0.0, "`{s}`: not a duration");
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5h").is_err());
    }
}
