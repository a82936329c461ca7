//! Times one page: `warmup` GETs left out, then `requests` GETs one after another
//! over one keep-alive connection, each from the send to the last byte of the body
//! (the page as a browser would have it, not just its headers).

use crate::stats::{LatencySummary, StatusHistogram};
use serde::Serialize;
use std::time::{Duration, Instant};

/// One page's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PageTiming {
    pub name: String,
    pub path: String,
    pub latency: LatencySummary,
    pub statuses: StatusHistogram,
    /// Size of the last body read, in bytes.
    pub bytes: usize,
}

impl PageTiming {
    /// Every timed request answered 200.
    pub fn ok(&self) -> bool {
        self.statuses.len() == 1 && self.statuses.contains_key("200")
    }
}

/// An HTTP client for the pages: one connection reused, a bearer token if given.
pub struct Pages {
    client: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Pages {
    pub fn new(base: &str, token: Option<String>) -> anyhow::Result<Pages> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Pages {
            client,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    /// One GET: its status, its body, and how long it took to the last byte.
    pub async fn get(&self, path: &str) -> anyhow::Result<(u16, String, Duration)> {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let start = Instant::now();
        let resp = req.send().await?;
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        Ok((status, body, start.elapsed()))
    }

    /// Times `path`: `warmup` untimed GETs, then `requests` timed ones.
    pub async fn time(
        &self,
        name: &str,
        path: &str,
        warmup: usize,
        requests: usize,
    ) -> anyhow::Result<PageTiming> {
        for _ in 0..warmup {
            self.get(path).await?;
        }
        let mut samples = Vec::with_capacity(requests);
        let mut statuses = StatusHistogram::new();
        let mut bytes = 0;
        for _ in 0..requests {
            let (status, body, took) = self.get(path).await?;
            samples.push(took.as_micros() as u64);
            *statuses.entry(status.to_string()).or_default() += 1;
            bytes = body.len();
        }
        Ok(PageTiming {
            name: name.to_string(),
            path: path.to_string(),
            latency: LatencySummary::from_micros(&mut samples),
            statuses,
            bytes,
        })
    }
}
